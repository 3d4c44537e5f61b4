import React from 'react';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { setupSteps } from '../../src/flows/setup';
import type { SetupState } from '../../src/flows/setup/state';
import { App } from '../../src/prompt/ink/App';
import { WizardStore } from '../../src/prompt/ink/store';
import { StorePrompter } from '../../src/prompt/ink/store-prompter';
import { Cancelled } from '../../src/prompt/port';
import { keys, send, tick } from '../helpers/ink';
import { stack } from '../helpers/stack';

// A frame test for each screen of the setup wizard: the real step code runs against the TUI's store,
// ink-testing-library renders the real App, and each screen is checked as a person would see it.

let app: ReturnType<typeof render> | undefined;
let store: WizardStore | undefined;
afterEach(() => {
  store?.cancel();
  app?.unmount();
});

async function question(s: WizardStore, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = s.get().pending;
    if (pending && pattern.test(pending.question.q.message)) {
      await tick(40);
      return app!.lastFrame() ?? '';
    }
    if (Date.now() > deadline) throw new Error(`no question matching ${pattern}; pending: ${s.get().pending?.question.q.message}; frame:\n${app?.lastFrame()}`);
    await tick(20);
  }
}

function start(stepId: string, seed: Partial<SetupState> = {}, env: NodeJS.ProcessEnv = {}) {
  const home = mkdtempSync(join(tmpdir(), 'dupliswift-screen-'));
  store = new WizardStore('setup');
  const prompt = new StorePrompter(store);
  const controller = new AbortController();
  const state: SetupState = {
    ctx: { prompt, env: { HOME: home, GNUPGHOME: join(home, 'gnupg'), XDG_CONFIG_HOME: join(home, 'config'), PATH: process.env.PATH, ...env }, signal: controller.signal, configDir: join(home, 'config') },
    ...seed,
  };
  const index = setupSteps.findIndex((s) => s.id === stepId);
  prompt.steps(setupSteps, Object.fromEntries(setupSteps.map((s, i) => [s.id, i < index ? 'done' : i === index ? 'current' : 'todo'])));
  app = render(<App store={store} size={{ columns: 80, rows: 24 }} />);
  const running = setupSteps[index]!.run(state).catch((error: unknown) => {
    if (!(error instanceof Cancelled)) throw error;
  });
  return { home, state, running };
}

function fits(frame: string): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(24);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
}

const FPR_E = 'A'.repeat(40);
const FPR_S = 'B'.repeat(40);

describe('setup screens', () => {
  it('Keys: GnuPG home, then generate: name, e-mail, algorithm, a hidden passphrase with its strength', async () => {
    const { home } = start('keys');
    let frame = await question(store!, /GnuPG home/);
    expect(frame).toMatch(/▸ 2\. Keys/);
    expect(frame).toContain(join(home, 'gnupg'));
    fits(frame);
    await send(app!, keys.enter);
    frame = await question(store!, /Name for the keys/);
    // The only choice in an empty keyring is shown, not asked.
    expect(store!.get().log.map((e) => e.title).join('\n')).toContain('Generate two new keys');
    await send(app!, 'web1');
    await send(app!, keys.enter);
    await question(store!, /E-mail/);
    await send(app!, 'root@web1.example');
    await send(app!, keys.enter);
    frame = await question(store!, /Which kind of keys/);
    expect(frame).toMatch(/Curve25519/);
    expect(frame).toMatch(/RSA-4096/);
    fits(frame);
    await send(app!, keys.enter);
    await question(store!, /passphrase for the encryption key/i);
    frame = await send(app!, 'correct horse battery staple');
    expect(frame).not.toContain('correct horse');
    expect(frame).toMatch(/strong|weak|fair|good/i);
    fits(frame);
  });

  it('Export: asks for the folder, with the keys it will write named', async () => {
    const { home } = start('export', { keys: { encrypt: FPR_E, sign: FPR_S, generated: true, gnupgHome: join(tmpdir(), 'none'), encryptPassphrase: 'x', signPassphrase: 'y' } });
    const frame = await question(store!, /Folder to export both keys into/);
    expect(frame).toMatch(/▸ 3\. Export/);
    expect(home).toBeTruthy();
    fits(frame);
  });

  it('Keystone: the auth URL prefilled from OS_AUTH_URL, then the user', async () => {
    const s = await stack();
    start('keystone', {}, { OS_AUTH_URL: s.demo.env.OS_AUTH_URL! });
    let frame = await question(store!, /Keystone auth URL/);
    expect(frame).toMatch(/▸ 4\. Keystone/);
    expect(frame).toContain(s.demo.env.OS_AUTH_URL!);
    fits(frame);
    await send(app!, keys.enter);
    frame = await question(store!, /User name/);
    fits(frame);
  });

  it('Container: a suggested name, on a real Swift account', async () => {
    const s = await stack();
    start('container', {
      openstack: {
        target: { authUrl: s.keystone, identityVersion: '3', username: s.demo.username, userDomainName: 'Default', projectName: 'backup-a', projectDomainName: 'Default', region: s.region, interface: 'public' },
        password: s.demo.password,
      },
    });
    const frame = await question(store!, /Swift container for the backups/);
    expect(frame).toMatch(/▸ 5\. Container/);
    expect(frame).toMatch(/backup-/);
    fits(frame);
  });

  it('Schedule: the profile name first, defaulting to nightly', async () => {
    start('schedule', {
      keys: { encrypt: FPR_E, sign: FPR_S, generated: true, gnupgHome: join(tmpdir(), 'none'), encryptPassphrase: 'x', signPassphrase: 'y' },
      openstack: { target: { authUrl: 'http://127.0.0.1:5000/v3', identityVersion: '3', username: 'demo', projectName: 'backup-a', interface: 'public' }, password: 'p' },
      container: 'backups',
    });
    const frame = await question(store!, /Name this backup profile/);
    expect(frame).toMatch(/▸ 6\. Schedule/);
    expect(frame).toContain('nightly');
    fits(frame);
  });
});
