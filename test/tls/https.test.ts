/**
 * Every command over HTTPS with a private CA (issue 12): a Keystone and a Swift proxy of the test's
 * own behind TLS (scripts/stack/extra.sh; the catalog lists only https endpoints, region RegionTLS),
 * the CA given once at setup and used by every later command and by the job without flags; without
 * it, or with the wrong one, each command refuses with the fix. Certificates for the wrong host name
 * and an expired one are made here (openssl) and served by a small node:https server.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { extraStack, type ExtraStack } from '../helpers/extra-stack';
import { cronRun } from '../helpers/job-run';
import { makeSource, makeTestKeys, stackUp, treeBytes, type StackEnv, type TestKeys } from '../helpers/backup-job';

let shared: StackEnv;
let tls: ExtraStack;
let keys: TestKeys;
let source: string;
let work: string;
let osEnv: Record<string, string>;
let cacert: string;
const container = `dsw-tls-${process.pid}-${Date.now()}`;
const profile = `tls${process.pid}`;

async function openssl(args: string[], cwd: string) {
  const r = await execa('openssl', args, { cwd, reject: false });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A server certificate signed by the test CA: for another host name, or already expired. */
async function badCert(kind: 'hostname' | 'expired'): Promise<{ key: string; cert: string }> {
  const ca = join(tls.dir, 'ca');
  const dir = await mkdtemp(join(work, `cert-${kind}-`));
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'r.csr', '-subj', '/CN=test'], dir);
  await writeFile(join(dir, 'ext'), kind === 'hostname' ? 'subjectAltName=DNS:backup.example.invalid\n' : 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(['x509', '-req', '-in', 'r.csr', '-CA', join(ca, 'ca.pem'), '-CAkey', join(ca, 'ca.key'), '-CAcreateserial', '-CAserial', join(dir, 'serial'),
    '-days', kind === 'expired' ? '0' : '1', '-extfile', 'ext', '-out', 'c.pem'], dir);
  return { key: await readFile(join(dir, 'k.pem'), 'utf8'), cert: await readFile(join(dir, 'c.pem'), 'utf8') };
}

async function serve(pair: { key: string; cert: string }): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(pair, (_req, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `https://127.0.0.1:${port}/v3`, close: () => new Promise((r) => server.close(() => r())) };
}

beforeAll(async () => {
  [shared, keys, source] = await Promise.all([stackUp(), makeTestKeys(), makeSource()]);
  tls = await extraStack({ name: 'tls', tls: true });
  work = await mkdtemp(join(tmpdir(), 'dsw-tls-'));
  cacert = tls.env.OS_CACERT!;
  osEnv = {
    OS_AUTH_URL: tls.env.OS_AUTH_URL!, OS_USERNAME: shared.OS_USERNAME, OS_PASSWORD: shared.OS_PASSWORD,
    OS_USER_DOMAIN_NAME: shared.OS_USER_DOMAIN_NAME, OS_PROJECT_NAME: shared.OS_PROJECT_NAME,
    OS_PROJECT_DOMAIN_NAME: shared.OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME: tls.env.OS_REGION_NAME!, OS_IDENTITY_API_VERSION: '3',
  };
}, 240_000);

afterAll(async () => {
  if (tls) {
    await execa('/usr/bin/python3', ['/usr/bin/swift', 'delete', container], {
      env: { ...osEnv, OS_CACERT: cacert, PATH: '/usr/bin:/bin' }, extendEnv: false, reject: false,
    });
    await tls.down();
  }
  await Promise.all([keys?.cleanup(), source && rm(source, { recursive: true, force: true }), work && rm(work, { recursive: true, force: true })]);
});

describe('tenants and check over HTTPS with a private CA', () => {
  it('work with --cacert and with OS_CACERT', async () => {
    const a = await runCli(['tenants', '--json', '--cacert', cacert], { cleanEnv: true, env: osEnv });
    expect(a.exitCode, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ authUrl: tls.env.OS_AUTH_URL, projects: expect.arrayContaining([expect.objectContaining({ name: 'backup-a' })]) });
    const c = await runCli(['check', '--container', container, '--create', '--json'], { cleanEnv: true, env: { ...osEnv, OS_CACERT: cacert } });
    expect(c.exitCode, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ ok: true, target: { region: 'RegionTLS', cacert, endpoint: expect.stringMatching(/^https:\/\/127\.0\.0\.1:/) } });
  });

  it('without the CA, every command refuses and says how to give it; never turns verification off', async () => {
    for (const args of [['tenants'], ['check', '--container', container]]) {
      const r = await runCli(args, { cleanEnv: true, env: osEnv });
      expect(r.exitCode, r.stdout).not.toBe(0);
      expect(r.stderr).toMatch(/unable to verify the first certificate/);
      expect(r.stderr).toMatch(/--cacert FILE/);
      expect(r.stderr).toMatch(/never turns certificate checks off/);
    }
  });

  it('a wrong CA file, and a CA file that does not exist, each get their own explanation', async () => {
    const other = await mkdtemp(join(work, 'otherca-'));
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=another CA'], other);
    const wrong = await runCli(['tenants', '--cacert', join(other, 'ca.pem')], { cleanEnv: true, env: osEnv });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toContain(`The CA file ${join(other, 'ca.pem')} did not vouch for this server's certificate`);
    const missing = await runCli(['tenants', '--cacert', join(other, 'nope.pem')], { cleanEnv: true, env: osEnv });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain(`Cannot read the CA file ${join(other, 'nope.pem')}: ENOENT`);
  });

  it('a certificate for another host name, and an expired one, each get their own explanation', async () => {
    const host = await serve(await badCert('hostname'));
    const expired = await serve(await badCert('expired'));
    await new Promise((r) => setTimeout(r, 1500)); // -days 0: expired one second after it was made
    try {
      const h = await runCli(['tenants', '--auth-url', host.url, '--cacert', cacert], { cleanEnv: true, env: { ...osEnv, OS_AUTH_URL: host.url } });
      expect(h.exitCode).not.toBe(0);
      expect(h.stderr).toMatch(/the certificate is not for the host name 127\.0\.0\.1/);
      expect(h.stderr).toMatch(/Use the host name the certificate was issued for/);
      const e = await runCli(['tenants', '--auth-url', expired.url, '--cacert', cacert], { cleanEnv: true, env: { ...osEnv, OS_AUTH_URL: expired.url } });
      expect(e.exitCode).not.toBe(0);
      expect(e.stderr).toMatch(/its certificate has expired/);
      expect(e.stderr).toMatch(/must renew it/);
    } finally {
      await Promise.all([host.close(), expired.close()]);
    }
  });
});

