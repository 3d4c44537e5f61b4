import React from 'react';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { setupSteps } from '../../src/flows/setup';
import { scheduleStep } from '../../src/flows/setup/schedule';
import type { SetupState } from '../../src/flows/setup/state';
import { App } from '../../src/prompt/ink/App';
import { WizardStore } from '../../src/prompt/ink/store';
import { StorePrompter } from '../../src/prompt/ink/store-prompter';
import { Cancelled } from '../../src/prompt/port';
import { keys, send, tick } from '../helpers/ink';
import { throwawayUser } from '../helpers/crontab';

// The Schedule step's screens in the real TUI (ink-testing-library, 80x24): every question fits, the
// volume-size question says why 200 MB, the restore drill is offered monthly, and the summary after writing names the script.

let app: ReturnType<typeof render> | undefined;
let store: WizardStore | undefined;
afterEach(() => {
  store?.cancel();
  app?.unmount();
});

async function question(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = store!.get().pending;
    if (pending && pattern.test(pending.question.q.message)) {
      await tick(40);
      return app!.lastFrame() ?? '';
    }
    if (Date.now() > deadline) throw new Error(`no question matching ${pattern}; pending: ${pending?.question.q.message}; frame:\n${app?.lastFrame()}`);
    await tick(20);
  }
}

function fits(frame: string): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(24);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
}

describe('Schedule step screens', () => {
  it('walks every question in the TUI, each fitting 80x24, and ends with the job summary', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dsw-screens-'));
    // "No schedule" still takes the profile's schedule out of the crontab, cron.d and systemd: send
    // all three to a throwaway user and folders of the test's own, never this machine's.
    const user = await throwawayUser('dswscr');
    const source = join(home, 'data');
    mkdirSync(source);
    writeFileSync(join(source, 'a.txt'), 'a\n');
    store = new WizardStore('setup');
    const prompt = new StorePrompter(store);
    const state: SetupState = {
      ctx: {
        prompt, env: { HOME: home, PATH: process.env.PATH }, signal: new AbortController().signal, configDir: join(home, 'config'),
        scheduleTargets: { crontabUser: user.name, cronDDir: join(home, 'cron.d'), unitDir: join(home, 'units') },
      },
      keys: { encrypt: 'A'.repeat(40), sign: 'B'.repeat(40), generated: true, gnupgHome: join(home, 'gnupg'), encryptPassphrase: 'x', signPassphrase: 'y' },
      openstack: { target: { authUrl: 'http://127.0.0.1:5000/v3', identityVersion: '3', username: 'demo', projectName: 'backup-a', interface: 'public' }, password: 'p' },
      container: 'backups',
    };
    prompt.steps(setupSteps, Object.fromEntries(setupSteps.map((s) => [s.id, s.id === 'schedule' ? 'current' : 'done'])));
    app = render(<App store={store} size={{ columns: 80, rows: 24 }} />);
    const running = scheduleStep.run(state).catch((error: unknown) => {
      if (!(error instanceof Cancelled)) throw error;
    });

    let frame = await question(/Name this backup profile/);
    fits(frame);
    await send(app, keys.enter);
    frame = await question(/Which folders should be backed up/);
    // The usual folders that exist here are proposed (this machine has /etc), each measured.
    expect(frame).toMatch(/\/etc/);
    fits(frame);
    await send(app, '\u0015'); // Ctrl-U: clear the proposal
    await send(app, source);
    await send(app, keys.enter);
    fits(await question(/Dump which databases/));
    await send(app, '\u0015');
    await send(app, 'none');
    await send(app, keys.enter);
    fits(await question(/Leave anything out/));
    await send(app, keys.enter);
    frame = await question(/When should it run/);
    expect(frame).toContain('17 3 * * *');
    fits(frame);
    await send(app, keys.enter);
    fits(await question(/new full backup/));
    await send(app, keys.enter);
    fits(await question(/How many full backups/));
    await send(app, keys.enter);
    frame = await question(/Volume size in MB/);
    expect(frame).toContain('200');
    expect(frame).toMatch(/tutorial/);
    fits(frame);
    await send(app, keys.enter);
    fits(await question(/E-mail to alert/));
    await send(app, keys.enter);
    fits(await question(/Health-check URL/));
    await send(app, keys.enter);
    frame = await question(/restore drill/);
    expect(frame).toContain('41 4 1 * *');
    expect(frame).toMatch(/monthly/);
    fits(frame);
    await send(app, keys.enter);
    fits(await question(/command to run before each backup/));
    await send(app, keys.enter);
    fits(await question(/command to run after each backup/));
    await send(app, keys.enter);
    frame = await question(/passphrases and the OpenStack password/);
    expect(frame).toMatch(/0600 files/);
    fits(frame);
    await send(app, keys.enter);
    frame = await question(/How should it be scheduled/);
    expect(frame).toMatch(/crontab/);
    expect(frame).toMatch(/systemd timer/);
    fits(frame);
    // To "No schedule" (the last choice), so nothing on this machine is touched; check before Enter.
    const last = process.getuid?.() === 0 ? 3 : 2;
    for (let i = 0; i < last; i++) frame = await send(app, keys.down);
    expect(frame).toMatch(/❯ No schedule/);
    await send(app, keys.enter);
    // The schedule is installed only after the first run proved the job: at this question, not yet.
    frame = await question(/Run the first backup now/);
    expect(frame).toMatch(/Profile and backup script written/);
    expect(frame).not.toMatch(/Schedule installed/);
    fits(frame);
    store.cancel();
    await running;
    expect(state.result).toBeUndefined();
    await user.remove();
    rmSync(home, { recursive: true, force: true });
  });
});
