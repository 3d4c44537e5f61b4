/**
 * What a user installs: `npm pack`, then `npm install -g` of the tarball into a prefix of its own.
 * Every lazily loaded part must work from there (nothing of this checkout on its path): doctor,
 * the answers schema (ajv), clouds.yaml (yaml), the passphrase meter (zxcvbn) and key generation
 * (openpgp). Runtime dependencies are only what the bundle cannot carry: the keyring's native module.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(__dirname, '../..');
let work: string;
let bin: string;
let installed: string;

async function du(path: string): Promise<number> {
  const r = await execa('du', ['-sb', path]);
  return Number(r.stdout.split('\t')[0]);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dsw-pack-'));
  const pack = await execa('npm', ['pack', '--pack-destination', work, '--loglevel=error', '--json'], { cwd: repo });
  const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
  await execa('npm', ['install', '-g', '--prefix', join(work, 'prefix'), join(work, filename), '--no-audit', '--no-fund', '--loglevel=error'], { cwd: work });
  bin = join(work, 'prefix', 'bin', 'dupliswift');
  installed = join(work, 'prefix', 'lib', 'node_modules', 'dupliswift');
}, 300_000);
afterAll(async () => rm(work, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) =>
  execa(bin, args, { cwd: work, env: { PATH: '/usr/bin:/bin', HOME: work, LANG: 'C.UTF-8', ...env }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 90_000 });

describe('a global install from the packed tarball', () => {
  it('pulls in only the keyring module, and stays small', async () => {
    expect((await readdir(join(installed, 'node_modules'))).sort()).toEqual(['@github', 'node-addon-api']);
    const bytes = await du(join(work, 'prefix'));
    console.log(`installed size: ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
    expect(bytes).toBeLessThan(15 * 1024 * 1024);
  });

  it('runs doctor', async () => {
    const r = await run(['doctor', '--json']);
    expect(r.stderr).not.toMatch(/bug in dupliswift|Cannot find/);
    expect((JSON.parse(r.stdout) as { checks: Array<{ id: string }> }).checks.map((c) => c.id)).toContain('gpg');
  });

  it('validates an answers file (ajv), and reads clouds.yaml (yaml)', async () => {
    await writeFile(join(work, 'a.json'), JSON.stringify({ profile: 'x', contianer: 'typo' }));
    const bad = await run(['setup', '--answers', join(work, 'a.json'), '--yes']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/unknown key "contianer"/);
    await mkdir(join(work, '.config', 'openstack'), { recursive: true });
    await writeFile(join(work, '.config', 'openstack', 'clouds.yaml'), 'clouds:\n  lab:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n      username: u\n      password: p\n');
    const cloud = await run(['tenants', '--os-cloud', 'lab', '--json']);
    expect(cloud.stderr).not.toMatch(/bug in dupliswift|Cannot find|clouds\.yaml/i);
    expect(cloud.stderr).toMatch(/127\.0\.0\.1:9/);
  });

  it('generates keys (openpgp) after the strength check (zxcvbn)', async () => {
    const gnupgHome = join(work, 'gnupg');
    const weak = await run(['keys', 'generate', '--name', 'P', '--email', 'p@example.org', '--yes'], { GNUPGHOME: gnupgHome, DUPLISWIFT_ENCRYPT_PASSPHRASE: 'password1', DUPLISWIFT_SIGN_PASSPHRASE: 'password1' });
    expect(weak.stderr).toMatch(/is weak/);
    const r = await run(['keys', 'generate', '--name', 'P', '--email', 'p@example.org', '--json'], {
      GNUPGHOME: gnupgHome, DUPLISWIFT_ENCRYPT_PASSPHRASE: 'vivid-otter-quarry-lantern-87', DUPLISWIFT_SIGN_PASSPHRASE: 'amber-walrus-tundra-violin-42',
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await stat(gnupgHome)).isDirectory()).toBe(true);
    await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: gnupgHome }, reject: false });
  });
});
