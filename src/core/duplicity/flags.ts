import { compareVersions, parseVersion, type FlagFamily, type Version } from './version';

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
  'duplicity\'s own default of 200 MB: the tutorial\'s 10 MB means ~20x the Swift objects and requests for the same data, and a backup measured 1.5x slower with it; volumes are staged on disk, so memory does not grow with it.';

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

/**
 * Options for the backup itself (source and target URL follow), without the ones that depend on the
 * installed version (the job adds those at run time, see job-sh/version.sh).
 */
export function backupBaseArgs(o: BackupOptions): string[] {
  return checked('backup', [
    ...commonArgs(o),
    '--encrypt-key', o.encryptKey,
    '--sign-key', o.signKey,
    '--full-if-older-than', o.fullIfOlderThan,
    '--volsize', String(o.volsize ?? DEFAULT_VOLSIZE_MB),
    ...(o.excludeFile ? ['--exclude-filelist', o.excludeFile] : []),
    ...(o.includeFile ? ['--include-filelist', o.includeFile] : []),
  ]);
}

/** Options for the backup itself (source and target URL follow), for one flag family. */
export function backupArgs(family: FlagFamily, o: BackupOptions): string[] {
  return checked('backup', [...backupBaseArgs(o), ...parallelUploadArgs(family, o.parallelUploads)]);
}

/** `remove-all-but-n-full N --force` then `cleanup --force`: keeps N full chains and their increments. */
export function retentionArgs(keepFull: number, o: CommonOptions): string[] {
  return ['remove-all-but-n-full', String(keepFull), ...checked('remove-all-but-n-full', ['--force', ...commonArgs(o)])];
}

export function cleanupArgs(o: CommonOptions): string[] {
  return ['cleanup', ...checked('cleanup', ['--force', ...commonArgs(o)])];
}

/** The flag naming one path inside the backup to restore. */
export function restorePathFlag(family: FlagFamily): '--file-to-restore' | '--path-to-restore' {
  return family === '0.8' ? '--file-to-restore' : '--path-to-restore';
}

/** Tutorial flags, for the bench: `--volsize 10` plus asynchronous upload where the version has it. */
export function tutorialArgs(family: FlagFamily): string[] {
  return ['--volsize', '10', ...(family === '3.x' ? [] : ['--asynchronous-upload'])];
}

/** The actions dupliswift runs. */
export type Action =
  | 'backup' | 'full' | 'incremental' | 'restore' | 'verify' | 'collection-status' | 'list-current-files'
  | 'cleanup' | 'remove-all-but-n-full';

const BACKUP_ACTIONS: readonly Action[] = ['backup', 'full', 'incremental'];

/**
 * duplicity 2.1.5 to 2.2.3 refuse an option that is not valid for the action ("Option '…' is not a valid
 * option for command"); their cli_data.py CommandOptions: every option, minus these for any action that
 * is not a backup, minus the selection options for any action but a backup or verify. Earlier and
 * later versions accept (and may ignore) them; we pass the strict set everywhere.
 */
const BACKUP_ONLY = new Set(['--allow-source-mismatch', '--asynchronous-upload', '--dry-run', '--volsize', '--concurrency']);
const SELECTION = /^--(?:exclude|include)(?:-.*)?$|^--files-from$|^--filter-/;

/** Options whose name or existence depends on the version: [option, first version with it, first without it]. */
const VERSIONED: ReadonlyArray<[string, string | undefined, string | undefined]> = [
  ['--file-to-restore', undefined, '2.0.0'],
  ['--path-to-restore', '2.0.0', undefined],
  ['--do-not-restore-ownership', undefined, '2.0.0'],
  ['--no-restore-ownership', '2.0.0', undefined],
  ['--concurrency', '3.0.0', undefined],
  // 3.0 still parses it, but only to warn that it was replaced by --concurrency.
  ['--asynchronous-upload', undefined, '3.0.0'],
  ['--jsonstat', '2.0.0', undefined],
];

/** The options in `args` (words starting with `--`) that `action` refuses or does not know under `version`. */
export function invalidOptions(action: Action, args: readonly string[], version?: Version): string[] {
  const bad: string[] = [];
  for (const arg of args) {
    if (!arg.startsWith('--')) continue;
    const option = arg.split('=')[0]!;
    const backup = BACKUP_ACTIONS.includes(action);
    if (!backup && BACKUP_ONLY.has(option)) bad.push(option);
    else if (!backup && action !== 'verify' && SELECTION.test(option)) bad.push(option);
    else if (version) {
      const rule = VERSIONED.find(([name]) => name === option);
      const [, since, until] = rule ?? [];
      if ((since && compareVersions(version, parseVersion(since)!) < 0) || (until && compareVersions(version, parseVersion(until)!) >= 0)) bad.push(option);
    }
  }
  return bad;
}

/** `args` unchanged, or an Error naming the options `action` would refuse: a bug of ours, never the user's. */
export function checked(action: Action, args: string[], version?: Version): string[] {
  const bad = invalidOptions(action, args, version);
  if (bad.length) throw new Error(`duplicity ${action} does not take ${bad.join(', ')}${version ? ` (version ${version.text})` : ''}`);
  return args;
}
