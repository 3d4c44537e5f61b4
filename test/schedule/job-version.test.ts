/**
 * The job chooses its version-dependent options when it runs, from `duplicity --version`, so a profile
 * made under one duplicity keeps working after the distribution upgrades it (the distro matrix in
 * scripts/distro-matrix.sh proves it with the real 0.8.22 -> 2.1.4 upgrade). Here: the real duplicity of
 * this machine, and programs that answer `--version` as each shipped version does (only that).
 */
import { execa } from 'execa';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDuplicity } from '../../src/core/duplicity/detect';
import { generateScript, type ScriptInput } from '../../src/core/schedule/script';
import logPart from '../../src/core/schedule/job-sh/log.sh';
import versionPart from '../../src/core/schedule/job-sh/version.sh';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'dsw-jobversion-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function input(duplicity: string, parallelUploads: number): ScriptInput {
  return {
    profile: 'p', profileDir: dir, source: '/srv', target: 'swift://c', gnupgHome: '/g', home: '/root', swiftEnv: {},
    tools: { duplicity, duplicityVersion: '0.8.22', family: '0.8', gpg: '/usr/bin/gpg', flock: '/usr/bin/flock' },
    keys: { encrypt: 'A'.repeat(40), sign: 'B'.repeat(40) }, fullEvery: '7D', keepFull: 2, archiveDir: '/a', excludeFile: '/x',
    logFile: join(dir, 'log'), lockFile: join(dir, 'lock'), secrets: { kind: 'file', dir: '/s' }, parallelUploads,
  };
}

/** The values of a generated job, then its log and version parts, as the job runs them; prints what they chose. */
async function chosen(duplicity: string, parallelUploads = 4) {
  const text = generateScript(input(duplicity, parallelUploads));
  const values = text.slice(text.indexOf('# --- values'), text.indexOf('# --- end of values'));
  const r = await execa('/usr/bin/env', ['-i', 'PATH=/usr/bin:/bin', '/bin/bash', '-c',
    `set -euo pipefail\nMODE=backup\n${values}\n${logPart}\n${versionPart}\nprintf '%s\\n' "$DUPLICITY_VERSION" "$RESTORE_FLAG" "\${BACKUP[*]}"`], { reject: false });
  const [version, restoreFlag, backup] = r.stdout.split('\n');
  return { exitCode: r.exitCode, stderr: r.stderr, version, restoreFlag, backup: backup?.split(' ') ?? [], log: await readFile(join(dir, 'log'), 'utf8').catch(() => '') };
}

async function fakeDuplicity(version: string, extra = '') {
  const path = join(dir, `duplicity-${version}`);
  await writeFile(path, `#!/bin/sh\n${extra}echo "duplicity ${version}"\n`);
  await chmod(path, 0o755);
  return path;
}

describe('the job picks duplicity options at run time', () => {
  it('for the duplicity installed here (real), and logs which version it found', async () => {
    const real = await detectDuplicity();
    const r = await chosen(real.path);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.version).toBe(real.version.text);
    expect(r.restoreFlag).toBe(real.version.major >= 2 ? '--path-to-restore' : '--file-to-restore');
    expect(r.backup[0] === 'backup').toBe(real.version.major > 2 || (real.version.major === 2 && real.version.minor >= 1));
    expect(r.log).toContain(`duplicity ${real.version.text} (${real.path})`);
  });

  const cases: Array<[string, string, boolean, string[]]> = [
    ['0.8.22', '--file-to-restore', false, ['--asynchronous-upload']],
    ['2.1.4', '--path-to-restore', true, ['--asynchronous-upload']],
    ['2.2.3', '--path-to-restore', true, ['--asynchronous-upload']],
    ['3.0.4', '--path-to-restore', true, ['--concurrency', '4']],
  ];
  for (const [version, restoreFlag, action, parallel] of cases) {
    it(`for a duplicity that says ${version}`, async () => {
      const r = await chosen(await fakeDuplicity(version, 'echo "some warning 9.9.9" >&2\n'));
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.version).toBe(version);
      expect(r.restoreFlag).toBe(restoreFlag);
      expect(r.backup[0] === 'backup').toBe(action);
      expect(r.backup.slice(-parallel.length)).toEqual(parallel);
      expect(r.backup).toContain('--volsize');
      if (version !== '0.8.22') expect(r.log).toContain(`setup saw 0.8.22, options chosen for ${version}`);
    });
  }

  it('no parallel-upload option when the profile asks for none', async () => {
    const r = await chosen(await fakeDuplicity('3.0.4'), 0);
    expect(r.backup).not.toContain('--concurrency');
    expect(r.backup).not.toContain('--asynchronous-upload');
  });

  it('a duplicity that cannot say its version stops the job with a setup error (78), naming the fix', async () => {
    const broken = join(dir, 'duplicity-broken');
    await writeFile(broken, '#!/bin/sh\necho "Traceback: ImportError" >&2\nexit 1\n');
    await chmod(broken, 0o755);
    const r = await chosen(broken);
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toMatch(/--version failed; reinstall duplicity/);
  });
});
