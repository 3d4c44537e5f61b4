// Every screen the app has, and how to reach it in a real terminal. A scene: a command, then steps
// (wait for text on screen, maybe take a picture, type, press keys); the screen after the last step
// is the scene's own picture. Secrets typed here are test values for the local stack.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const enter = { keys: ['Enter'] };
const osEnv = () => Object.fromEntries(['OS_AUTH_URL', 'OS_USERNAME', 'OS_USER_DOMAIN_NAME', 'OS_PROJECT_DOMAIN_NAME', 'OS_REGION_NAME', 'OS_IDENTITY_API_VERSION', 'OS_INTERFACE']
  .filter((k) => process.env[k]).map((k) => [k, process.env[k]]));

function sampleData(work) {
  const data = join(work, 'data');
  mkdirSync(join(data, 'etc'), { recursive: true });
  writeFileSync(join(data, 'etc', 'app.conf'), 'listen = 8080\nworkers = 4\n');
  writeFileSync(join(data, 'notes.txt'), 'what matters is the restore\n');
  return data;
}

/**
 * A throwaway PostgreSQL 15 for the "databases found" screen: its own OS user, data folder and port,
 * its socket in /tmp (one of the places setup looks); never the machine's own server. Stopped and
 * removed by stopPostgres.
 */
function startPostgres(c) {
  const bin = '/usr/lib/postgresql/15/bin';
  c.pgUser = `dswshot${process.pid}`.slice(0, 30);
  c.pgData = join(c.work, 'pgdata');
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', c.pgUser]);
  mkdirSync(c.pgData, { mode: 0o700 });
  execFileSync('chown', [c.pgUser, c.pgData]);
  execFileSync('chmod', ['755', c.work]);
  const as = (cmd, args) => execFileSync('runuser', ['-u', c.pgUser, '--', `${bin}/${cmd}`, ...args], { cwd: '/', stdio: 'ignore' });
  as('initdb', ['-D', c.pgData, '-U', c.pgUser, '--auth-local=peer', '--auth-host=reject']);
  as('pg_ctl', ['-D', c.pgData, '-w', '-l', join(c.pgData, 'log'), '-o', `-k /tmp -p ${c.pgPort = 25000 + (process.pid % 5000)} -c listen_addresses=''`, 'start']);
}

function stopPostgres(c) {
  if (!c.pgUser) return;
  try { execFileSync('runuser', ['-u', c.pgUser, '--', '/usr/lib/postgresql/15/bin/pg_ctl', '-D', c.pgData, '-m', 'fast', '-w', 'stop'], { cwd: '/', stdio: 'ignore' }); } catch { /* not running */ }
  execFileSync('userdel', [c.pgUser]);
}

