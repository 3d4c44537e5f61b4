import { mkdir, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importKeyFiles, inspectKeyFiles } from '../../src/core/keys/import-files';
import { containerHead } from '../../src/core/openstack/swift';
import { openBackupStore } from '../../src/core/restore/swift-login';
import { parseJson, runCli } from '../helpers/cli';
import { execRecorder, secretsInArgv } from '../helpers/exec-trace';
import { killAgentOf } from '../helpers/gpg';
import { deleteContainers, machineA, machineBEnv, plainDuplicity, snapshotTree, swiftEnvFor, uniqueContainer, workWithSource, type MachineA } from '../helpers/restore';
import { stack, type Stack } from '../helpers/stack';

/**
 * The disaster-recovery path: backups made on machine A with plain duplicity (two keys), restored on
 * a machine B whose GnuPG holds nothing but the exported .asc files, with only the passphrases.
 */
let s: Stack;
let a: MachineA;
let work: string;
let source: string;
let homeB: string;
let container: string;
let fullSnapshot: Awaited<ReturnType<typeof snapshotTree>>;
/** Epoch seconds between the full and the incremental backup. */
let betweenBackups: number;

beforeAll(async () => {
  [s, a] = await Promise.all([stack(), machineA()]);
  ({ work, source } = await workWithSource('ds-restore-dr-'));
  container = uniqueContainer('ds-dr');
  const env = { ...swiftEnvFor(s), GNUPGHOME: a.gnupgHome, PASSPHRASE: a.encrypt.passphrase, SIGN_PASSPHRASE: a.sign.passphrase };
  const keys = ['--encrypt-key', a.encrypt.fpr, '--sign-key', a.sign.fpr, '--archive-dir', join(work, 'cache-A')];
  await plainDuplicity(['full', ...keys, source, `swift://${container}`], env);
  fullSnapshot = await snapshotTree(source);
  await new Promise((r) => setTimeout(r, 1100));
  betweenBackups = Math.floor(Date.now() / 1000);
  await new Promise((r) => setTimeout(r, 1100));
  await writeFile(join(source, 'notes.txt'), 'version two, changed after the full backup\n');
  await utimes(join(source, 'notes.txt'), new Date('2022-01-01T00:00:00Z'), new Date('2022-01-01T00:00:00Z'));
  await plainDuplicity(['incremental', ...keys, source, `swift://${container}`], env);

  // Machine B: an empty GnuPG home, then only the exported files.
  homeB = join(work, 'gnupg-B');
  const files = await inspectKeyFiles(homeB, [a.encrypt.asc, a.sign.asc]);
  const imported = await importKeyFiles(homeB, files);
  expect(imported.filter((k) => k.secret).map((k) => k.fingerprint).sort()).toEqual([a.encrypt.fpr, a.sign.fpr].sort());
}, 120_000);

