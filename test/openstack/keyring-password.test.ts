import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../helpers/cli';
import { secretsInArgv, traceExecs } from '../helpers/exec-trace';
import { stack, type Stack } from '../helpers/stack';

// The third password source of `tenants`/`check`: the keyring of a profile named by DUPLISWIFT_PROFILE,
// read from a REAL gnome-keyring under its own D-Bus session. Runs as root, so the profile lives in
// /etc/dupliswift/<unique name> (removed afterwards).

let s: Stack;
const name = `kr-${process.pid}`;
const dir = `/etc/dupliswift/${name}`;

beforeAll(async () => {
  s = await stack();
  if (process.getuid?.() !== 0) throw new Error('this test runs as root (the stack needs root anyway)');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fpr = 'A'.repeat(40);
  await writeFile(`${dir}/profile.json`, JSON.stringify({
    version: 1, name, source: '/srv', exclude: [], gnupgHome: '/root/.gnupg', keys: { encrypt: fpr, sign: fpr },
    openstack: { authUrl: s.keystone, identityVersion: '3', username: 'opsuser', userDomainName: 'ops', projectName: 'ops-project', projectDomainName: 'ops', region: s.region, interface: 'public' },
    container: 'c', schedule: { cron: '0 3 * * *', fullEvery: '7D', keepFull: 2 }, secrets: 'keyring', install: 'none', archiveDir: '/tmp/x',
  }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Inside a fresh D-Bus session with an unlocked gnome-keyring: store the password (if given) with keytar's API, then run the CLI. */
async function inKeyringSession(args: string[], store: string | undefined) {
  // A fresh HOME each time: a keyring file left by another run would have another unlock password.
  const home = await mkdtemp(join(tmpdir(), 'dupliswift-kr-'));
  const script = [
    'printf %s "$UNLOCK" | gnome-keyring-daemon --unlock --components=secrets >/dev/null',
    'if [ -n "${STORE:-}" ]; then node -e "import(\'@github/keytar\').then((k) => (k.default ?? k).setPassword(\'dupliswift:$PROFILE\', \'swift-password\', process.env.STORE))"; fi',
    'unset STORE UNLOCK',
    'exec node "$BIN" "$@"',
  ].join('\n');
  return execa('dbus-run-session', ['--', 'sh', '-c', script, 'sh', ...args], {
    cwd: repoRoot, reject: false, extendEnv: false, timeout: 30_000,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, XDG_RUNTIME_DIR: home, BIN: binPath, PROFILE: name, DUPLISWIFT_PROFILE: name, UNLOCK: 'keyring-unlock', ...(store ? { STORE: store } : {}) },
  }).finally(() => rm(home, { recursive: true, force: true }));
}

describe('password from the keyring (DUPLISWIFT_PROFILE)', () => {
  it('lists projects with the profile\'s settings and the keyring\'s password, nothing in argv', async () => {
    const trace = await traceExecs();
    const r = await inKeyringSession(['tenants', '--json'], s.ops.password);
    expect(secretsInArgv(await trace.stop(), [s.ops.password])).toEqual([]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(JSON.parse(String(r.stdout))).toMatchObject({ identityVersion: '3', user: { name: 'opsuser', domain: 'ops' }, projects: [{ name: 'ops-project', domain: 'ops' }] });
  });

  it('an empty keyring: says so, with the other two ways', async () => {
    const r = await inKeyringSession(['tenants'], undefined);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/keyring holds no Swift password for profile "kr-\d+" \(absent\)[\s\S]*Fix: Set OS_PASSWORD or use --password-stdin/);
  });

  it('no D-Bus at all: says why, never falls back silently', async () => {
    const r = await execa(process.execPath, [binPath, 'tenants'], { reject: false, extendEnv: false, env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME, DUPLISWIFT_PROFILE: name } });
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/The keyring cannot be read: .*D-Bus[\s\S]*Fix: Unlock the keyring/);
  });
});
