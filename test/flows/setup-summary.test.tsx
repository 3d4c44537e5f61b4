import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { cronInWords, setupSummary } from '../../src/flows/setup/summary';
import type { SetupState } from '../../src/flows/setup/state';
import { App } from '../../src/prompt/ink/App';
import { WizardStore } from '../../src/prompt/ink/store';
import { StorePrompter } from '../../src/prompt/ink/store-prompter';
import { tick } from '../helpers/ink';

let app: ReturnType<typeof render> | undefined;
afterEach(() => app?.unmount());

const E = '5557EA0B5E7B868EADA3095D63E087E551ABC446';
const S = '4322355B0311EE702CB468BDB2D6C07EE946D7C6';
const state = (over: Partial<SetupState> = {}): SetupState => ({
  ctx: {} as SetupState['ctx'],
  keys: { encrypt: E, sign: S, generated: true, gnupgHome: '/root/.gnupg', encryptPassphrase: 'x', signPassphrase: 'y' },
  exportDir: '/root/dupliswift-keys',
  result: { profileDir: '/etc/dupliswift/nightly', script: '/etc/dupliswift/nightly/backup.sh', profile: 'nightly', cron: '17 3 * * *', drill: '41 4 1 * *', install: { method: 'crontab' } },
  ...over,
});

describe('the closing summary of setup', () => {
  it('says where the keys are and that they must leave the server, when it runs, how to restore and check', () => {
    const s = setupSummary(state())!;
    const text = s.lines.join('\n');
    expect(text).toContain('5557 EA0B');
    expect(text).toMatch(/Exported to \/root\/dupliswift-keys: copy that folder off this server now/);
    expect(text).toContain('Backups run every day at 03:17 (crontab)');
    expect(text).toContain('dupliswift restore --profile nightly');
    expect(text).toContain('/etc/dupliswift/nightly/RESTORE.txt');
    expect(text).toContain('/etc/dupliswift/nightly/backup.sh status');
    expect(s.json.keys.mustLeaveServer).toBe(true);
  });

  it('without a schedule or an export, says so instead', () => {
    const s = setupSummary(state({ exportDir: undefined, result: { ...state().result!, install: { method: 'none' } } }))!;
    expect(s.lines.join('\n')).toMatch(/not exported here/);
    expect(s.lines.join('\n')).toMatch(/No schedule installed: run \/etc\/dupliswift\/nightly\/backup.sh yourself/);
    expect(s.json.schedule.cron).toBeNull();
  });

  it('puts cron in words for the usual shapes, and as written otherwise', () => {
    expect(cronInWords('17 3 * * *')).toBe('every day at 03:17');
    expect(cronInWords('5 22 * * 0')).toBe('every Sunday at 22:05');
    expect(cronInWords('0 1 15 * *')).toBe('on day 15 of every month at 01:00');
    expect(cronInWords('*/30 * * * *')).toBe('cron "*/30 * * * *"');
  });

  it('is the last screen of the wizard, and offers no key that does nothing', async () => {
    const store = new WizardStore('setup');
    const prompt = new StorePrompter(store);
    prompt.steps([{ id: 'schedule', title: 'Schedule' }], { schedule: 'done' });
    const s = setupSummary(state())!;
    prompt.show({ title: s.title, lines: s.lines, tone: 'success' });
    app = render(<App store={store} size={{ columns: 80, rows: 24 }} />);
    await tick(60);
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('Setup of nightly is done.');
    expect(frame).toContain('dupliswift restore --profile');
    expect(frame).not.toContain('Enter confirm');
    for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });
});
