/**
 * Secrets in the keyring: the script reads them with secret-tool from keytar's entries (service
 * "dupliswift:<profile>", account = secret name) inside a session with an unlocked gnome-keyring; under
 * cron (no D-Bus session) it stops with a clear message and the failure alert instead of hanging.
 */
import { execa } from 'execa';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDuplicity } from '../../src/core/duplicity/detect';
import { generateScript } from '../../src/core/schedule/script';
import { repoRoot } from '../helpers/cli';
import { makeSource, makeTestKeys, pingServer, stackUp, swiftDelete, swiftEnvOf, swiftList, type StackEnv, type TestKeys } from '../helpers/backup-job';

let stack: StackEnv;
let keys: TestKeys;
let source: string;
let dir: string;
let script: string;
let ping: Awaited<ReturnType<typeof pingServer>>;
const container = `dsw-keyring-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool']) {
    const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
    if (found.exitCode !== 0) throw new Error(`${tool} is missing: apt-get install dbus gnome-keyring libsecret-tools`);
  }
  [stack, keys, source, ping] = await Promise.all([stackUp(), makeTestKeys(), makeSource(), pingServer()]);
  dir = await mkdtemp(join(tmpdir(), 'dsw-keyring-job-'));
  await mkdir(join(dir, 'cache'), { mode: 0o700 });
  const duplicity = await detectDuplicity();
  script = join(dir, 'backup.sh');
  await writeFile(script, generateScript({
    profile: 'nightly', profileDir: dir, source, target: `swift://${container}`, gnupgHome: keys.home, home: dir,
    swiftEnv: swiftEnvOf(stack),
    tools: { duplicity: duplicity.path, duplicityVersion: duplicity.version.text, family: duplicity.family, gpg: '/usr/bin/gpg', flock: '/usr/bin/flock', curl: '/usr/bin/curl' },
    keys: { encrypt: keys.encrypt, sign: keys.sign }, fullEvery: '7D', keepFull: 2, archiveDir: join(dir, 'cache'),
    logFile: join(dir, 'backup.log'), lockFile: join(dir, 'backup.lock'),
    secrets: { kind: 'keyring', secretTool: '/usr/bin/secret-tool' },
    alert: { pingUrl: ping.url },
  }), { mode: 0o700 });
});

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await Promise.all([keys?.cleanup(), ping?.close(), rm(source, { recursive: true, force: true }), rm(dir, { recursive: true, force: true })]);
});

describe('backup job with secrets in the keyring', () => {
  it('backs up inside a session whose keyring is unlocked, reading what keytar stored', async () => {
    // keytar (as the Keys issue's KeyringSecretStore uses it) stores; the secrets travel in the environment, never argv.
    const store = `const k = require(${JSON.stringify(join(repoRoot, 'node_modules/@github/keytar'))});
      (async () => { for (const [n, v] of [['encrypt-passphrase', process.env.S1], ['sign-passphrase', process.env.S2], ['swift-password', process.env.S3]]) await k.setPassword('dupliswift:nightly', n, v); })().catch((e) => { console.error(e); process.exit(1); });`;
    const inner = `printf %s "$KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "${process.execPath}" -e "$STORE" && unset S1 S2 S3 STORE KEYRING_PW && exec /bin/bash "${script}"`;
    const r = await execa('dbus-run-session', ['--', 'sh', '-c', inner], {
      env: { PATH: '/usr/bin:/bin', HOME: dir, XDG_RUNTIME_DIR: dir, KEYRING_PW: 'kr-pw', STORE: store, S1: keys.encryptPassphrase, S2: keys.signPassphrase, S3: stack.OS_PASSWORD },
      extendEnv: false, reject: false, stdin: 'ignore', timeout: 90_000,
    });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect((await swiftList(stack, container)).some((o) => /duplicity-full\..*\.vol1\.difftar\.gpg$/.test(o))).toBe(true);
  });

  it('under cron (no D-Bus session) it stops at once with the reason, and alerts', async () => {
    ping.hits.length = 0;
    const r = await execa('/usr/bin/setsid', ['-w', '/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', '/bin/bash', script], { stdin: 'ignore', reject: false, timeout: 30_000 });
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toMatch(/keyring did not give encrypt-passphrase.*cron job cannot unlock/);
    expect(ping.hits).toEqual(['/ping/abc/start', '/ping/abc/fail']);
  });
});