afterAll(async () => {
  if (homeB) await killAgentOf(homeB);
  if (s && container) await deleteContainers(s, [container]).catch(() => undefined);
  await a?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('restore on a bare machine B from a backup made on machine A', () => {
  it('restores everything byte-identical, with modes and mtimes, and no secret in any argv', async () => {
    const target = join(work, 'all');
    const trace = await execRecorder();
    const result = await runCli(['restore', '--container', container, '--target', target, '--json'], {
      cleanEnv: true, env: machineBEnv(s, homeB, { encrypt: a.encrypt.passphrase, sign: a.sign.passphrase }), wrap: trace.wrap,
    });
    const execs = await trace.execs();
    await trace.cleanup();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(secretsInArgv(execs, [a.encrypt.passphrase, a.sign.passphrase, s.demo.password])).toEqual([]);
    // duplicity and gpg ran inside the traced CLI: the trace saw the processes that held the secrets.
    expect(execs.some((e) => e.ok && e.argv.some((x) => /duplicity$/.test(x)) && e.argv.includes('restore'))).toBe(true);
    const restored = await snapshotTree(target);
    const live = await snapshotTree(source);
    expect(restored).toEqual(live);
    const summary = parseJson<{ restored: { files: number; bytes: number; seconds: number } }>(result).restored;
    expect(summary.files).toBe(5);
    expect(summary.bytes).toBeGreaterThan(300_000);
    expect(result.stderr).toMatch(/Restored 5 files/);
  });

  it('brings back the older version of a changed file with --time, and that path alone', async () => {
    const target = join(work, 'older');
    const result = await runCli(['restore', '--container', container, '--time', String(betweenBackups), '--path', 'notes.txt', '--target', target], {
      cleanEnv: true, env: machineBEnv(s, homeB, { encrypt: a.encrypt.passphrase, sign: a.sign.passphrase }),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readdir(target)).toEqual(['notes.txt']);
    expect(await readFile(join(target, 'notes.txt'), 'utf8')).toBe('version one\n');
    const restored = await snapshotTree(target);
    expect(restored['notes.txt']).toEqual(fullSnapshot['notes.txt']);
  });

  it('restores one folder alone into its place under the target', async () => {
    const target = join(work, 'one-path');
    const result = await runCli(['restore', '--container', container, '--path', 'home/ünïcode dir', '--target', target], {
      cleanEnv: true, env: machineBEnv(s, homeB, { encrypt: a.encrypt.passphrase, sign: a.sign.passphrase }),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const restored = await snapshotTree(target);
    expect(Object.keys(restored).sort()).toEqual(['home', 'home/ünïcode dir', 'home/ünïcode dir/photo one.bin']);
    expect(restored['home/ünïcode dir/photo one.bin']).toEqual(fullSnapshot['home/ünïcode dir/photo one.bin']);
    expect(restored['home/ünïcode dir']).toEqual(fullSnapshot['home/ünïcode dir']);
  });

  it('refuses a non-empty target, exits non-zero and leaves it untouched', async () => {
    const target = join(work, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'notes.txt'), 'precious, not from the backup\n');
    const before = await snapshotTree(target);
    const result = await runCli(['restore', '--container', container, '--target', target], {
      cleanEnv: true, env: machineBEnv(s, homeB, { encrypt: a.encrypt.passphrase, sign: a.sign.passphrase }),
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/is not empty.*nothing was restored or changed/);
    expect(await snapshotTree(target)).toEqual(before);
  });

  it('refuses a container that does not exist, and does not create it', async () => {
    const missing = `${container}-typo`;
    const target = join(work, 'no-container');
    const result = await runCli(['restore', '--container', missing, '--target', target], {
      cleanEnv: true, env: machineBEnv(s, homeB, { encrypt: a.encrypt.passphrase, sign: a.sign.passphrase }),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Project backup-a has no container "${missing}"; nothing was restored or created.`);
    const { auth } = await openBackupStore({ authUrl: s.keystone, username: s.demo.username, userDomainName: 'Default', projectName: 'backup-a' }, { password: s.demo.password }, {});
    expect((await containerHead(auth, missing, {})).exists).toBe(false);
    await expect(readdir(target)).rejects.toThrow(/ENOENT/);
  });

  it('says clearly that the passphrase is wrong, and creates nothing', async () => {
    await killAgentOf(homeB); // a cached passphrase would hide the wrong one
    const target = join(work, 'wrong-pass');
    const result = await runCli(['restore', '--container', container, '--target', target], {
      cleanEnv: true, env: machineBEnv(s, homeB, { encrypt: 'not the passphrase', sign: a.sign.passphrase }),
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/encryption key's passphrase is wrong/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    await expect(readdir(target)).rejects.toThrow(/ENOENT/);
    expect((await readdir(work)).filter((n) => n.includes('dupliswift-restore'))).toEqual([]);
  });

  it('verify reports exactly the live file that changed since the backup', async () => {
    const env = machineBEnv(s, homeB, { encrypt: a.encrypt.passphrase, sign: a.sign.passphrase });
    await writeFile(join(source, 'bin/tool.sh'), '#!/bin/sh\necho tampered\n');
    const differ = await runCli(['restore', '--container', container, '--verify', '--target', source, '--json'], { cleanEnv: true, env });
    expect(differ.exitCode, differ.stderr).toBe(1);
    const report = parseJson<{ verify: { ok: boolean; compared: number; differences: string[] } }>(differ).verify;
    expect(report.ok).toBe(false);
    expect(report.compared).toBeGreaterThanOrEqual(9);
    // notes.txt changed too, but the newest backup (the incremental) has its new version: not a difference.
    expect(report.differences).toHaveLength(1);
    expect(report.differences[0]).toMatch(/bin\/tool\.sh/);
  });
});
