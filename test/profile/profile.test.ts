import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/core/fs/atomic-write';
import { loadProfile, serializeProfile } from '../../src/core/profile/load';
import { configRoot, profileDir } from '../../src/core/profile/paths';
import type { Profile } from '../../src/core/profile/types';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const sample: Profile = {
  version: 1, name: 'nightly', source: '/srv/data', exclude: ['/srv/data/tmp'], gnupgHome: '/root/.gnupg',
  keys: { encrypt: 'A'.repeat(40), sign: 'B'.repeat(40) },
  openstack: { authUrl: 'http://127.0.0.1:5000/v3', identityVersion: '3', username: 'demo', projectName: 'backup-a', interface: 'public' },
  container: 'backups', schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 4 }, secrets: 'file', install: 'crontab',
  archiveDir: '/etc/dupliswift/nightly/cache',
};

describe('profile folder', () => {
  it('lives under /etc as root, XDG_CONFIG_HOME or ~/.config otherwise, or --config-dir', () => {
    expect(configRoot({ uid: 0 })).toBe('/etc/dupliswift');
    expect(configRoot({ uid: 1000, env: { XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' } })).toBe('/x/cfg/dupliswift');
    expect(configRoot({ uid: 1000, env: { HOME: '/home/u' } })).toBe('/home/u/.config/dupliswift');
    expect(profileDir('nightly', { configDir: '/tmp/c' })).toBe('/tmp/c/nightly');
    expect(() => profileDir('../evil', { uid: 0 })).toThrow(/not a usable profile name/);
  });

  it('loads what was saved, and names a missing or broken profile with a fix', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dsw-prof-'));
    dirs.push(root);
    await import('node:fs/promises').then((fs) => fs.mkdir(join(root, 'nightly')));
    await writeFileAtomic(join(root, 'nightly', 'profile.json'), serializeProfile(sample), 0o600);
    const loaded = await loadProfile('nightly', root);
    expect(loaded).toEqual({ ...sample, dir: join(root, 'nightly') });
    await expect(loadProfile('absent', root)).rejects.toMatchObject({ code: 'no-profile', fix: expect.stringContaining('setup') });
    await writeFile(join(root, 'nightly', 'profile.json'), '{"version":1');
    await expect(loadProfile('nightly', root)).rejects.toMatchObject({ code: 'profile-corrupt' });
  });

  it('writes atomically with the final mode, and leaves identical content untouched', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dsw-atomic-'));
    dirs.push(root);
    const path = join(root, 'f');
    expect(await writeFileAtomic(path, 'one', 0o600)).toBe('created');
    const first = await stat(path);
    expect(first.mode & 0o777).toBe(0o600);
    await new Promise((r) => setTimeout(r, 20));
    expect(await writeFileAtomic(path, 'one', 0o600)).toBe('unchanged');
    expect((await stat(path)).mtimeMs).toBe(first.mtimeMs);
    expect(await writeFileAtomic(path, 'two', 0o700)).toBe('updated');
    expect(await readFile(path, 'utf8')).toBe('two');
    expect((await stat(path)).mode & 0o777).toBe(0o700);
  });
});
