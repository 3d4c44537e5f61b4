import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec';
import { login, openProject, resolveProject, toTarget } from '../../src/core/openstack/connect';
import { duplicitySwiftEnv } from '../../src/core/openstack/duplicity-env';
import type { ConnectionInput } from '../../src/core/openstack/os-env';
import { detectDuplicity } from '../../src/core/duplicity/detect';
import { atLeast, parseVersion, type Version } from '../../src/core/duplicity/version';
import { execRecorder, secretsInArgv } from '../helpers/exec-trace';
import { startV2Stub, type V2Stub } from '../helpers/keystone-v2-stub';
import { stack, type Stack } from '../helpers/stack';

// The proof that duplicitySwiftEnv() is right: the REAL duplicity installed here (/usr/bin/duplicity; 0.8.22
// on Debian 12, 2.1.4 / 3.0.4 in the distro matrix) backs up a
// folder to the REAL Swift and restores it byte-identical, in a clean environment (like cron's) that
// holds EXACTLY the variables duplicitySwiftEnv() returned, plus PATH, HOME and PASSPHRASE. No
// encryption here: the keys are another test's subject; this one is about reaching Swift.

const DUPLICITY = '/usr/bin/duplicity';
let s: Stack;
let work: string;
let stub: V2Stub;
let installed: Version;
const made: { input: ConnectionInput; password: string; container: string }[] = [];

beforeAll(async () => {
  s = await stack();
  installed = (await detectDuplicity({ DUPLISWIFT_DUPLICITY: DUPLICITY })).version;
  work = await mkdtemp(join(tmpdir(), 'dupliswift-dup-'));
  stub = await startV2Stub({ keystoneV3: s.keystone, swift: s.swift, region: s.region });
  const src = join(work, 'src');
  await mkdir(join(src, 'sub dir'), { recursive: true });
  await writeFile(join(src, 'random.bin'), randomBytes(300_000));
  await writeFile(join(src, 'sub dir', 'notes-é.txt'), 'restore me exactly\n');
});

afterAll(async () => {
  // Remove each container and its objects through our own Swift calls.
  for (const { input, password, container } of made) {
    const session = await login(input, { password }, {});
    const project = resolveProject(session, input)!;
    const { scoped, endpoint } = await openProject(session, project, { region: input.region });
    const h = { 'X-Auth-Token': scoped.token };
    const list = await fetch(`${endpoint.url}/${container}?format=json`, { headers: h });
    if (list.ok) for (const o of (await list.json()) as { name: string }[]) await fetch(`${endpoint.url}/${container}/${encodeURIComponent(o.name)}`, { method: 'DELETE', headers: h });
    await fetch(`${endpoint.url}/${container}`, { method: 'DELETE', headers: h });
  }
  await stub?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function tree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, await tree(p, `${prefix}${e.name}/`));
    else out[`${prefix}${e.name}`] = (await readFile(p)).toString('base64');
  }
  return out;
}

async function roundTrip(name: string, input: ConnectionInput, password: string) {
  const session = await login(input, { password }, {});
  const project = resolveProject(session, input)!;
  const { scoped, endpoint } = await openProject(session, project, { region: input.region, interface: input.interface });
  const target = toTarget(session, scoped, endpoint, input);
  const version = parseVersion((await run(DUPLICITY, ['--version'], { env: { PATH: '/usr/bin:/bin' }, extendEnv: false })).stdout);
  // What the tool detects is what this test ran: never a version assumed.
  expect(version).toEqual(installed);
  const swiftEnv = duplicitySwiftEnv(target, password, { duplicityVersion: version });
  const container = `dup-${name}-${process.pid}-${Date.now().toString(36)}`;
  made.push({ input, password, container });
  const home = join(work, `home-${name}`);
  await mkdir(home);
  // Exactly duplicitySwiftEnv(), plus what any process needs; PASSPHRASE is required even unencrypted.
  const env = { ...swiftEnv, PATH: '/usr/bin:/bin', HOME: home, PASSPHRASE: '' };
  const url = `swift://${container}`;
  // Each run under strace (these tests run concurrently: one tracer per command, not per process).
  const trace = await execRecorder();
  const backup = await run(...trace.wrap(DUPLICITY, ['full', '--no-encryption', '--archive-dir', join(home, 'cache'), '--name', name, join(work, 'src'), url]), { env, extendEnv: false, timeoutMs: 60_000 });
  expect(backup.exitCode, `${backup.stdout}\n${backup.stderr}`).toBe(0);
  const dest = join(work, `restored-${name}`);
  // A fresh cache: the restore must come from Swift alone.
  const restore = await run(...trace.wrap(DUPLICITY, ['restore', '--no-encryption', '--archive-dir', join(home, 'cache2'), '--name', name, url, dest]), { env, extendEnv: false, timeoutMs: 60_000 });
  expect(restore.exitCode, `${restore.stdout}\n${restore.stderr}`).toBe(0);
  expect(secretsInArgv(await trace.execs(), [password])).toEqual([]);
  await trace.cleanup();
  expect(await tree(dest)).toEqual(await tree(join(work, 'src')));
  return swiftEnv;
}

describe('the installed duplicity against the real Swift with exactly duplicitySwiftEnv()', () => {
  it.concurrent('v3, user and project in the non-Default domain "ops"', async () => {
    const env = await roundTrip('ops', { authUrl: s.keystone, username: 'opsuser', userDomainName: 'ops', projectName: 'ops-project', projectDomainName: 'ops', region: s.region }, s.ops.password);
    expect(env).toMatchObject({ SWIFT_AUTHVERSION: '3', SWIFT_USER_DOMAIN_NAME: 'ops', SWIFT_PROJECT_DOMAIN_NAME: 'ops', SWIFT_TENANTNAME: 'ops-project' });
    // SWIFT_PROJECT_NAME exists from duplicity 1.0 on; 0.8 reads SWIFT_TENANTNAME alone.
    if (atLeast(installed, 1)) expect(env).toMatchObject({ SWIFT_PROJECT_NAME: 'ops-project' });
    else expect(env).not.toHaveProperty('SWIFT_PROJECT_NAME');
  });

  it.concurrent('v3, Default domain, internal interface, auth URL given without a version', async () => {
    const env = await roundTrip('demo', { authUrl: 'http://127.0.0.1:5000', username: 'demo', userDomainName: 'Default', projectName: 'backup-b', interface: 'internal' }, s.demo.password);
    expect(env).toMatchObject({ SWIFT_AUTHURL: 'http://127.0.0.1:5000/v3', SWIFT_ENDPOINT_TYPE: 'internal', SWIFT_REGIONNAME: 'RegionOne' });
  });

  it.concurrent('v2.0 (the stub in front of the real stack): SWIFT_AUTHVERSION=2 with the tenant:user form', async () => {
    const env = await roundTrip('v2', { authUrl: `${stub.url}/v2.0`, username: 'backup-a:demo' }, s.demo.password);
    expect(env).toMatchObject({ SWIFT_AUTHVERSION: '2', SWIFT_USERNAME: 'backup-a:demo' });
    expect(env).not.toHaveProperty('SWIFT_TENANTNAME');
  });
});
