import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Cancelled } from '../../prompt/port';
import { checked, type Action } from '../duplicity/flags';
import { LogFdParser, type LogRecord } from '../duplicity/logfd';
import { spawnWatched, stallMsFrom } from '../exec-watchdog';
import { removeOnExit } from '../exit-cleanup';

export interface DuplicityRun {
  /** duplicity's arguments without --log-fd (added here): the action first, then only options it takes. */
  args: [Action, ...string[]];
  /** Words before duplicity's own (a python launcher that hands raw-byte paths on: duplicity/byte-safe.ts). */
  prefix?: string[];
  /** The whole environment of the child: cron-like, nothing inherited by accident. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Each machine-readable record as it arrives; lets callers stream 100 000 entries without buffering. */
  onRecord?: (record: LogRecord) => void;
  /** The duplicity program (tests point it elsewhere). */
  program?: string;
  /** No progress for this long stops duplicity; default DUPLISWIFT_STALL_SECONDS (10 minutes). */
  stallMs?: number;
}

export interface DuplicityOutcome {
  exitCode: number;
  /** The last 64 KiB of stderr: enough for gpg's log, bounded for huge runs. */
  stderr: string;
  /** ERROR and WARNING records, kept for error messages (the last 200). */
  problems: LogRecord[];
  /** NOTICE records (verify's "Difference found" lines, summaries). */
  notices: LogRecord[];
  /** Why duplicity was stopped before it ended on its own: a corrupt or wrongly signed volume, or a stall. */
  stopped?: { reason: 'bad-volume' | 'stalled'; seconds?: number };
}

const TAIL = 64 * 1024;

/** Every restore temp folder holds the pid of its process, so a later run can tell a dead one's leftovers. */
export const TEMP_PREFIX = 'dupliswift-restore-';

/**
 * duplicity 0.8 hangs for ever after these fatal errors (a volume whose hash differs from the manifest,
 * a volume signed by another key): when one is logged, it is stopped at once.
 */
const FATAL_VOLUME = new Set<number>([21, 22]);

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name)).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/**
 * Runs duplicity with its machine log on fd 3, parsing records line by line as they stream in, in a
 * process group of its own with a temp folder of its own (TMPDIR): whatever stops it (Ctrl-C, a stall,
 * a corrupt volume, our own exit) ends the group and removes that folder with the volumes it held.
 * Secrets travel in `env` only (PASSPHRASE, SWIFT_PASSWORD): never in argv.
 */
export async function runDuplicity(job: DuplicityRun): Promise<DuplicityOutcome> {
  if (job.signal?.aborted) throw new Cancelled();
  const [action, ...rest] = job.args;
  checked(action, rest);
  const temp = await mkdtemp(join(tmpdir(), `${TEMP_PREFIX}tmp-${process.pid}-`));
  const release = removeOnExit(temp);
  try {
    const stallMs = job.stallMs ?? stallMsFrom(process.env);
    const run = spawnWatched({
      program: job.program ?? 'duplicity',
      args: [...(job.prefix ?? []), ...job.args, '--log-fd', '3'],
      env: { ...job.env, TMPDIR: temp },
      extraFds: 1,
      signal: job.signal,
      stallMs,
      // Downloads and decryption write here before anything is logged.
      progress: () => treeBytes(temp),
    });
    const problems: LogRecord[] = [];
    const notices: LogRecord[] = [];
    let stderr = '';
    let badVolume = false;
    const parser = new LogFdParser();
    const take = (record: LogRecord | undefined) => {
      if (!record) return;
      if (record.level === 'ERROR' || record.level === 'WARNING') {
        problems.push(record);
        if (problems.length > 200) problems.shift();
        if (record.level === 'ERROR' && FATAL_VOLUME.has(record.code)) {
          badVolume = true;
          run.stop('bad-volume');
        }
      } else if (record.level === 'NOTICE' && notices.length < 10_000) notices.push(record);
      job.onRecord?.(record);
    };
    run.stdout.resume();
    run.stderr.setEncoding('utf8');
    run.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-TAIL);
    });
    const lines = createInterface({ input: run.fds[0]!, crlfDelay: Infinity });
    lines.on('line', (line) => take(parser.line(line)));
    const logDone = new Promise<void>((done) => lines.on('close', () => done()));
    const result = await run.done;
    await logDone;
    take(parser.flush());
    if (result.stopped === 'cancelled' || job.signal?.aborted) throw new Cancelled();
    if (result.notFound) return { exitCode: 127, stderr: `${job.program ?? 'duplicity'}: not found`, problems, notices };
    const stopped = badVolume ? { reason: 'bad-volume' as const } : result.stopped === 'stalled' ? { reason: 'stalled' as const, seconds: Math.round(stallMs / 1000) } : undefined;
    return { exitCode: stopped && result.exitCode === 0 ? 1 : result.exitCode, stderr, problems, notices, stopped };
  } finally {
    await rm(temp, { recursive: true, force: true });
    release();
  }
}

/** The ERROR code duplicity logged for a bad volume (21: hash mismatch, 22: signer), if any. */
export function badVolumeCode(outcome: DuplicityOutcome): number | undefined {
  return outcome.problems.find((r) => r.level === 'ERROR' && FATAL_VOLUME.has(r.code))?.code;
}
