import { describe, expect, it } from 'vitest';
import { backupArgs, parallelUploadArgs, restorePathFlag, tutorialArgs, DEFAULT_VOLSIZE_MB } from '../../src/core/duplicity/flags';
import { flagFamily, parseVersion } from '../../src/core/duplicity/version';

const base = { archiveDir: '/a', name: 'n', gpgBinary: '/usr/bin/gpg', encryptKey: 'E', signKey: 'S', fullIfOlderThan: '7D' };
const fam = (v: string) => flagFamily(parseVersion(v)!);

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
