import { lstat, mkdir, mkdtemp, readdir, rename, rm, rmdir, utimes } from 'node:fs/promises';
import { basename, dirname, join, normalize, resolve } from 'node:path';
import { UserError } from '../errors';
import { restorePathFlag, type Action } from '../duplicity/flags';
import type { FlagFamily } from '../duplicity/version';
import { removeOnExit } from '../exit-cleanup';
import { runDuplicity, TEMP_PREFIX } from './duplicity-run';
import { removeStaleRestoreFolders } from './leftovers';
import { duplicityFailure } from './failure';
import { INFO } from '../duplicity/logfd';
import { backendUrl, commonArgs, duplicityEnv, type BackupSource } from './source';
import { assertRestorable, assertWritable, inspectTarget } from './target-dir';
import { duplicityCommand, pathArgument } from '../duplicity/byte-safe';
import { displayPath, hasRawBytes, pathBytes } from './names';

export interface RestoreRequest {
  source: BackupSource;
  /** Restore everything when absent; else a path relative to the backup root. */
  path?: string;
  /** As duplicity takes it (epoch seconds, ISO date-time, 3D); newest when absent. */
  time?: string;
  target: string;
  /** The person confirmed restoring into a non-empty folder (files of the same name are replaced). */
  overwrite?: boolean;
  flagFamily: FlagFamily;
  signal?: AbortSignal;
  onProgress?: (detail: string, fraction?: number) => void;
}

export interface RestoreSummary {
  target: string;
  /** Where the restored path ended up (target itself for a whole restore). */
  restoredAt: string;
  path?: string;
  time?: string;
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  seconds: number;
}

/** `--file-to-restore` before duplicity 2.0, `--path-to-restore` since. */
export function pathFlag(family: FlagFamily): string {
  return restorePathFlag(family);
}

/** A backup-relative path, cleaned; refuses absolute paths and `..` so nothing lands outside the target. */
export function normalizeBackupPath(path: string): string | undefined {
  const cleaned = normalize(path.trim()).replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (cleaned === '' || cleaned === '.') return undefined;
  if (cleaned.startsWith('/') || cleaned === '..' || cleaned.startsWith('../')) {
    throw new UserError(`The path "${path}" is not inside the backup.`, { fix: 'Give a path relative to the backup root, as the file list shows it (e.g. etc/hosts).', code: 'usage', exitCode: 2 });
  }
  return cleaned;
}

/**
 * Restores into a fresh staging folder beside (or inside) the target, then moves the result in:
 * duplicity never writes into the target itself, so a failure or Ctrl-C leaves the target as it was,
 * and nothing there is replaced unless `overwrite` was confirmed. Modes and mtimes are duplicity's.
 */
export async function restore(request: RestoreRequest): Promise<RestoreSummary> {
  const started = Date.now();
  const target = resolve(request.target);
  const path = request.path === undefined ? undefined : normalizeBackupPath(request.path);
  const state = await inspectTarget(target);
  assertRestorable(target, state, Boolean(request.overwrite));
  await assertWritable(target, state);

  // Staging on the same filesystem as the target, so the final move is a rename, never a copy. Its
  // name holds our pid: a later restore removes it if this process dies before it can.
  const stagingParent = state.kind === 'absent' ? dirname(target) : target;
  const staging = await writable(target, async () => {
    await mkdir(stagingParent, { recursive: true });
    await removeStaleRestoreFolders(stagingParent);
    return mkdtemp(join(stagingParent, `.${state.kind === 'absent' ? basename(target) : ''}.${TEMP_PREFIX}${process.pid}-`));
  });
  const release = removeOnExit(staging);
  const restored = join(staging, 'r');
  let rootTimes: { atime: Date; mtime: Date } | undefined;
  try {
    const dup = await duplicityCommand(request.source.duplicity?.path);
    if (path && hasRawBytes(path) && !dup.bytesOk) {
      throw new UserError(`The path ${displayPath(path)} is not UTF-8, and ${dup.program} is not a python script this restore can hand raw bytes to.`, {
        fix: 'Restore its folder, or everything, instead.', code: 'usage', exitCode: 2,
      });
    }
    const args: [Action, ...string[]] = ['restore', ...commonArgs(request.source), '-v', 'info'];
    if (path) args.push(pathFlag(request.flagFamily), pathArgument(path));
    if (request.time) args.push('--time', request.time);
    args.push(backendUrl(request.source), restored);
    const outcome = await runDuplicity({
      program: dup.program,
      prefix: dup.prefix,
      args,
      env: duplicityEnv(request.source),
      signal: request.signal,
      onRecord: (record) => {
        if (record.level !== 'INFO' || record.code !== INFO.progress || !request.onProgress) return;
        const [done, total] = (record.control[0] ?? '').split(' ').map(Number);
        if (done && total) request.onProgress(`volume ${done} of ${total}`, done / total);
      },
    });
    if (outcome.exitCode !== 0) throw duplicityFailure('Restore', outcome);
    const counts = await countTree(restored);
    request.onProgress?.(`moving ${counts.files} files into place`);
    // The restored path's own bytes (it may not be UTF-8): never a string the filesystem would re-encode.
    const dest = path ? bytesUnder(target, path) : target;
    const destParent = path ? bytesUnder(target, dirname(path)) : dirname(target);
    if (!path && state.kind !== 'absent') rootTimes = await lstat(restored);
    await moveIntoPlace(restored, dest, destParent, state.kind === 'absent' && !path);
    const restoredAt = path ? join(target, displayPath(path)) : target;
    return { target, restoredAt, path: path === undefined ? undefined : displayPath(path), time: request.time, ...counts, seconds: (Date.now() - started) / 1000 };
  } finally {
    await rm(staging, { recursive: true, force: true });
    release();
    // Removing the staging folder inside the target touched its mtime: the backup's root wins.
    if (rootTimes) await utimes(target, rootTimes.atime, rootTimes.mtime);
  }
}

