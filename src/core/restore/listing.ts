import { runDuplicity } from './duplicity-run';
import { duplicityCommand } from '../duplicity/byte-safe';
import { duplicityFailure } from './failure';
import { INFO, parseDuplicityTime, unescapeDuplicityPath, type LogRecord } from '../duplicity/logfd';
import { backendUrl, commonArgs, duplicityEnv, type BackupSource } from './source';

export type EntryType = 'reg' | 'dir' | 'sym' | 'fifo' | 'sock' | 'chr' | 'blk' | 'other';

export interface Entry {
  path: string;
  type: EntryType;
  mtime: Date;
}

const TYPES = new Set(['reg', 'dir', 'sym', 'fifo', 'sock', 'chr', 'blk']);

/**
 * One list-current-files record (`20261126T073510Z 'sub/b.txt' reg`) to an entry; the root `.` is
 * skipped. The path keeps undecodable bytes as U+DCHH (names.ts): displayPath() for screens.
 */
export function parseListRecord(record: LogRecord): Entry | undefined {
  if (record.level !== 'INFO' || record.code !== INFO.fileList) return undefined;
  const m = /^(\S+) ('.*') (\S+)$/.exec(record.control[0] ?? '');
  if (!m) return undefined;
  const path = unescapeDuplicityPath(m[2]!);
  if (path === '.' || path === '') return undefined;
  const mtime = parseDuplicityTime(m[1]!) ?? new Date(0);
  return { path, type: (TYPES.has(m[3]!) ? m[3] : 'other') as EntryType, mtime };
}

/**
 * The files of one point in time, kept as parallel arrays (no object per file): 100 000 entries stay
 * a few MB, and filtering them is a linear scan over strings that takes milliseconds.
 */
export class FileIndex {
  private readonly paths: string[] = [];
  private readonly lower: string[] = [];
  private readonly types: EntryType[] = [];
  private readonly mtimes: number[] = [];

  add(entry: Entry): void {
    this.paths.push(entry.path);
    this.lower.push(entry.path.toLowerCase());
    this.types.push(entry.type);
    this.mtimes.push(entry.mtime.getTime());
  }

  get size(): number {
    return this.paths.length;
  }

  at(i: number): Entry {
    return { path: this.paths[i]!, type: this.types[i]!, mtime: new Date(this.mtimes[i]!) };
  }

  get(path: string): Entry | undefined {
    const i = this.paths.indexOf(path);
    return i < 0 ? undefined : this.at(i);
  }

  /**
   * Entries whose path contains every word of the query (case-insensitive), in backup order, at most
   * `limit`; `total` says how many matched in all, so a screen can say "and 4 512 more".
   */
  filter(query: string, limit = 200): { entries: Entry[]; total: number } {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const entries: Entry[] = [];
    let total = 0;
    for (let i = 0; i < this.lower.length; i++) {
      const path = this.lower[i]!;
      if (words.every((w) => path.includes(w))) {
        total++;
        if (entries.length < limit) entries.push(this.at(i));
      }
    }
    return { entries, total };
  }

  /** Regular files, for picking a drill sample. */
  regularFiles(): Entry[] {
    const out: Entry[] = [];
    for (let i = 0; i < this.types.length; i++) if (this.types[i] === 'reg') out.push(this.at(i));
    return out;
  }
}

/**
 * Streams `list-current-files` into an index, reporting the count as it grows; nothing holds the
 * whole output as one string.
 */
export async function listFiles(
  source: BackupSource,
  opts: { time?: string; signal?: AbortSignal; onProgress?: (count: number) => void } = {},
): Promise<FileIndex> {
  const index = new FileIndex();
  let lastReport = 0;
  // Byte-safe: a record naming a non-UTF-8 file would otherwise be dropped by duplicity's log.
  const dup = await duplicityCommand(source.duplicity?.path);
  const outcome = await runDuplicity({
    program: dup.program,
    prefix: dup.prefix,
    args: ['list-current-files', ...commonArgs(source), ...(opts.time ? ['--time', opts.time] : []), backendUrl(source)],
    env: duplicityEnv(source),
    signal: opts.signal,
    onRecord: (record) => {
      const entry = parseListRecord(record);
      if (!entry) return;
      index.add(entry);
      if (opts.onProgress && index.size - lastReport >= 5000) {
        lastReport = index.size;
        opts.onProgress(index.size);
      }
    },
  });
  if (outcome.exitCode !== 0) throw duplicityFailure('Listing the files', outcome);
  opts.onProgress?.(index.size);
  return index;
}