export const scenes = [
  {
    name: 'setup-preflight',
    title: 'dupliswift — setup: preflight',
    command: (c) => c.bin,
    steps: [{ waitFor: 'Preflight checked', pauseMs: 600 }],
  },
  {
    name: 'setup-done',
    title: 'dupliswift — setup',
    env: () => osEnv(),
    prepare: (c) => { c.data = sampleData(c.work); startPostgres(c); },
    cleanup: (c) => stopPostgres(c),
    command: (c) => `${c.bin} --config-dir ${c.work}/profiles`,
    steps: [
      { waitFor: 'GnuPG home', ...enter },
      { waitFor: 'Name for the keys', type: 'web1', ...enter },
      { waitFor: 'E-mail for the keys', type: 'root@web1.example', ...enter },
      { waitFor: 'Which kind of keys', shot: 'setup-keys', title: 'dupliswift — setup: keys', ...enter },
      { waitFor: 'Choose a passphrase for the encryption key', type: 'correct horse battery staple', shotAfter: 'setup-keys-passphrase', title: 'dupliswift — setup: a new passphrase' },
      { ...enter },
      { waitFor: 'Type it again', type: 'correct horse battery staple', ...enter },
      { waitFor: 'Choose a passphrase for the signing key', type: 'a second, different passphrase', ...enter },
      { waitFor: 'Type it again', type: 'a second, different passphrase', ...enter },
      { waitFor: 'Folder to export both keys into', timeoutMs: 90_000, shot: 'setup-export', title: 'dupliswift — setup: export', ...enter },
      { waitFor: 'paper copy', ...enter },
      { waitFor: 'Keystone auth URL', ...enter },
      { waitFor: 'User name', ...enter },
      { waitFor: /domain\?/, ...enter },
      { waitFor: 'OpenStack password', type: 'demo-secret', ...enter },
      { waitFor: 'Which project holds the backups', shot: 'setup-keystone', title: 'dupliswift — setup: Keystone', ...enter },
      { waitFor: 'Which endpoint should backups use', ...enter },
      // A container of its own each time: one that holds other backups is (rightly) questioned.
      { waitFor: 'Swift container for the backups', keys: ['C-u'] },
      { type: `backups-web1-${Date.now().toString(36)}`, pauseMs: 300, ...enter },
      { waitFor: /Create it\?|Name this backup profile/, ...enter },
      { waitFor: 'Name this backup profile', shot: 'setup-container', title: 'dupliswift — setup: container', ...enter },
      { waitFor: 'Which folders should be backed up', pauseMs: 500, shot: 'setup-folders', title: 'dupliswift — setup: folders', keys: ['C-u'] },
      { type: '__DATA__', pauseMs: 300, ...enter },
      { waitFor: 'Dump which databases', pauseMs: 500, shot: 'setup-databases', title: 'dupliswift — setup: databases', keys: ['C-u'] },
      { type: 'none', pauseMs: 300, ...enter },
      { waitFor: 'Leave anything out', ...enter },
      { waitFor: 'When should it run', ...enter },
      { waitFor: 'Start a new full backup', ...enter },
      { waitFor: 'How many full backups', ...enter },
      { waitFor: 'Volume size', ...enter },
      { waitFor: 'E-mail to alert', ...enter },
      { waitFor: 'Health-check URL', ...enter },
      { waitFor: 'restore drill', ...enter },
      { waitFor: 'command to run before each backup', ...enter },
      { waitFor: 'command to run after each backup', ...enter },
      { waitFor: 'Where should the job find', ...enter },
      { waitFor: 'How should it be scheduled', shot: 'setup-schedule', title: 'dupliswift — setup: schedule', keys: ['Up'] },
      { ...enter },
      { waitFor: 'Run the first backup now', ...enter },
      { waitFor: /Cancelled|✖|\$ $|Setup complete|profile is ready|✔ .*restore/i, timeoutMs: 120_000, pauseMs: 1500 },
    ],
  },
  {
    // A profile made unattended first (answers file, first run on), then the guided restore on it.
    name: 'restore-done',
    title: 'dupliswift restore',
    env: () => osEnv(),
    prepare: (c, env) => {
      c.data = sampleData(c.work);
      for (let i = 0; i < 30; i++) writeFileSync(join(c.data, 'etc', `site-${String(i).padStart(2, '0')}.conf`), `server_name site${i}.example;\n`);
      const answers = join(c.work, 'answers.json');
      writeFileSync(answers, JSON.stringify({
        profile: 'nightly', source: c.data, keys: { generate: { name: 'web1', email: 'root@web1.example' } },
        export: { dir: join(c.work, 'keys') }, openstack: { project: 'backup-a', interface: 'public' }, container: `screenshot-restore-${Date.now()}`,
        createContainer: true, secrets: 'file', install: 'none', firstRun: true,
      }));
      execFileSync(process.execPath, [join(c.root, 'bin/dupliswift.js'), 'setup', '--answers', answers, '--yes', '--config-dir', join(c.work, 'profiles')], {
        env: { ...env, OS_PASSWORD: process.env.OS_PASSWORD ?? 'demo-secret', DUPLISWIFT_ENCRYPT_PASSPHRASE: 'correct horse battery staple', DUPLISWIFT_SIGN_PASSPHRASE: 'a second, different passphrase' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    },
    command: (c) => `${c.bin} restore --config-dir ${c.work}/profiles`,
    steps: [
      { waitFor: 'Where does the backup come from', shot: 'restore-start', title: 'dupliswift restore', ...enter },
      { waitFor: 'Restore the files as they were at', timeoutMs: 60_000, shot: 'restore-time', title: 'dupliswift restore: point in time', ...enter },
      { waitFor: 'Restore what?', timeoutMs: 60_000, shot: 'restore-browse', title: 'dupliswift restore: browse', keys: ['Down'] },
      { keys: ['Enter'] },
      { waitFor: 'Show paths containing', type: 'site-1', pauseMs: 400 },
      { keys: ['Enter'] },
      { waitFor: /Restore what\?.*\(\d+ of/, shot: 'restore-filtered', title: 'dupliswift restore: browse, filtered', keys: ['Down', 'Down'] },
      { keys: ['Enter'] },
      { waitFor: 'Restore into which folder', pauseMs: 400, ...enter },
      { waitFor: /Restored|✖/, timeoutMs: 60_000, pauseMs: 800 },
    ],
  },
  {
    // A profile made unattended with its first backup, then a restore drill: `status` reads what the job recorded.
    name: 'status',
    title: 'dupliswift status',
    env: () => osEnv(),
    prepare: (c, env) => {
      c.data = sampleData(c.work);
      const answers = join(c.work, 'answers.json');
      const profiles = join(c.work, 'profiles');
      writeFileSync(answers, JSON.stringify({
        profile: 'nightly', source: c.data, keys: { generate: { name: 'web1', email: 'root@web1.example' } },
        export: { dir: join(c.work, 'keys') }, openstack: { project: 'backup-a', interface: 'public' }, container: `backups-web1-${Date.now().toString(36)}`,
        createContainer: true, secrets: 'file', install: 'none', firstRun: true, schedule: { drill: '41 4 1 * *' },
      }));
      execFileSync(process.execPath, [join(c.root, 'bin/dupliswift.js'), 'setup', '--answers', answers, '--yes', '--config-dir', profiles], {
        env: { ...env, OS_PASSWORD: process.env.OS_PASSWORD ?? 'demo-secret', DUPLISWIFT_ENCRYPT_PASSPHRASE: 'correct horse battery staple', DUPLISWIFT_SIGN_PASSPHRASE: 'a second, different passphrase' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      execFileSync('/bin/bash', [join(profiles, 'nightly', 'backup.sh'), 'drill'], { env: { PATH: '/usr/bin:/bin', HOME: env.HOME }, stdio: ['ignore', 'ignore', 'inherit'] });
      // Shown as the nightly crontab schedule it would run on; nothing is installed into this machine's crontab.
      const settings = join(profiles, 'nightly', 'profile.json');
      const profile = JSON.parse(readFileSync(settings, 'utf8'));
      writeFileSync(settings, JSON.stringify({ ...profile, install: 'crontab' }, null, 2));
    },
    command: (c) => `${c.bin} status --config-dir ${c.work}/profiles`,
    steps: [{ waitFor: /nightly: (OK|WARNING|CRITICAL|UNKNOWN)/, pauseMs: 500 }],
  },
  {
    name: 'doctor',
    title: 'dupliswift doctor',
    command: (c) => `${c.bin} doctor`,
    steps: [{ waitFor: /Ready|Not ready/ }],
  },
  {
    name: 'setup-plain',
    title: 'dupliswift --plain (line mode)',
    command: (c) => `${c.bin} --plain`,
    steps: [{ waitFor: 'GnuPG home', pauseMs: 800 }],
  },
];
