/**
 * Helpers for tests of the backup job (issue 5): throwaway GnuPG keys made with plain gpg, the local
 * Keystone/Swift stack's settings, a mixed source tree, and a /proc watcher that catches secrets in argv.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { duplicitySwiftEnv } from '../../src/core/openstack/duplicity-env';
import type { OpenStackTarget } from '../../src/core/openstack/target';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface TestKeys {
  home: string;
  encrypt: string;
  sign: string;
  encryptPassphrase: string;
  signPassphrase: string;
  cleanup(): Promise<void>;
}

async function gpg(home: string, args: string[], input?: string) {
  const r = await execa('gpg', ['--homedir', home, '--batch', '--no-tty', ...args], { input, reject: false, env: { GNUPGHOME: home } });
  if (r.exitCode !== 0) throw new Error(`gpg ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function fingerprintOf(home: string, uid: string): Promise<string> {
  const out = await gpg(home, ['--with-colons', '--list-keys', uid]);
  const line = out.split('\n').find((l) => l.startsWith('fpr:'));
  if (!line) throw new Error(`no fingerprint for ${uid}`);
  return line.split(':')[9]!.toUpperCase();
}

/** Two keys as the seed lays them out: E (ed25519 + cv25519 encryption subkey) and S (ed25519, signs with its primary). */
async function generateKeys(home: string, encryptPassphrase: string, signPassphrase: string) {
  const loop = ['--pinentry-mode', 'loopback', '--passphrase-fd', '0'];
  await gpg(home, [...loop, '--quick-gen-key', 'Backup Encrypt <enc@test.invalid>', 'ed25519', 'cert', 'never'], encryptPassphrase);
  const encrypt = await fingerprintOf(home, 'enc@test.invalid');
  await gpg(home, [...loop, '--quick-add-key', encrypt, 'cv25519', 'encr', 'never'], encryptPassphrase);
  await gpg(home, [...loop, '--quick-gen-key', 'Backup Sign <sign@test.invalid>', 'ed25519', 'sign', 'never'], signPassphrase);
  const sign = await fingerprintOf(home, 'sign@test.invalid');
  await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: home }, reject: false });
  return { encrypt, sign };
}

/**
 * A throwaway GnuPG home with the two keys. Generating them with gpg takes ~10 s, so one set is made
 * per machine (a template under os.tmpdir(), published by an atomic rename) and each test copies it.
 */
export async function makeTestKeys(): Promise<TestKeys> {
  const template = join(tmpdir(), 'dsw-test-gnupg-template-v1');
  const meta = join(template, 'dsw-keys.json');
  let info = await readFile(meta, 'utf8').then((t) => JSON.parse(t) as { encrypt: string; sign: string; encryptPassphrase: string; signPassphrase: string }, () => undefined);
  if (!info) {
    const fresh = await mkdtemp(join(tmpdir(), 'dsw-gnupg-new-'));
    await chmod(fresh, 0o700);
    const encryptPassphrase = `enc ${randomBytes(6).toString('hex')}`;
    const signPassphrase = `sign ${randomBytes(6).toString('hex')}`;
    const fprs = await generateKeys(fresh, encryptPassphrase, signPassphrase);
    await writeFile(join(fresh, 'dsw-keys.json'), JSON.stringify({ ...fprs, encryptPassphrase, signPassphrase }));
    await rename(fresh, template).catch(() => rm(fresh, { recursive: true, force: true })); // another file won the race: use theirs
    info = JSON.parse(await readFile(meta, 'utf8')) as { encrypt: string; sign: string; encryptPassphrase: string; signPassphrase: string };
  }
  const home = await mkdtemp(join(tmpdir(), 'dsw-gnupg-'));
  await chmod(home, 0o700);
  await cp(template, home, { recursive: true, filter: (src) => !/S\.|\.lock$|dsw-keys\.json$/.test(src.slice(template.length)) });
  return {
    home, encrypt: info.encrypt, sign: info.sign, encryptPassphrase: info.encryptPassphrase, signPassphrase: info.signPassphrase,
    async cleanup() {
      await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: home }, reject: false });
      await rm(home, { recursive: true, force: true });
    },
  };
}

