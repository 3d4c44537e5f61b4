import type { FlagFamily } from './version';

/**
 * duplicity's command line differs by major version; every generated command goes through here.
 *  - `--asynchronous-upload` (the tutorial's) was discontinued in 3.0, with a data-loss warning;
 *    3.x uploads in parallel with `--concurrency N` instead.
 *  - `--file-to-restore` became `--path-to-restore` in 2.0; the old name is an error there.
 */

/**
 * Volume size in MB. The tutorial's `--volsize 10` makes 20x the objects (and Swift PUTs, manifests,
 * signature work) of duplicity's own default of 200; measured in bench/backup-defaults.mjs against
 * the loopback Swift. Volumes are staged in TMPDIR, so disk, not memory, grows with it.
 */
export const DEFAULT_VOLSIZE_MB = 200;
export const VOLSIZE_REASON =
  'duplicity\'s own default of 200 MB: the tutorial\'s 10 MB means ~20x the Swift objects and requests for the same data (see bench/backup-defaults.mjs); volumes are staged on disk, so memory does not grow with it.';

/** Retries per failed backend call; duplicity waits between them, which rides out a Keystone restart. */
export const DEFAULT_NUM_RETRIES = 5;

export interface CommonOptions {
  archiveDir: string;
  name: string;
  gpgBinary: string;
  numRetries?: number;
}

export interface BackupOptions extends CommonOptions {
  encryptKey: string;
  signKey: string;
  fullIfOlderThan: string;
  volsize?: number;
  excludeFile?: string;
  /** +/- lines (several folders under /): read as one selection, first match wins. */
  includeFile?: string;
  /** Upload the next volume while the current one is built: async on 0.8/2.x, --concurrency on 3.x. */
  parallelUploads?: number;
}

export function commonArgs(o: CommonOptions): string[] {
  return ['--archive-dir', o.archiveDir, '--name', o.name, '--gpg-binary', o.gpgBinary, '--num-retries', String(o.numRetries ?? DEFAULT_NUM_RETRIES)];
}

/** The flags for uploading while the next volume is built, or none: never a flag the version rejects. */
export function parallelUploadArgs(family: FlagFamily, n: number | undefined): string[] {
  if (!n || n < 2) return [];
  if (family === '3.x') return ['--concurrency', String(n)];
  return ['--asynchronous-upload'];
}

/** Options for the backup itself (source and target URL follow). */
export function backupArgs(family: FlagFamily, o: BackupOptions): string[] {
  return [
    ...commonArgs(o),
    '--encrypt-key', o.encryptKey,
    '--sign-key', o.signKey,
    '--full-if-older-than', o.fullIfOlderThan,
    '--volsize', String(o.volsize ?? DEFAULT_VOLSIZE_MB),
    ...parallelUploadArgs(family, o.parallelUploads),
    ...(o.excludeFile ? ['--exclude-filelist', o.excludeFile] : []),
    ...(o.includeFile ? ['--include-filelist', o.includeFile] : []),
  ];
}

/** `remove-all-but-n-full N --force` then `cleanup --force`: keeps N full chains and their increments. */
export function retentionArgs(keepFull: number, o: CommonOptions): string[] {
  return ['remove-all-but-n-full', String(keepFull), '--force', ...commonArgs(o)];
}

export function cleanupArgs(o: CommonOptions): string[] {
  return ['cleanup', '--force', ...commonArgs(o)];
}

/** The flag naming one path inside the backup to restore. */
export function restorePathFlag(family: FlagFamily): '--file-to-restore' | '--path-to-restore' {
  return family === '0.8' ? '--file-to-restore' : '--path-to-restore';
}

/** Tutorial flags, for the bench: `--volsize 10` plus asynchronous upload where the version has it. */
export function tutorialArgs(family: FlagFamily): string[] {
  return ['--volsize', '10', ...(family === '3.x' ? [] : ['--asynchronous-upload'])];
}