/** Runs a first write near the target; a read-only, forbidden or full place becomes words, not a trace. */
async function writable<T>(target: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why: Record<string, string> = { EROFS: 'it is on a read-only file system', EACCES: 'permission denied', EPERM: 'permission denied', ENOSPC: 'no space left on the device', EDQUOT: 'the disk quota is exceeded' };
    if (!code || !why[code]) throw error;
    throw new UserError(`Cannot restore into ${target}: ${why[code]}; nothing was restored or changed.`, { fix: 'Pick a folder on a writable file system with room for the restore (--target).', code: 'target-not-writable' });
  }
}

/** A filesystem path: a string when it is UTF-8, else its bytes (names from the backup may be neither). */
type FsPath = string | Buffer;

/** `root/relative` as bytes, the relative part in the backup's own bytes. */
function bytesUnder(root: string, relative: string): FsPath {
  return relative === '.' ? root : Buffer.concat([Buffer.from(`${root.replace(/\/+$/, '')}/`), pathBytes(relative)]);
}

function child(dir: FsPath, name: Buffer): Buffer {
  return Buffer.concat([Buffer.isBuffer(dir) ? dir : Buffer.from(dir), Buffer.from('/'), name]);
}

/** Moves a restored tree to `dest`: a rename when nothing is there, else a merge into what is. */
async function moveIntoPlace(from: string, dest: FsPath, destParent: FsPath, destIsFree: boolean): Promise<void> {
  if (destIsFree) {
    await rename(from, dest);
    return;
  }
  await mkdir(destParent, { recursive: true });
  await merge(from, dest);
}

async function merge(from: FsPath, dest: FsPath): Promise<void> {
  const src = await lstat(from);
  let existing;
  try {
    existing = await lstat(dest);
  } catch {
    existing = undefined;
  }
  if (!existing) {
    await rename(from, dest);
    return;
  }
  if (src.isDirectory() && existing.isDirectory()) {
    for (const name of await readdir(from, { encoding: 'buffer' })) await merge(child(from, name), child(dest, name));
    // Moving children in touched the folder's mtime: give it the backup's.
    await utimes(dest, src.atime, src.mtime);
    await rmdir(from);
    return;
  }
  // Only reached after an explicit "yes, overwrite": replace the entry.
  if (existing.isDirectory()) await rm(dest, { recursive: true, force: true });
  await rename(from, dest);
}

export async function countTree(root: string): Promise<{ files: number; directories: number; symlinks: number; bytes: number }> {
  const counts = { files: 0, directories: 0, symlinks: 0, bytes: 0 };
  // Names as bytes: a name that is not UTF-8 must not be re-encoded into one that does not exist.
  const walk = async (p: FsPath): Promise<void> => {
    const st = await lstat(p);
    if (st.isDirectory()) {
      counts.directories++;
      for (const name of await readdir(p, { encoding: 'buffer' })) await walk(child(p, name));
    } else if (st.isSymbolicLink()) counts.symlinks++;
    else {
      counts.files++;
      counts.bytes += st.size;
    }
  };
  await walk(root);
  // The restored root itself is the target, not a restored folder.
  if ((await lstat(root)).isDirectory()) counts.directories--;
  return counts;
}
