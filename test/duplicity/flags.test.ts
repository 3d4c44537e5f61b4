import { describe, expect, it } from 'vitest';
import {
  backupArgs, backupBaseArgs, checked, cleanupArgs, commonArgs, invalidOptions, parallelUploadArgs, restorePathFlag, retentionArgs,
  tutorialArgs, DEFAULT_VOLSIZE_MB, type Action,
} from '../../src/core/duplicity/flags';
import { flagFamily, parseVersion } from '../../src/core/duplicity/version';
import { commonArgs as restoreCommonArgs } from '../../src/core/restore/source';

const base = { archiveDir: '/a', name: 'n', gpgBinary: '/usr/bin/gpg', encryptKey: 'E', signKey: 'S', fullIfOlderThan: '7D' };
const fam = (v: string) => flagFamily(parseVersion(v)!);
/** What the distributions ship (0.8.22 Debian 12, 2.1.4 bookworm-backports / Ubuntu 24.04, 3.0.4 Debian 13) and the strict 2.2.3. */
const VERSIONS = ['0.8.22', '2.1.4', '2.2.3', '3.0.4'];

describe('version-aware duplicity flags', () => {
  it('never generates --asynchronous-upload for 3.x (discontinued, data-loss warning): --concurrency instead', () => {
    expect(parallelUploadArgs(fam('duplicity 3.0.1'), 4)).toEqual(['--concurrency', '4']);
    expect(parallelUploadArgs(fam('duplicity 0.8.22'), 2)).toEqual(['--asynchronous-upload']);
    expect(parallelUploadArgs(fam('2.2.0'), 2)).toEqual(['--asynchronous-upload']);
    expect(backupArgs(fam('3.0.0'), { ...base, parallelUploads: 2 })).not.toContain('--asynchronous-upload');
    expect(tutorialArgs(fam('3.0.0'))).not.toContain('--asynchronous-upload');
  });

  it('uses --path-to-restore from 2.0 on (--file-to-restore is an error there)', () => {
    expect(restorePathFlag(fam('0.8.22'))).toBe('--file-to-restore');
    expect(restorePathFlag(fam('2.0.0'))).toBe('--path-to-restore');
    expect(restorePathFlag(fam('3.0.2'))).toBe('--path-to-restore');
  });

  it('defaults to 200 MB volumes, not the tutorial\'s 10', () => {
    const args = backupArgs('0.8', base);
    expect(args[args.indexOf('--volsize') + 1]).toBe(String(DEFAULT_VOLSIZE_MB));
    expect(DEFAULT_VOLSIZE_MB).toBe(200);
    expect(args).toEqual(expect.arrayContaining(['--encrypt-key', 'E', '--sign-key', 'S', '--full-if-older-than', '7D', '--num-retries', '--archive-dir', '/a', '--name', 'n']));
  });
});

describe('every generated command passes only options its action takes (2.1.5-2.2.3 refuse the rest)', () => {
  const withAll = { ...base, excludeFile: '/x', parallelUploads: 4, volsize: 50 };
  for (const version of VERSIONS) {
    const v = parseVersion(version)!;
    const family = flagFamily(v);
    const commands: Array<[Action, string[]]> = [
      ['backup', backupArgs(family, withAll)],
      ['remove-all-but-n-full', retentionArgs(2, base).slice(2)],
      ['cleanup', cleanupArgs(base).slice(1)],
      ['collection-status', commonArgs(base)],
      ['restore', [...commonArgs(base), restorePathFlag(family), 'etc/hosts']],
      ['restore', [...restoreCommonArgs({ archiveDir: '/a', signKey: 'S' } as never), '-v', 'info', '--time', '3D']],
      ['list-current-files', [...restoreCommonArgs({ archiveDir: '/a' } as never), '--time', '3D']],
      ['verify', ['--compare-data', ...commonArgs(base), restorePathFlag(family), 'etc']],
    ];
    for (const [action, args] of commands) {
      it(`duplicity ${version}: ${action} ${args.filter((a) => a.startsWith('--')).join(' ')}`, () => {
        expect(invalidOptions(action, args, v)).toEqual([]);
      });
    }
  }

  it('the retention and cleanup steps carry no backup-only or selection option', () => {
    for (const args of [retentionArgs(2, base), cleanupArgs(base)]) {
      expect(args.filter((a) => /^--(volsize|exclude|include|asynchronous-upload|concurrency)/.test(a))).toEqual([]);
    }
    expect(backupBaseArgs({ ...base, excludeFile: '/x' })).toEqual(expect.arrayContaining(['--exclude-filelist', '/x', '--volsize']));
  });

  it('names what an action would refuse, by action and by version', () => {
    expect(invalidOptions('cleanup', ['--force', '--volsize', '200'])).toEqual(['--volsize']);
    expect(invalidOptions('restore', ['--exclude', '/tmp', '--exclude-filelist', '/x'])).toEqual(['--exclude', '--exclude-filelist']);
    expect(invalidOptions('verify', ['--exclude', '/tmp'])).toEqual([]);
    expect(invalidOptions('backup', ['--exclude', '/tmp', '--volsize', '1'])).toEqual([]);
    expect(invalidOptions('restore', ['--file-to-restore', 'x'], parseVersion('2.1.4'))).toEqual(['--file-to-restore']);
    expect(invalidOptions('restore', ['--path-to-restore', 'x'], parseVersion('0.8.22'))).toEqual(['--path-to-restore']);
    expect(invalidOptions('backup', ['--concurrency', '4'], parseVersion('2.1.4'))).toEqual(['--concurrency']);
    expect(invalidOptions('backup', ['--asynchronous-upload'], parseVersion('3.0.4'))).toEqual(['--asynchronous-upload']);
    expect(() => checked('cleanup', ['--volsize', '1'])).toThrow(/cleanup does not take --volsize/);
  });
});