export interface StackEnv {
  OS_AUTH_URL: string;
  OS_USERNAME: string;
  OS_PASSWORD: string;
  OS_USER_DOMAIN_NAME: string;
  OS_PROJECT_NAME: string;
  OS_PROJECT_DOMAIN_NAME: string;
  OS_REGION_NAME: string;
}

/** Brings the local stack up (idempotent: verifies when running) and returns its OS_* settings. */
export async function stackUp(): Promise<StackEnv> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await execa('bash', [join(repoRoot, 'scripts/stack/up.sh')], { reject: false, timeout: 170_000 });
    if (r.exitCode === 0) {
      const env: Record<string, string> = {};
      for (const m of r.stdout.matchAll(/^export (OS_\w+)=(.*)$/gm)) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
      return env as unknown as StackEnv;
    }
    last = r.stderr;
    // Another test file may hold the stack's lock while it starts it: wait and verify again.
    if (!/holds .*\.lock/.test(r.stderr)) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new Error(`scripts/stack/up.sh failed; the test needs the real Keystone+Swift:\n${last.slice(-3000)}`);
}

/** The stack as the Keystone step would settle it. */
export function targetOf(s: StackEnv, project = s.OS_PROJECT_NAME): OpenStackTarget {
  return {
    authUrl: s.OS_AUTH_URL, identityVersion: '3', username: s.OS_USERNAME, userDomainName: s.OS_USER_DOMAIN_NAME,
    projectName: project, projectDomainName: s.OS_PROJECT_DOMAIN_NAME, region: s.OS_REGION_NAME, interface: 'public',
  };
}

/** duplicity's SWIFT_* variables for the stack (the Keystone issue's mapping), without the password. */
export function swiftEnvOf(s: StackEnv, project = s.OS_PROJECT_NAME): Record<string, string> {
  const { SWIFT_PASSWORD: _password, ...env } = duplicitySwiftEnv(targetOf(s, project), '');
  return env;
}

/** Object names in a container, through the swift CLI (Debian's python, a clean PATH). */
export async function swiftList(s: StackEnv, container: string): Promise<string[]> {
  const r = await execa('/usr/bin/python3', ['/usr/bin/swift', 'list', container], { env: { ...s, PATH: '/usr/bin:/bin', OS_IDENTITY_API_VERSION: '3' }, extendEnv: false, reject: false });
  if (r.exitCode !== 0) throw new Error(`swift list ${container}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

export async function swiftDelete(s: StackEnv, container: string): Promise<void> {
  await execa('/usr/bin/python3', ['/usr/bin/swift', 'delete', container], { env: { ...s, PATH: '/usr/bin:/bin', OS_IDENTITY_API_VERSION: '3' }, extendEnv: false, reject: false });
}

/** A small source tree with text, random bytes, nesting, odd names and an empty file. */
export async function makeSource(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dsw-src-'));
  await mkdir(join(dir, 'docs', 'deep'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await writeFile(join(dir, 'docs', 'readme.txt'), 'hello backup\n'.repeat(500));
  await writeFile(join(dir, 'docs', 'deep', 'name with spaces & quote\'s.txt'), 'odd name\n');
  await writeFile(join(dir, 'random.bin'), randomBytes(300_000));
  await writeFile(join(dir, 'empty'), '');
  await writeFile(join(dir, 'tmp', 'scratch.txt'), 'excluded\n');
  return dir;
}

/** Every regular file under dir, relative path -> bytes. */
export async function treeBytes(dir: string, skip: string[] = []): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  async function walk(sub: string) {
    for (const e of await readdir(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (skip.includes(rel)) continue;
      if (e.isDirectory()) await walk(rel);
      else if (e.isFile()) out.set(rel, await readFile(join(dir, rel)));
    }
  }
  await walk('');
  return out;
}

/** A local HTTP server that records the paths pinged (healthchecks-style). */
export async function pingServer(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/ping/abc`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

/** A fake `mail` in its own folder: records its arguments and stdin into mail.log beside it. */
export async function fakeMail(): Promise<{ path: string; log: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'dsw-mail-'));
  const log = join(dir, 'mail.log');
  const path = join(dir, 'mail');
  await writeFile(path, `#!/bin/sh\n{ printf 'ARGS:'; printf ' [%s]' "$@"; printf '\\n'; cat; } >> '${log}'\n`, { mode: 0o755 });
  return { path, log, dir };
}
