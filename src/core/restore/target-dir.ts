import { lstat, mkdtemp, readdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors';

export type TargetState = { kind: 'absent' } | { kind: 'empty' } | { kind: 'non-empty'; entries: number } | { kind: 'not-a-directory' };

/** What is at the restore target now; the one fact every "never clobber" decision starts from. */
export async function inspectTarget(target: string): Promise<TargetState> {
  let stat;
  try {
    stat = await lstat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw new UserError(`Cannot look at the restore target ${target}: ${(error as NodeJS.ErrnoException).code}.`, { fix: 'Pick a folder you may write to.', code: 'target' });
  }
  if (!stat.isDirectory()) return { kind: 'not-a-directory' };
  const entries = (await readdir(target)).length;
  return entries === 0 ? { kind: 'empty' } : { kind: 'non-empty', entries };
}

/** Refuses what would overwrite, unless the person said yes to exactly that. */
export function assertRestorable(target: string, state: TargetState, overwrite: boolean): void {
  if (state.kind === 'not-a-directory') {
    throw new UserError(`The restore target ${target} exists and is not a folder; nothing was restored.`, { fix: 'Give a new or empty folder with --target.', code: 'target-not-dir' });
  }
  if (state.kind === 'non-empty' && !overwrite) {
    throw new UserError(`The restore target ${target} is not empty (${state.entries} entries); nothing was restored or changed.`, {
      fix: 'Restore into a new or empty folder (--target), or run interactively and confirm merging over what is there.',
      code: 'target-not-empty',
    });
  }
}

const WHY: Record<string, string> = {
  EROFS: 'it is on a read-only filesystem',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted (an immutable folder?)',
  ENOSPC: 'the filesystem is full',
  EDQUOT: 'the disk quota is used up',
};

/**
 * Refuses a target nothing can be written into (a read-only mount, a folder without write permission,
 * a full disk) before anything is downloaded: a probe folder is made where the restore will write (the
 * target, or its nearest existing parent) and removed again.
 */
export async function assertWritable(target: string, state: TargetState): Promise<void> {
  let dir = state.kind === 'absent' ? dirname(target) : target;
  while (dirname(dir) !== dir && !(await stat(dir).then(() => true, () => false))) dir = dirname(dir);
  try {
    await rmdir(await mkdtemp(join(dir, '.dupliswift-write-test-')));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`Cannot write to the restore target ${target}: ${WHY[code] ?? code} (in ${dir}); nothing was restored.`, {
      fix: code === 'EROFS'
        ? 'Restore onto a writable filesystem (--target), or remount this one read-write (mount -o remount,rw).'
        : 'Pick a folder you may write to, with room for the restore (--target).',
      code: 'target-not-writable',
    });
  }
}
