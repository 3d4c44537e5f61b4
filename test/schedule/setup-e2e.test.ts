/**
 * `dupliswift setup --answers FILE --yes --json --config-dir DIR`, run by a throwaway user who already
 * has a crontab: the same answers twice change nothing (files byte-identical and untouched, crontab
 * identical but for our one line). Needs every setup step (Keys, Keystone, Container, Schedule).
 */
import { profileSnapshot } from '../helpers/profile-snapshot';
import { execa } from 'execa';
import { chmod, chown, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath } from '../helpers/cli';
import { crontabOf, setCrontab, throwawayUser } from '../helpers/crontab';
import { makeSource, makeTestKeys, stackUp, swiftDelete, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { execRecorder, secretsInArgv } from '../helpers/exec-trace';

let stack: StackEnv;
let keys: TestKeys;
let user: Awaited<ReturnType<typeof throwawayUser>>;
let source: string;
let answersFile: string;
const container = `dsw-e2e-${process.pid}-${Date.now()}`;
const existingCrontab = '# my jobs\nMAILTO=""\n0 * * * * /usr/bin/true   # hourly\n';

async function setupAsUser(overrides: Record<string, unknown> = {}, opts: { wrap?: (file: string, args: string[]) => [string, string[]]; again?: { profile: string; answers: Record<string, unknown> } } = {}) {
  const { wrap, again } = opts;
  let file = answersFile;
  if (again) {
    // Setup again on the profile: an answers file that says almost nothing; the rest comes from the profile.
    file = join(user.home, 'again.json');
    await writeFile(file, JSON.stringify(again.answers));
    await chown(file, user.uid, user.uid);
  } else if (Object.keys(overrides).length) {
    const answers = JSON.parse(await readFile(answersFile, 'utf8')) as Record<string, unknown>;
    await writeFile(answersFile, JSON.stringify({ ...answers, ...overrides }, null, 2));
  }
  const env = {
    PATH: '/usr/bin:/bin', HOME: user.home, USER: user.name, LOGNAME: user.name, LANG: 'C.UTF-8',
    OS_PASSWORD: stack.OS_PASSWORD, DUPLISWIFT_ENCRYPT_PASSPHRASE: keys.encryptPassphrase, DUPLISWIFT_SIGN_PASSPHRASE: keys.signPassphrase,
  };
  const command: [string, string[]] = ['/usr/bin/setpriv', ['--reuid', String(user.uid), '--regid', String(user.uid), '--clear-groups', '--',
    process.execPath, binPath, 'setup', '--answers', file, '--yes', '--json', '--config-dir', join(user.home, 'cfg'), ...(again ? ['--profile', again.profile] : [])]];
  const r = await execa(...(wrap ? wrap(...command) : command), {
    env, extendEnv: false, stdin: 'ignore', reject: false, cwd: user.home, timeout: 120_000,
  });
  return r;
}


beforeAll(async () => {
  [stack, keys, user, source] = await Promise.all([stackUp(), makeTestKeys(), throwawayUser('dswe2e'), makeSource()]);
  // The user's own GnuPG home and data, owned by them (gpg refuses homes owned by others).
  const gnupgHome = join(user.home, '.gnupg');
  await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: keys.home }, reject: false });
  await cp(keys.home, gnupgHome, { recursive: true, filter: (p) => !/S\.gpg-agent/.test(p) });
  await cp(source, join(user.home, 'data'), { recursive: true });
  await execa('chown', ['-R', `${user.name}:`, user.home]);
  await chmod(gnupgHome, 0o700);
  answersFile = join(user.home, 'answers.json');
  await writeFile(answersFile, JSON.stringify({
    profile: 'nightly', source: join(user.home, 'data'), exclude: [join(user.home, 'data', 'tmp')], gnupgHome,
    keys: { encrypt: keys.encrypt, sign: keys.sign },
    openstack: { authUrl: stack.OS_AUTH_URL, username: stack.OS_USERNAME, userDomain: stack.OS_USER_DOMAIN_NAME, project: stack.OS_PROJECT_NAME, projectDomain: stack.OS_PROJECT_DOMAIN_NAME, region: stack.OS_REGION_NAME, interface: 'public' },
    container, createContainer: true,
    schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 4 },
    secrets: 'file', install: 'crontab', firstRun: false,
  }, null, 2));
  await chown(answersFile, user.uid, user.uid);
  await mkdir(join(user.home, 'cfg'), { mode: 0o700 }).then(() => chown(join(user.home, 'cfg'), user.uid, user.uid));
  await setCrontab(user.name, existingCrontab);
});

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await execa('pkill', ['-u', user?.name ?? 'nobody-here', 'gpg-agent'], { reject: false });
  await Promise.all([keys?.cleanup(), user?.remove(), rm(source, { recursive: true, force: true })]);
});