describe('setup with the CA once; the job, restore --profile and a bare machine without flags', () => {
  let profileDir: string;
  const configDir = () => join(work, 'cfg');

  it('setup --answers keeps the CA in the profile and the job uses it under cron\'s env', async () => {
    const answers = join(work, 'answers.json');
    await writeFile(answers, JSON.stringify({
      profile, source, exclude: [join(source, 'tmp')], gnupgHome: keys.home, keys: { encrypt: keys.encrypt, sign: keys.sign },
      openstack: { authUrl: tls.env.OS_AUTH_URL, username: shared.OS_USERNAME, userDomain: 'Default', project: 'backup-a', projectDomain: 'Default', region: 'RegionTLS', interface: 'public', cacert },
      container, createContainer: true, schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 1, drill: 'off' },
      secrets: 'file', install: 'none', firstRun: false,
    }));
    // No OS_CACERT, no --cacert: the answers file's openstack.cacert is the only place the CA is named.
    const r = await runCli(['setup', '--answers', answers, '--yes', '--json', '--config-dir', configDir()], {
      cleanEnv: true,
      env: { OS_PASSWORD: shared.OS_PASSWORD, DUPLISWIFT_ENCRYPT_PASSPHRASE: keys.encryptPassphrase, DUPLISWIFT_SIGN_PASSPHRASE: keys.signPassphrase },
      timeoutMs: 240_000,
    });
    expect(r.exitCode, `${r.stderr}\n${r.stdout}`).toBe(0);
    profileDir = join(configDir(), profile);
    const saved = JSON.parse(await readFile(join(profileDir, 'profile.json'), 'utf8')) as { openstack: { cacert?: string; authUrl: string } };
    expect(saved.openstack).toMatchObject({ cacert, authUrl: tls.env.OS_AUTH_URL });

    const backup = await cronRun(join(profileDir, 'backup.sh'));
    expect(backup.exitCode, await readFile(join(profileDir, 'backup.log'), 'utf8').catch(() => backup.stderr)).toBe(0);
    const again = await cronRun(join(profileDir, 'backup.sh'));
    expect(again.exitCode, again.stderr).toBe(0);
    const log = await readFile(join(profileDir, 'backup.log'), 'utf8');
    expect(log).toMatch(/retention finished with exit code 0/);
    expect(log).toMatch(/cleanup finished with exit code 0/);

    const dest = join(work, 'job-restore');
    const restored = await cronRun(join(profileDir, 'backup.sh'), ['restore', '.', dest]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(await treeBytes(dest)).toEqual(await treeBytes(source, ['tmp']));

    const drill = await cronRun(join(profileDir, 'backup.sh'), ['drill']);
    expect(drill.exitCode, await readFile(join(profileDir, 'backup.log'), 'utf8')).toBe(0);
    expect(await readFile(join(profileDir, 'backup.log'), 'utf8')).toMatch(/restore drill OK/);
  }, 400_000);

  it('restore --profile NAME needs no CA flag: the profile\'s CA serves Keystone, Swift and duplicity', async () => {
    const dest = join(work, 'profile-restore');
    const r = await runCli(['restore', '--profile', profile, '--config-dir', configDir(), '--target', dest], { cleanEnv: true, timeoutMs: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await treeBytes(dest)).toEqual(await treeBytes(source, ['tmp']));
  }, 300_000);

  it('a bare machine restores with OS_* and OS_CACERT (no profile)', async () => {
    const dest = join(work, 'bare-restore');
    const r = await runCli(['restore', '--container', container, '--target', dest], {
      cleanEnv: true, timeoutMs: 240_000,
      env: { ...osEnv, OS_CACERT: cacert, GNUPGHOME: keys.home, DUPLISWIFT_ENCRYPT_PASSPHRASE: keys.encryptPassphrase, DUPLISWIFT_SIGN_PASSPHRASE: keys.signPassphrase },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await treeBytes(dest)).toEqual(await treeBytes(source, ['tmp']));
  }, 300_000);
});
