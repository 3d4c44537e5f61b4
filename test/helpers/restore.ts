import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { killAgentOf } from './gpg';
import type { Stack } from './stack';

/**
 * "Machine A" for restore tests: a GnuPG home with an encryption key and a signing key (each with its
 * own passphrase), their armored secret exports as .asc files, and plain duplicity runs against the
 * real Swift stack, as the tutorial does them by hand. Nothing of dupliswift is used to make backups.
 */
export interface MachineA {
  root: string;
  gnupgHome: string;
  encrypt: { fpr: string; passphrase: string; asc: string };
  sign: { fpr: string; passphrase: string; asc: string };
  cleanup: () => Promise<void>;
}

const TOOL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function gpg(home: string, args: string[], input?: string) {
  const result = await execa('gpg', ['--batch', '--homedir', home, ...args], { input, reject: false, env: { PATH: TOOL_PATH, LANG: 'C.UTF-8' }, extendEnv: false });
  if (result.exitCode !== 0) throw new Error(`gpg ${args.join(' ')} failed: ${result.stderr}`);
  return result;
}

/**
 * Unattended key generation from a parameter file (gpg's documented batch path). Fed on stdin it
 * once read nothing under load ("we are in batchmode - can't get input"); the file is 0600 in the
 * test's own folder, holds a test passphrase, and is gone right after.
 */
async function genKey(home: string, params: string): Promise<void> {
  const file = join(dirname(home), `keyparams-${randomBytes(4).toString('hex')}`);
  await writeFile(file, params, { mode: 0o600 });
  try {
    await gpg(home, ['--pinentry-mode', 'loopback', '--gen-key', file]);
  } finally {
    await rm(file, { force: true });
  }
}

export async function machineA(): Promise<MachineA> {
  const root = await mkdtemp(join(tmpdir(), 'ds-restore-A-'));
  const gnupgHome = join(root, 'gnupg');
  await mkdir(gnupgHome, { mode: 0o700 });
  const encPass = `enc ${randomBytes(6).toString('hex')}`;
  const signPass = `sign ${randomBytes(6).toString('hex')}`;
  // The passphrases reach gpg on stdin (a parameter file), never argv.
  await genKey(gnupgHome, `Key-Type: EDDSA\nKey-Curve: ed25519\nKey-Usage: sign\nSubkey-Type: ECDH\nSubkey-Curve: cv25519\nSubkey-Usage: encrypt\nName-Real: Restore test encrypt\nPassphrase: ${encPass}\n%commit\n`);
  await genKey(gnupgHome, `Key-Type: EDDSA\nKey-Curve: ed25519\nKey-Usage: sign\nName-Real: Restore test sign\nPassphrase: ${signPass}\n%commit\n`);
  const list = await gpg(gnupgHome, ['--with-colons', '--list-secret-keys']);
  // Primary fingerprints only (the line after each sec: line).
  const lines = list.stdout.split('\n');
  const primaries = lines.flatMap((l, i) => (l.startsWith('sec:') ? [lines[i + 1]!.split(':')[9]!] : []));
  const uids = lines.filter((l) => l.startsWith('uid:')).map((l) => l.split(':')[9]!);
  const encFpr = primaries[uids.findIndex((u) => u.includes('encrypt'))]!;
  const signFpr = primaries[uids.findIndex((u) => u.includes('sign'))]!;
  const exportKey = async (fpr: string, pass: string, file: string) => {
    const out = await gpg(gnupgHome, ['--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--armor', '--export-secret-keys', fpr], pass);
    await writeFile(join(root, file), out.stdout, { mode: 0o600 });
    return join(root, file);
  };
  const encrypt = { fpr: encFpr, passphrase: encPass, asc: await exportKey(encFpr, encPass, 'encrypt.asc') };
  const sign = { fpr: signFpr, passphrase: signPass, asc: await exportKey(signFpr, signPass, 'sign.asc') };
  return {
    root, gnupgHome, encrypt, sign,
    cleanup: async () => {
      await killAgentOf(gnupgHome);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** duplicity 0.8's Swift variables for the stack's demo user and one project. */
export function swiftEnvFor(s: Stack, project = 'backup-a'): Record<string, string> {
  return {
    SWIFT_AUTHURL: s.keystone, SWIFT_AUTHVERSION: '3', SWIFT_USERNAME: s.demo.username, SWIFT_PASSWORD: s.demo.password,
    SWIFT_TENANTNAME: project, SWIFT_REGIONNAME: s.region, SWIFT_USER_DOMAIN_NAME: 'Default', SWIFT_PROJECT_DOMAIN_NAME: 'Default',
  };
}

/** Plain duplicity, cron-like environment, by hand: the way the tutorial makes backups. */
export async function plainDuplicity(args: string[], env: Record<string, string>): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await execa('duplicity', args, { env: { PATH: TOOL_PATH, HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', ...env }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000 });
  if (result.exitCode !== 0) throw new Error(`duplicity ${args[0]} failed (${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function uniqueContainer(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Deletes test containers through Swift's API (token from Keystone), objects first. */
export async function deleteContainers(s: Stack, names: string[], project = 'backup-a'): Promise<void> {
  const res = await fetch(`${s.keystone.replace(/\/+$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: s.demo.username, domain: { name: 'Default' }, password: s.demo.password } } }, scope: { project: { name: project, domain: { name: 'Default' } } } } }),
  });
  const token = res.headers.get('x-subject-token') ?? '';
  const body = (await res.json()) as { token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> } };
  const url = body.token.catalog.find((c) => c.type === 'object-store')!.endpoints.find((e) => e.interface === 'public')!.url;
  for (const name of names) {
    const list = await fetch(`${url}/${encodeURIComponent(name)}?format=json`, { headers: { 'x-auth-token': token } });
    if (list.status === 404) continue;
    const objects = list.status === 204 ? [] : ((await list.json()) as Array<{ name: string }>);
    for (const o of objects) await fetch(`${url}/${encodeURIComponent(name)}/${o.name.split('/').map(encodeURIComponent).join('/')}`, { method: 'DELETE', headers: { 'x-auth-token': token } });
    await fetch(`${url}/${encodeURIComponent(name)}`, { method: 'DELETE', headers: { 'x-auth-token': token } });
  }
}

