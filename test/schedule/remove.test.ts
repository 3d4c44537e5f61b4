/**
 * `dupliswift remove` (issue 13): the schedule goes, only ours; the profile folder stays unless
 * --delete-profile is confirmed (never by --yes alone). Throwaway users and their crontabs, unit and
 * cron.d folders made here; the machine's own are never touched.
 */
import { execa } from 'execa';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeProfile } from '../../src/core/profile/load';
import type { Profile } from '../../src/core/profile/types';
import { cronDFile, cronDPath, cronLine } from '../../src/core/schedule/crontab';
import { uninstallSchedule } from '../../src/core/schedule/install';
import { generateUnits, unitName } from '../../src/core/schedule/systemd';
import { binPath } from '../helpers/cli';
import { crontabOf, setCrontab, throwawayUser } from '../helpers/crontab';
import { Terminal } from '../helpers/tmux';

let user: Awaited<ReturnType<typeof throwawayUser>>;
const profileName = `rm${process.pid}`;

function profileFor(name: string, dir: string): Profile {
  return {
    version: 1, name, source: '/srv', exclude: [], gnupgHome: join(dir, 'gnupg'), keys: { encrypt: 'A'.repeat(40), sign: 'B'.repeat(40) },
    openstack: { authUrl: 'http://127.0.0.1:5000/v3', identityVersion: '3', username: 'backup', projectName: 'backups', interface: 'public' },
    container: `${name}-container`, schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 2, drill: '41 4 1 * *' },
    secrets: 'file', install: 'crontab', archiveDir: join(dir, name, 'cache'), script: join(dir, name, 'backup.sh'),
  };
}

async function writeProfile(root: string, name: string, owner?: { uid: number }) {
  const dir = join(root, name);
  await mkdir(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'profile.json'), serializeProfile(profileFor(name, root)), { mode: 0o600 });
  await writeFile(join(dir, 'secrets', 'swift-password'), 'not-a-real-password\n', { mode: 0o600 });
  await writeFile(join(dir, 'backup.sh'), '#!/bin/bash\n', { mode: 0o700 });
  if (owner) for (const p of [root, dir, join(dir, 'secrets'), join(dir, 'secrets', 'swift-password'), join(dir, 'profile.json'), join(dir, 'backup.sh')]) await chown(p, owner.uid, owner.uid);
  return dir;
}

/**
 * A Node the throwaway user may run: the one running the tests, or (npx's Node 22/24 lives under
 * /root, 0700) a copy of it in a folder of its own that the test removes.
 */
let userNode = process.execPath;
async function nodeForUser(): Promise<void> {
  const probe = await execa('/usr/bin/setpriv', ['--reuid', String(user.uid), '--regid', String(user.uid), '--clear-groups', '--', '/usr/bin/env', process.execPath, '-e', ''], { reject: false });
  if (probe.exitCode === 0) return;
  const dir = await mkdtemp(join(tmpdir(), 'dsw-rm-node-'));
  await chmod(dir, 0o755);
  await execa('cp', [process.execPath, join(dir, 'node')]);
  userNode = join(dir, 'node');
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
}
const cleanups: Array<() => Promise<void>> = [];

/** The CLI as the throwaway user, with cron's bare environment. */
function asUser(args: string[]) {
  // setpriv, as the other as-a-user tests: it runs Node 22/24 from npx's cache under /root too.
  return execa('/usr/bin/setpriv', ['--reuid', String(user.uid), '--regid', String(user.uid), '--clear-groups', '--', '/usr/bin/env', '-i', `HOME=${user.home}`, 'PATH=/usr/bin:/bin', userNode, binPath, ...args], { reject: false, stdin: 'ignore' });
}

beforeAll(async () => {
  user = await throwawayUser('dswrm');
  await nodeForUser();
});
afterAll(async () => {
  await user?.remove();
  for (const c of cleanups) await c();
});

