import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlagFamily } from '../duplicity/version';
import { UserError } from '../errors';
import { listFiles, type Entry } from './listing';
import { pathFlag, restore } from './restore';
import type { BackupSource } from './source';
import { shq } from '../schedule/shell-quote';
import drillFunction from '../schedule/job-sh/drill.sh';

export interface DrillReport {
  ok: boolean;
  sample: string;
  bytes: number;
  seconds: number;
  /** identical: same bytes as the live file; live-changed: the live file moved on since (not a failure). */
  comparison: 'identical' | 'differs' | 'live-changed' | 'live-missing' | 'not-compared';
  sha256: string;
}

/** The same sample for the same list and day, different ones across days: drills walk the backup. */
export function pickSample(files: Entry[], seed: string): Entry | undefined {
  if (!files.length) return undefined;
  const n = createHash('sha256').update(seed).digest().readUInt32BE(0);
  return files[n % files.length];
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A restore drill, as Deja Dup checks its backups: restore one file of the newest backup into a
 * temp folder and, when the live file has not changed since, compare their bytes. Touches nothing
 * but its own temp folder.
 */
export async function drill(opts: {
  source: BackupSource;
  /** The live folder that was backed up, for the comparison; absent on another machine. */
  liveRoot?: string;
  /** Drill this file instead of a sample. */
  path?: string;
  flagFamily: FlagFamily;
  signal?: AbortSignal;
  seed?: string;
}): Promise<DrillReport> {
  const started = Date.now();
  const index = await listFiles(opts.source, { signal: opts.signal });
  const sample = opts.path ? index.get(opts.path) : pickSample(index.regularFiles(), opts.seed ?? new Date().toISOString().slice(0, 10));
  if (!sample) throw new UserError(opts.path ? `${opts.path} is not in the newest backup.` : 'The newest backup holds no regular file to drill with.', { code: 'drill-empty' });
  const dir = await mkdtemp(join(tmpdir(), 'dupliswift-drill-'));
  try {
    const summary = await restore({ source: opts.source, path: sample.path, target: join(dir, 'out'), flagFamily: opts.flagFamily, signal: opts.signal });
    const restored = summary.restoredAt;
    const digest = await sha256(restored);
    let comparison: DrillReport['comparison'] = 'not-compared';
    if (opts.liveRoot) {
      const live = join(opts.liveRoot, sample.path);
      const st = await lstat(live).catch(() => undefined);
      if (!st) comparison = 'live-missing';
      else if (Math.floor(st.mtimeMs / 1000) !== Math.floor(sample.mtime.getTime() / 1000)) comparison = 'live-changed';
      else comparison = (await sha256(live)) === digest ? 'identical' : 'differs';
    }
    return { ok: comparison !== 'differs', sample: sample.path, bytes: summary.bytes, seconds: (Date.now() - started) / 1000, comparison, sha256: digest };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The drill as a standalone bash fragment (the backup script carries the same function): the values
 * it reads, then `dupliswift_restore_drill`. It expects what the backup itself uses exported:
 * GNUPGHOME, PASSPHRASE, SIGN_PASSPHRASE and the SWIFT_* variables. Without `archiveDir` it starts
 * from an empty cache, as a new machine would (and never contends for the job's). It restores one
 * sample file of the newest backup into a temp folder, compares it with the live file when that is
 * unchanged, prints one line, and returns non-zero on failure so the script's alerting fires.
 */
export function drillScriptFragment(opts: { duplicity: string; family: FlagFamily; url: string; archiveDir?: string; source: string }): string {
  return [
    `DUPLICITY=${shq(opts.duplicity)}`,
    `TARGET=${shq(opts.url)}`,
    `SOURCE=${shq(opts.source)}`,
    `DRILL_CACHE=${shq(opts.archiveDir ?? '')}`,
    `RESTORE_FLAG=${pathFlag(opts.family)}`,
    drillFunction,
  ].join('\n');
}
