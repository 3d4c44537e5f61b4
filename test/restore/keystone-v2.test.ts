import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRecorder, secretsInArgv } from '../helpers/exec-trace';
import { parseJson, runCli } from '../helpers/cli';
import { killAgentOf } from '../helpers/gpg';
import { startV2Stub, type V2Stub } from '../helpers/keystone-v2-stub';
import { deleteContainers, plainDuplicity, snapshotTree, uniqueContainer, workWithSource } from '../helpers/restore';
import { stack, type Stack } from '../helpers/stack';

/**
 * A backup made through Keystone v2.0 the tutorial's way (SWIFT_AUTHVERSION=2, tenant:user), restored
 * with `dupliswift restore` given the same tenant:user name. v2.0 is a STUB in front of the real
 * stack (Keystone 22 serves no v2.0; see test/helpers/keystone-v2-stub.ts): the real Keystone checks
 * the password and issues the tokens, and the catalog points at the real Swift, so both duplicity
 * runs really write and read there. Symmetric encryption (PASSPHRASE only) keeps it fast: keys are
 * the disaster-recovery test's subject, the identity version is this one's.
 */
let s: Stack;
let stub: V2Stub;
let work: string;
let source: string;
let gnupgHome: string;
let container: string;
const passphrase = `v2 ${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  s = await stack();
  stub = await startV2Stub({ keystoneV3: s.keystone, swift: s.swift, region: s.region });
  ({ work, source } = await workWithSource('ds-restore-v2-'));
  gnupgHome = join(work, 'gnupg');
  await mkdir(gnupgHome, { mode: 0o700 });
  container = uniqueContainer('ds-v2');
  await plainDuplicity(['full', '--archive-dir', join(work, 'cache-A'), source, `swift://${container}`], {
    SWIFT_AUTHURL: `${stub.url}/v2.0`, SWIFT_AUTHVERSION: '2', SWIFT_USERNAME: `backup-a:${s.demo.username}`, SWIFT_PASSWORD: s.demo.password,
    GNUPGHOME: gnupgHome, PASSPHRASE: passphrase,
  });
}, 120_000);

afterAll(async () => {
  if (gnupgHome) await killAgentOf(gnupgHome);
  if (s && container) await deleteContainers(s, [container]).catch(() => undefined);
  await stub?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('restore through Keystone v2.0 (stub in front of the real stack)', () => {
  it('restores byte-identical with --username tenant:user, duplicity logging in as tenant:user', async () => {
    stub.log.length = 0;
    const target = join(work, 'restored');
    const trace = await execRecorder();
    const result = await runCli(['restore', '--container', container, '--target', target, '--auth-url', stub.url, '--username', `backup-a:${s.demo.username}`, '--password-stdin', '--json'], {
      cleanEnv: true, input: `${s.demo.password}\n`,
      env: { OS_IDENTITY_API_VERSION: '2', GNUPGHOME: gnupgHome, DUPLISWIFT_ENCRYPT_PASSPHRASE: passphrase }, wrap: trace.wrap,
    });
    const execs = await trace.execs();
    await trace.cleanup();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(secretsInArgv(execs, [s.demo.password, passphrase])).toEqual([]);
    expect(execs.some((e) => e.ok && e.argv.some((x) => /duplicity$/.test(x)) && e.argv.includes('restore'))).toBe(true);
    expect(await snapshotTree(target)).toEqual(await snapshotTree(source));
    expect(parseJson<{ restored: { files: number } }>(result).restored.files).toBe(5);
    const tokens = stub.log.filter((l) => l.method === 'POST').map((l) => l.tenant);
    // dupliswift: discovery, a token without a tenant, the tenants, one scoped by the tenant's id.
    expect(stub.log.slice(0, 3).map((l) => `${l.method} ${l.path}`)).toEqual(['GET /', 'POST /v2.0/tokens', 'GET /v2.0/tenants']);
    expect(tokens.slice(0, 2)).toEqual([undefined, expect.stringMatching(/^[0-9a-f]{32}$/)]);
    // duplicity: swiftclient split SWIFT_USERNAME=backup-a:demo and asked for the tenant by name.
    expect(tokens.slice(2)).toContain('backup-a');
  });
});
