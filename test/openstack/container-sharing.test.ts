import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../../src/core/openstack/connect';
import type { OpenStackTarget } from '../../src/core/openstack/target';
import { containerStep } from '../../src/flows/setup/container';
import type { SetupState } from '../../src/flows/setup/state';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';
import { stack, type Stack } from '../helpers/stack';

// Two backup sets in one container become one duplicity chain: the second server's job would need
// the first one's keys, and its retention would delete the first one's backups. The Container step
// lets backups go in beside existing ones only when a profile here made them, or someone says yes.

let s: Stack;
let target: OpenStackTarget;
let swift: { endpoint: string; token: string };
const container = `shared-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  s = await stack();
  target = { authUrl: `${s.keystone.replace(/\/v3$/, '')}/v3`, identityVersion: '3', username: 'demo', userDomainName: 'Default', projectName: 'backup-a', projectDomainName: 'Default', region: s.region, interface: 'public' };
  swift = await openTarget(target, s.demo.password, { timeoutMs: 20_000 });
  const put = (path: string, body: string) => fetch(`${swift.endpoint}/${path}`, { method: 'PUT', headers: { 'X-Auth-Token': swift.token }, body });
  await put(container, '');
  // What another machine's duplicity left there: a full backup's manifest (detection reads the names).
  expect((await put(`${container}/duplicity-full.20261101T031700Z.manifest.gpg`, 'x')).status).toBe(201);
});

afterAll(async () => {
  const del = (path: string) => fetch(`${swift.endpoint}/${path}`, { method: 'DELETE', headers: { 'X-Auth-Token': swift.token } });
  const list = await fetch(`${swift.endpoint}/${container}`, { headers: { 'X-Auth-Token': swift.token } }).then((r) => r.text());
  for (const name of list.split('\n').filter(Boolean)) await del(`${container}/${encodeURIComponent(name)}`);
  await del(container);
});

function run(answers: Record<string, unknown>, configDir: string) {
  const log: string[] = [];
  const prompt = new AnswersPrompter({ answers, env: {}, yes: true, log: (l) => log.push(l), source: 'answers file' });
  const state: SetupState = { ctx: { prompt, env: {}, signal: new AbortController().signal, configDir }, openstack: { target, password: s.demo.password } };
  return { log, state, done: containerStep.run(state) };
}

describe('a container that already holds duplicity backups', () => {
  it('is refused when no profile here made them, even with --yes, and names the way out', async () => {
    const { done, state } = run({ container }, mkdtempSync(join(tmpdir(), 'ds-cfg-')));
    const error = (await done.catch((e: unknown) => e)) as { message: string; fix?: string };
    expect(error.message).toMatch(/already holds duplicity backups that no profile here made/);
    expect(error.fix).toContain('"reuseContainer": true');
    expect(state.container).toBeUndefined();
  });

  it('is used when the answers say so explicitly', async () => {
    const { done, state } = run({ container, reuseContainer: true }, mkdtempSync(join(tmpdir(), 'ds-cfg-')));
    await done;
    expect(state.container).toBe(container);
  });

  it('is used without asking when a profile here made them (setting up again)', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'ds-cfg-'));
    mkdirSync(join(configDir, 'nightly'));
    const profile = {
      version: 1, name: 'nightly', source: '/srv', exclude: [], gnupgHome: '/root/.gnupg',
      keys: { encrypt: 'A'.repeat(40), sign: 'B'.repeat(40) }, openstack: target, container,
      schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 4 }, secrets: 'file', install: 'none', archiveDir: join(configDir, 'nightly', 'cache'),
    };
    writeFileSync(join(configDir, 'nightly', 'profile.json'), JSON.stringify(profile));
    const { done, state, log } = run({ container }, configDir);
    await done;
    expect(state.container).toBe(container);
    expect(log.join('\n')).toContain('holds the backups of profile nightly');
  });
});
