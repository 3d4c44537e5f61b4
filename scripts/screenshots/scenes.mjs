// Every screen the app has, and how to reach it in a real terminal. A scene: a command, then steps
// (wait for text on screen, maybe take a picture, type, press keys); the screen after the last step
// is the scene's own picture. Secrets typed here are test values for the local stack.
import { mkdirSync, writeFileSync } from 'node:fs';
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
    prepare: (c) => { c.data = sampleData(c.work); },
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
      { waitFor: 'Swift container for the backups', ...enter },
      { waitFor: /Create it\?|Name this backup profile/, ...enter },
      { waitFor: 'Name this backup profile', shot: 'setup-container', title: 'dupliswift — setup: container', ...enter },
      { waitFor: 'Which folder should be backed up', pauseMs: 500, type: '__DATA__' },
      { pauseMs: 500, ...enter },
      { waitFor: 'Leave anything out', ...enter },
      { waitFor: 'When should it run', ...enter },
      { waitFor: 'Start a new full backup', ...enter },
      { waitFor: 'How many full backups', ...enter },
      { waitFor: 'Volume size', ...enter },
      { waitFor: 'E-mail to alert', ...enter },
      { waitFor: 'Health-check URL', ...enter },
      { waitFor: 'Where should the job find', ...enter },
      { waitFor: 'How should it be scheduled', shot: 'setup-schedule', title: 'dupliswift — setup: schedule', keys: ['Up'] },
      { ...enter },
      { waitFor: 'Run the first backup now', ...enter },
      { waitFor: /Cancelled|✖|\$ $|Setup complete|profile is ready|✔ .*restore/i, timeoutMs: 120_000, pauseMs: 1500 },
    ],
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