describe('dupliswift remove, as a user with a crontab and user units', () => {
  it('takes only our crontab lines and unit files away; the rest stays byte for byte, the folder stays', async () => {
    const root = join(user.home, '.config', 'dupliswift');
    const dir = await writeProfile(root, profileName, user);
    const script = join(dir, 'backup.sh');
    const theirs = '# m h dom mon dow command\nMAILTO=ops@example.org\n0 1 * * * /usr/local/bin/their-job --flag  # dupliswift:not-ours-at-all\n';
    const other = cronLine('5 2 * * *', '/x/other/backup.sh', `${profileName}x`);
    const before = `${theirs}${cronLine('17 3 * * *', script, profileName)}\n${other}\n${cronLine('41 4 1 * *', script, profileName, 'drill')}\n\n# last line, no newline`;
    await setCrontab(user.name, before);
    const units = join(user.home, '.config', 'systemd', 'user');
    await mkdir(units, { recursive: true });
    for (const job of ['backup', 'drill'] as const) {
      const u = generateUnits({ profile: profileName, script, schedule: '17 3 * * *', job });
      await writeFile(join(units, `${unitName(profileName, job)}.service`), u.service);
      await writeFile(join(units, `${unitName(profileName, job)}.timer`), u.timer);
    }
    await writeFile(join(units, 'their-own.timer'), '[Timer]\nOnCalendar=daily\n');
    await writeFile(join(units, `${unitName(`${profileName}x`)}.timer`), '[Timer]\nOnCalendar=daily\n');
    await execa('chown', ['-R', `${user.name}:${user.name}`, join(user.home, '.config')]);

    const r = await asUser(['remove', '--profile', profileName, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { removed: Array<{ method: string }>; profileDeleted: boolean; swift: { untouched: boolean; deleteByHand: string } };
    expect(out.removed.map((x) => x.method)).toEqual(['crontab', 'systemd', 'systemd']);
    expect(out.profileDeleted).toBe(false);
    expect(out.swift.deleteByHand).toMatch(new RegExp(`swift .* delete ${profileName}-container$`));

    // Their lines, the other profile's line and the unterminated last line, exactly as they were.
    expect(await crontabOf(user.name)).toBe(`${theirs}${other}\n\n# last line, no newline`);
    expect((await readdir(units)).sort()).toEqual([`${unitName(`${profileName}x`)}.timer`, 'their-own.timer']);
    expect(await readFile(join(dir, 'secrets', 'swift-password'), 'utf8')).toBe('not-a-real-password\n');
    expect(JSON.parse(await readFile(join(dir, 'profile.json'), 'utf8')).name).toBe(profileName);

    // Again: nothing left to take away, nothing changed.
    const again = await asUser(['remove', '--profile', profileName]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/had no schedule installed/);
    expect(again.stdout).toMatch(/untouched/);
    expect(await crontabOf(user.name)).toBe(`${theirs}${other}\n\n# last line, no newline`);
  });

  it('a crontab that held only our lines is gone afterwards, as before setup', async () => {
    const script = join(user.home, '.config', 'dupliswift', profileName, 'backup.sh');
    await setCrontab(user.name, `${cronLine('17 3 * * *', script, profileName)}\n`);
    const r = await asUser(['remove', '--profile', profileName]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await crontabOf(user.name)).toBeNull();
  });

  it('--delete-profile: --yes alone never confirms it; an explicit answer deletes the folder and nothing else', async () => {
    const dir = join(user.home, '.config', 'dupliswift', profileName);
    const script = join(dir, 'backup.sh');
    const theirs = '0 1 * * * /usr/local/bin/their-job\n';
    await setCrontab(user.name, `${theirs}${cronLine('17 3 * * *', script, profileName)}\n`);

    const refused = await asUser(['remove', '--profile', profileName, '--delete-profile', '--yes']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/deleteProfile|terminal/);
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect(await crontabOf(user.name)).toBe(`${theirs}${cronLine('17 3 * * *', script, profileName)}\n`);

    const answers = join(user.home, 'answers.json');
    await writeFile(answers, JSON.stringify({ deleteProfile: true }));
    await chown(answers, user.uid, user.uid);
    const done = await asUser(['remove', '--profile', profileName, '--delete-profile', '--answers', answers, '--yes']);
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/Profile folder .* deleted/);
    expect(done.stdout).toMatch(/untouched/);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
    expect(await crontabOf(user.name)).toBe(theirs);
  });

  it('an unknown profile is refused with its name, and nothing is touched', async () => {
    const r = await asUser(['remove', '--profile', 'no-such-profile']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/There is no profile "no-such-profile"/);
  });
});

describe('dupliswift remove --delete-profile at a terminal', () => {
  const inTerminal = (extra: string) => Terminal.start(
    `/usr/bin/setpriv --reuid ${user.uid} --regid ${user.uid} --clear-groups -- /usr/bin/env -i HOME=${user.home} PATH=/usr/bin:/bin TERM=xterm-256color ${userNode} ${binPath} remove --profile ${profileName}t --delete-profile ${extra}`,
  );

  it('asks in the full-screen UI; Enter takes the default, no, and nothing is removed', async () => {
    const dir = await writeProfile(join(user.home, '.config', 'dupliswift'), `${profileName}t`, user);
    const term = inTerminal('');
    try {
      await term.waitFor('Delete the profile folder', 30_000);
      term.keys('Enter');
      expect(await term.exitCode(30_000)).toBe(1);
      expect(term.screen()).toMatch(/Nothing removed/);
      expect((await stat(dir)).isDirectory()).toBe(true);
    } finally {
      term.close();
    }
  });

  it('asks in line mode (--plain); "y" deletes the folder', async () => {
    const dir = join(user.home, '.config', 'dupliswift', `${profileName}t`);
    const term = inTerminal('--plain');
    try {
      await term.waitFor('Delete the profile folder', 30_000);
      term.type('y');
      term.keys('Enter');
      expect(await term.exitCode(30_000)).toBe(0);
      expect(term.screen()).toMatch(/deleted/);
      await expect(stat(dir)).rejects.toThrow(/ENOENT/);
    } finally {
      term.close();
    }
  });
});

describe('uninstallSchedule as root, with its own cron.d and unit folders', () => {
  it('removes the profile\'s cron.d file and units only', async () => {
    const base = await mkdtemp(join(tmpdir(), 'dsw-rm-root-'));
    try {
      const cronD = join(base, 'cron.d');
      const units = join(base, 'units');
      await mkdir(cronD);
      await mkdir(units);
      await writeFile(cronDPath(profileName, cronD), cronDFile({ profile: profileName, schedule: '17 3 * * *', script: '/x/backup.sh' }));
      await writeFile(cronDPath(`${profileName}x`, cronD), cronDFile({ profile: `${profileName}x`, schedule: '17 3 * * *', script: '/y/backup.sh' }));
      await writeFile(join(cronD, 'e2scrub_all'), '# theirs\n');
      // Real units of the profile (their Description names it: only such files are ever removed).
      const ours = generateUnits({ profile: profileName, script: '/x/backup.sh', schedule: '17 3 * * *' });
      for (const ext of ['service', 'timer'] as const) await writeFile(join(units, `${unitName(profileName)}.${ext}`), ours[ext]);
      await writeFile(join(units, 'ssh.service'), '[Unit]\n');
      await chmod(cronD, 0o755);
      // The throwaway user's crontab stands in for root's: root's own is never read or written here.
      const r = await uninstallSchedule({ profile: profileName, uid: 0, env: {}, user: user.name, cronDDir: cronD, unitDir: units });
      expect(r.removed.map((x) => x.method)).toEqual(['cron.d', 'systemd']);
      expect((await readdir(cronD)).sort()).toEqual([`dupliswift-${profileName}x`, 'e2scrub_all']);
      expect(await readdir(units)).toEqual(['ssh.service']);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
