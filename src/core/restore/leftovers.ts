import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_PREFIX } from './duplicity-run';

/** A restore folder's owner pid, from its name (`dupliswift-restore-cache-PID-…`, `.TARGET.dupliswift-restore-PID-…`). */
export function ownerPid(name: string): number | undefined {
  const m = new RegExp(`^(?:\\..*\\.)?${TEMP_PREFIX}(?:cache-|tmp-)?(\\d+)-[^/]+$`).exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Gone, or a zombie: its temp folders are nobody's any more. A live pid is never judged by its command line. */
async function isDead(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const status = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return /^\d+ \(.*\) Z /.test(status);
}

/**
 * Removes what a killed restore left in `dir` (a staging folder beside the target, a cache, duplicity's
 * temp folder with downloaded volumes): only entries of ours, owned by this user, whose pid is dead.
 * Returns the names removed.
 */
export async function removeStaleRestoreFolders(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const uid = process.getuid?.();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = ownerPid(name);
    if (pid === undefined || pid === process.pid) continue;
    const st = await lstat(join(dir, name)).catch(() => undefined);
    if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
    if (!(await isDead(pid))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
