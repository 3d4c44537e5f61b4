import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The folders a server's admin usually backs up, most precious first. */
export const USUAL_FOLDERS = ['/etc', '/home', '/root', '/srv', '/var/www', '/opt', '/usr/local', '/var/lib/docker/volumes', '/var/spool/cron', '/var/mail'];

/** Pre-selected: small, precious and rarely regenerated. /opt and /usr/local are often software a package reinstalls. */
const PRESELECTED = new Set(['/etc', '/home', '/root', '/srv', '/var/www', '/var/spool/cron']);

export interface SizeEstimate {
  bytes: number;
  /** The walk ran out of its budget: the folder holds at least `bytes`. */
  partial: boolean;
}

export interface FolderCandidate {
  path: string;
  size: SizeEstimate;
  preselected: boolean;
}

/**
 * Bytes under a folder, by a walk that stops at a deadline or an entry budget, whichever comes first,
 * so a screen never waits long on a huge /home. Symlinks are not followed; other file systems are
 * counted like this one (duplicity crosses them too).
 */
export async function estimateSize(dir: string, opts: { deadline: number; maxEntries?: number }): Promise<SizeEstimate> {
  let bytes = 0;
  let seen = 0;
  const max = opts.maxEntries ?? 100_000;
  const queue = [dir];
  while (queue.length) {
    if (Date.now() > opts.deadline || seen > max) return { bytes, partial: true };
    const current = queue.pop()!;
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    const files: string[] = [];
    for (const e of entries) {
      seen++;
      const path = join(current, e.name);
      if (e.isDirectory()) queue.push(path);
      else if (e.isFile()) files.push(path);
    }
    // stat in small batches: far quicker than one at a time, without opening thousands of handles.
    for (let i = 0; i < files.length; i += 64) {
      if (Date.now() > opts.deadline) return { bytes, partial: true };
      const sizes = await Promise.all(files.slice(i, i + 64).map((f) => lstat(f).then((s) => s.size, () => 0)));
      for (const s of sizes) bytes += s;
    }
  }
  return { bytes, partial: false };
}

/** The usual folders that exist here (and are folders, not links), each with a quick size estimate. */
export async function folderCandidates(opts: { budgetMs?: number; folders?: string[] } = {}): Promise<FolderCandidate[]> {
  const folders = opts.folders ?? USUAL_FOLDERS;
  const present = (await Promise.all(folders.map(async (f) => ((await lstat(f).catch(() => undefined))?.isDirectory() ? f : undefined))))
    .filter((f): f is string => !!f);
  // One shared deadline: the whole screen waits at most the budget, however many folders there are.
  const deadline = Date.now() + (opts.budgetMs ?? 1500);
  const sizes = await Promise.all(present.map((f) => estimateSize(f, { deadline })));
  return present.map((path, i) => ({ path, size: sizes[i]!, preselected: PRESELECTED.has(path) }));
}

/** True when a path names an existing folder. */
export async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