describe('setup --answers FILE --yes --json --config-dir DIR', () => {
  it('sets up the job, and the same answers twice change nothing', async () => {
    // No seccomp filter here: strace's would make the kernel ignore crontab's setgid for the user.
    const trace = await execRecorder({ ancestry: true });
    const first = await setupAsUser({}, { wrap: trace.wrap });
    expect(first.exitCode, `${first.stderr}\n${first.stdout}`).toBe(0);
    const json = JSON.parse(String(first.stdout)) as Record<string, unknown>;
    const dir = join(user.home, 'cfg', 'nightly');
    expect(json).toMatchObject({ profileDir: dir, script: join(dir, 'backup.sh'), container });
    // The closing summary, for people (stderr) and scripts (--json): the keys, when it runs, how to restore and check.
    expect(json.summary).toEqual({
      keys: { encrypt: keys.encrypt, sign: keys.sign, exportDir: null, mustLeaveServer: false },
      schedule: { method: 'crontab', cron: '17 3 * * *', inWords: 'every day at 03:17', drill: '41 4 1 * *' },
      restoreCommand: 'dupliswift restore --profile nightly', restoreNote: join(dir, 'RESTORE.txt'),
      checkCommand: `${join(dir, 'backup.sh')} status`, logFile: join(dir, 'backup.log'),
    });
    expect(String(first.stderr)).toMatch(/✔ Setup of nightly is done\.\n.*Keys: encryption/);
    expect(String(first.stderr)).toContain('Backups run every day at 03:17 (crontab)');
    for (const secret of [stack.OS_PASSWORD, keys.encryptPassphrase, keys.signPassphrase]) {
      expect(String(first.stdout)).not.toContain(secret);
      expect(String(first.stderr)).not.toContain(secret);
    }
    const crontab = await crontabOf(user.name);
    // No "schedule.drill" in the answers, and --yes: the monthly restore drill is a second line of ours.
    expect(crontab).toBe(`${existingCrontab}17 3 * * * ${join(dir, 'backup.sh')} # dupliswift:nightly\n41 4 1 * * ${join(dir, 'backup.sh')} drill # dupliswift:nightly:drill\n`);
    const files = await profileSnapshot(dir);

    const second = await setupAsUser({}, { wrap: trace.wrap });
    expect(second.exitCode, second.stderr).toBe(0);
    const execs = await trace.execs().finally(() => trace.cleanup());
    expect(secretsInArgv(execs, [stack.OS_PASSWORD, keys.encryptPassphrase, keys.signPassphrase])).toEqual([]);
    expect(execs.some((e) => e.ok && e.file.endsWith('/gpg'))).toBe(true);
    expect(JSON.parse(String(second.stdout))).toMatchObject({ profileDir: dir, script: join(dir, 'backup.sh'), changed: false });
    expect(await profileSnapshot(dir)).toEqual(files);
    expect(await crontabOf(user.name)).toBe(crontab);
  });

  it('switching the schedule off takes our lines out again: the crontab is byte-identical to before', async () => {
    const off = await setupAsUser({ install: 'none' });
    expect(off.exitCode, off.stderr).toBe(0);
    expect(JSON.parse(String(off.stdout))).toMatchObject({ install: { method: 'none', changed: true } });
    expect(await crontabOf(user.name)).toBe(existingCrontab);
  });

  it('setup --profile NAME starts from the profile: nothing given means nothing changed; one change shows and is all that changes', async () => {
    const dir = join(user.home, 'cfg', 'nightly');
    const before = await profileSnapshot(dir);
    const settings = JSON.parse(await readFile(join(dir, 'profile.json'), 'utf8')) as Record<string, unknown> & { schedule: Record<string, unknown> };
    const same = await setupAsUser({}, { again: { profile: 'nightly', answers: { firstRun: false } } });
    expect(same.exitCode, same.stderr).toBe(0);
    expect(JSON.parse(String(same.stdout))).toMatchObject({ profileDir: dir, changed: false });
    expect(String(same.stderr)).toMatch(/No settings of profile nightly changed/);
    expect(await profileSnapshot(dir)).toEqual(before);

    const changed = await setupAsUser({}, { again: { profile: 'nightly', answers: { firstRun: false, schedule: { cron: '5 4 * * *' } } } });
    expect(changed.exitCode, changed.stderr).toBe(0);
    expect(JSON.parse(String(changed.stdout))).toMatchObject({ changed: true });
    expect(String(changed.stderr)).toMatch(/Changes to profile nightly:\n\s+schedule\.cron: 17 3 \* \* \* → 5 4 \* \* \*\n/);
    const after = JSON.parse(await readFile(join(dir, 'profile.json'), 'utf8')) as typeof settings;
    expect(after).toEqual({ ...settings, schedule: { ...settings.schedule, cron: '5 4 * * *' } });
  });

  it('setup --profile with a profile that does not exist is refused before anything is asked', async () => {
    const r = await setupAsUser({}, { again: { profile: 'no-such', answers: {} } });
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/There is no profile "no-such"/);
  });
});
