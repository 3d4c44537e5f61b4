import { build } from 'esbuild';
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../helpers/cli';

/**
 * The keyring against a real gnome-keyring inside dbus-run-session, unlocked the way a headless setup
 * does it; then locked; then with no D-Bus at all. The scenario runs in a child (its own session bus),
 * bundled from TypeScript by esbuild next to node_modules so @github/keytar resolves.
 */
let script: string;
let root: string;

beforeAll(async () => {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon', 'dbus-send']) {
    const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
    if (found.exitCode !== 0) throw new Error(`${tool} is missing: apt-get install dbus gnome-keyring libsecret-1-0`);
  }
  root = await mkdtemp(join(tmpdir(), 'ds-keyring-'));
  const outDir = join(repoRoot, 'node_modules', '.cache', 'dupliswift-test');
  await mkdir(outDir, { recursive: true });
  script = join(outDir, `keyring-scenario-${process.pid}.mjs`);
  await build({ entryPoints: [join(repoRoot, 'test/secrets/fixtures/keyring-scenario.ts')], outfile: script, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['@github/keytar'], logLevel: 'warning',
    // Bundled CommonJS (execa's deps) calls require(): give the ESM bundle one, as scripts/build.mjs does.
    banner: { js: "import { createRequire as __dsReq } from 'node:module'; const require = __dsReq(import.meta.url);" } });
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  if (script) await rm(script, { force: true });
});

async function underDbus(args: string[], fileRoot: string) {
  // The keyring password reaches gnome-keyring-daemon on stdin from the environment, not argv.
  const inner = `printf %s "$KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "${process.execPath}" "${script}" "$@"`;
  const r = await execa('dbus-run-session', ['--', 'sh', '-c', inner, 'sh', ...args], {
    env: { PATH: '/usr/bin:/bin', HOME: fileRoot, KEYRING_PW: 'test-keyring-password', DS_FILE_ROOT: join(fileRoot, 'secrets-root'), XDG_RUNTIME_DIR: fileRoot },
    extendEnv: false, reject: false, timeout: 60_000, stdin: 'ignore',
  });
  const line = String(r.stdout).trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`scenario failed (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
}

describe.concurrent('keyring (Secret Service via @github/keytar)', () => {
  test('unlocked gnome-keyring: stored, read back, deleted; nothing in a file', async () => {
    const home = join(root, 'unlocked');
    await mkdir(home);
    const out = await underDbus([], home);
    expect(out).toMatchObject({ kind: 'keyring', absentBefore: 'absent', roundTrip: true, deleted: true, absentAfter: 'absent' });
    expect(out.fallback).toBeUndefined();
    await expect(stat(join(home, 'secrets-root'))).rejects.toThrow(/ENOENT/);
  });

  test('locked keyring: read says "locked", not "absent"; writes refused; a new open falls back, saying so', async () => {
    const home = join(root, 'locked');
    await mkdir(home);
    const out = await underDbus(['--lock'], home);
    expect(out).toMatchObject({ kind: 'keyring', roundTrip: true, whenLocked: 'locked', reopenedKind: 'file' });
    expect(String(out.lockedReason)).toMatch(/locked/);
    expect(String(out.setWhenLocked)).toMatch(/Could not store the sign-passphrase in the keyring: the keyring is locked/);
    expect(String(out.reopenedFallback)).toMatch(/keyring cannot be used: .*locked.*0600 files/);
  });

  test('no D-Bus (a headless server over SSH): explicit fallback to a 0600 file', async () => {
    const home = join(root, 'nodbus');
    await mkdir(home);
    const r = await execa(process.execPath, [script], { env: { PATH: '/usr/bin:/bin', HOME: home, DS_FILE_ROOT: join(home, 'secrets-root') }, extendEnv: false, reject: false, timeout: 30_000 });
    const out = JSON.parse(String(r.stdout).trim()) as Record<string, unknown>;
    expect(out).toMatchObject({ kind: 'file', absentBefore: 'absent', roundTrip: true, deleted: true, absentAfter: 'absent' });
    expect(String(out.fallback)).toMatch(/no D-Bus session.*0600 files under/);
  });
});