/**
 * A small tree with what restores get wrong: modes (0600, 0755, 0640), old mtimes, a space and
 * non-ASCII in names, a symlink, an empty file, binary bytes, nested folders.
 */
export async function makeSourceTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc/app'), { recursive: true });
  await mkdir(join(dir, 'home/ünïcode dir'), { recursive: true });
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'notes.txt'), 'version one\n');
  await writeFile(join(dir, 'etc/app/secret.conf'), 'token = 42\n');
  await chmod(join(dir, 'etc/app/secret.conf'), 0o600);
  await writeFile(join(dir, 'bin/tool.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(dir, 'bin/tool.sh'), 0o755);
  await writeFile(join(dir, 'home/ünïcode dir/photo one.bin'), randomBytes(300_000));
  await chmod(join(dir, 'home/ünïcode dir/photo one.bin'), 0o640);
  await writeFile(join(dir, 'home/empty'), '');
  await symlink('../etc/app/secret.conf', join(dir, 'home/link-to-conf'));
  const old = new Date('2021-03-04T05:06:07Z');
  for (const p of ['notes.txt', 'etc/app/secret.conf', 'bin/tool.sh', 'home/ünïcode dir/photo one.bin', 'home/empty', 'etc/app', 'home/ünïcode dir']) await utimes(join(dir, p), old, old);
}

/** A throwaway folder under os.tmpdir() with makeSourceTree's tree in `source/`, the live files a test backs up. */
export async function workWithSource(prefix: string): Promise<{ work: string; source: string }> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const source = join(work, 'source');
  await mkdir(source);
  await makeSourceTree(source);
  return { work, source };
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  /** Whole seconds: duplicity keeps second precision. */
  mtime: number;
  sha256?: string;
  link?: string;
}

/** Every entry below `dir` (not `dir` itself): type, mode, mtime, content hash or link target. */
export async function snapshotTree(dir: string): Promise<Record<string, TreeEntry>> {
  const out: Record<string, TreeEntry> = {};
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(dir, p));
      const base = { mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000) };
      if (st.isSymbolicLink()) out[p] = { type: 'symlink', mode: 0, mtime: 0, link: await readlink(join(dir, p)) };
      else if (st.isDirectory()) {
        out[p] = { type: 'dir', ...base };
        await walk(p);
      } else out[p] = { type: 'file', ...base, sha256: createHash('sha256').update(await readFile(join(dir, p))).digest('hex') };
    }
  };
  await walk('');
  return out;
}

/** The restore CLI's environment on "machine B": nothing but what a person would export there. */
export function machineBEnv(s: Stack, gnupgHome: string, secrets: { encrypt?: string; sign?: string }): Record<string, string> {
  const env: Record<string, string> = { ...s.demo.env, GNUPGHOME: gnupgHome };
  if (secrets.encrypt !== undefined) env.DUPLISWIFT_ENCRYPT_PASSPHRASE = secrets.encrypt;
  if (secrets.sign !== undefined) env.DUPLISWIFT_SIGN_PASSPHRASE = secrets.sign;
  return env;
}
