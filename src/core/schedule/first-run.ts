import { isUtf8 } from 'node:buffer';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Cancelled } from '../../prompt/port';
import { explainError, firstError, INFO, LogFdParser, unescapeDuplicityPath, uploadProgress, type LogRecord } from '../duplicity/logfd';
import { UserError } from '../errors';
import { spawnWatched } from '../exec-watchdog';
import { formatBytes } from '../words';

/** The environment cron gives a job: next to nothing. The first run uses it too, so it proves the schedule. */
export function cronEnv(home: string): Record<string, string> {
  return { PATH: '/usr/bin:/bin', HOME: home, SHELL: '/bin/sh', LOGNAME: process.env.USER ?? 'root' };
}

export interface ScriptRun {
  exitCode: number;
  /** ERROR and WARNING records (the last 100): what a failure is explained from. */
  problems: LogRecord[];
  /** collection-status's summary record (`backup.sh status`), when there was one. */
  collection?: LogRecord;
  /** The last 64 KiB of stderr. */
  stderr: string;
}

const TAIL = 64 * 1024;

/**
 * Runs the backup script as cron would (no terminal, cron's environment) with duplicity's machine log
 * on fd 3, streamed: each record goes to `onRecord` and is dropped, except the few a result needs, so
 * a first backup of millions of files holds no more memory than one of ten (the log was once buffered
 * whole: past 100 MB fd 3 closed and Python wrote a BrokenPipeError traceback per record). The script
 * runs in a process group of its own; Ctrl-C stops the whole group.
 */
export async function runScript(script: string, args: string[], opts: { home: string; onRecord?: (r: LogRecord) => void; signal?: AbortSignal; env?: Record<string, string> }): Promise<ScriptRun> {
  if (opts.signal?.aborted) throw new Cancelled();
  const run = spawnWatched({
    program: '/bin/bash',
    args: [script, ...args],
    env: { ...cronEnv(opts.home), ...opts.env, DUPLISWIFT_LOG_FD: '3' },
    extraFds: 1,
    signal: opts.signal,
  });
  const parser = new LogFdParser();
  const problems: LogRecord[] = [];
  let collection: LogRecord | undefined;
  let stderr = '';
  const take = (list: LogRecord[]) => {
    for (const r of list) {
      if (r.level === 'ERROR' || r.level === 'WARNING') {
        problems.push(r);
        if (problems.length > 100) problems.shift();
      } else if (r.level === 'INFO' && r.code === INFO.collectionStatus) collection = r;
      opts.onRecord?.(r);
    }
  };
  run.stdout.resume();
  run.stderr.setEncoding('utf8');
  run.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-TAIL);
  });
  const fd3 = run.fds[0]!;
  fd3.setEncoding('utf8');
  fd3.on('data', (chunk: string) => take(parser.push(chunk)));
  const fd3Done = new Promise<void>((done) => fd3.on('close', () => done()));
  const result = await run.done;
  await fd3Done;
  take(parser.end());
  if (result.stopped === 'cancelled' || opts.signal?.aborted) throw new Cancelled();
  return { exitCode: result.notFound ? 127 : result.exitCode, problems, collection, stderr };
}

/** Turns a failed run into a UserError: duplicity's code, what it means, how to fix it. */
export function failureOf(run: ScriptRun, logFile: string): UserError {
  const error = firstError(run.problems);
  const code = error?.code || run.exitCode;
  const text = error ? error.message.join('\n') : run.stderr;
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^=====/.test(l));
  // gpg's own complaint ("signing failed: Bad passphrase") says more than duplicity's last line.
  const detail = lines.find((l) => /^gpg: .*(failed|bad|no (public|secret) key)/i.test(l)) ?? lines[lines.length - 1] ?? '';
  if (run.exitCode === 75) return new UserError('Another backup of this profile is running.', { fix: 'Wait for it to finish, then run again.', code: 'locked' });
  // 78 is the job's own "setup problem" (die in log.sh), said before duplicity ever ran: not a duplicity code.
  if (run.exitCode === 78 && !error) {
    const said = run.stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop()?.replace(/^dupliswift \S+: /, '') ?? 'see the log';
    return new UserError(`The backup job stopped before duplicity ran (exit 78, a setup problem): ${said}.`, { fix: `Fix that, then run the job again. The full log is ${logFile}.`, code: 'job-setup' });
  }
  const explained = explainError(code, detail, text);
  return new UserError(`The backup failed (exit ${run.exitCode}): ${explained.message}`, { fix: `${explained.fix} The full log is ${logFile}.`, code: `duplicity-${code}` });
}

/** A small regular file from the source to restore as a test (respecting the exclude list by prefix). */
export async function pickTestFile(source: string, exclude: string[]): Promise<string | undefined> {
  const queue = [source];
  let best: { path: string; size: number } | undefined;
  let seen = 0;
  while (queue.length && seen < 2000) {
    const dir = queue.shift()!;
    // Names as bytes: one that is not UTF-8 (latin1-\xe9.txt) cannot be passed to backup.sh as an
    // argument from here, so it is never the sample; as a decoded string it would not even stat.
    const raw = await readdir(dir, { withFileTypes: true, encoding: 'buffer' }).catch(() => []);
    const entries = raw.filter((e) => isUtf8(e.name)).map((e) => ({ name: e.name.toString('utf8'), isDirectory: () => e.isDirectory(), isFile: () => e.isFile() }));
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (exclude.some((x) => path === x || path.startsWith(`${x}/`))) continue;
      seen++;
      if (e.isDirectory()) queue.push(path);
      else if (e.isFile()) {
        const size = (await stat(path)).size;
        if (size > 0 && (!best || size < best.size)) best = { path, size };
      }
    }
  }
  return best && relative(source, best.path);
}

export interface Verification {
  chains: number;
  testFile?: string;
  /** Undefined when not compared: no file to test, or it changed after it was chosen (`changed`). */
  identical?: boolean;
  /** The test file's size or mtime moved since before the backup: a comparison would be a false alarm. */
  changed?: boolean;
}

/** The file the first-run check will restore, with its size and mtime as they were before the backup. */
export interface TestFileProbe {
  rel: string;
  size: number;
  mtimeMs: number;
}

/** Picks the test file and notes its size and mtime; call it before the backup starts. */
export async function probeTestFile(source: string, exclude: string[], roots?: string[]): Promise<TestFileProbe | undefined> {
  // Several folders under /: the test file comes from one of them, named relative to /.
  for (const root of roots ?? [source]) {
    const inRoot = await pickTestFile(root, exclude);
    if (inRoot === undefined) continue;
    const rel = roots ? relative(source, join(root, inRoot)) : inRoot;
    const st = await stat(join(source, rel)).catch(() => undefined);
    return st ? { rel, size: st.size, mtimeMs: st.mtimeMs } : undefined;
  }
  return undefined;
}

/**
 * collection-status, then a restore of one file into a temporary folder, compared byte for byte, but
 * only when the live file is as it was before the backup (size, mtime) and the restored copy has its
 * mtime: a file that changed during or after the backup differs for no fault of the backup.
 */
export async function verifyBackup(opts: { script: string; source: string; roots?: string[]; exclude: string[]; home: string; signal?: AbortSignal; probe?: TestFileProbe }): Promise<Verification> {
  const status = await runScript(opts.script, ['status'], { home: opts.home, signal: opts.signal });
  if (status.exitCode !== 0) throw failureOf(status, 'the output above');
  const collection = status.collection;
  // The summary lines: "chain-complete" / "chain-no-sig N", each followed by " full|inc TIME VOLUMES enc".
  const chains = collection ? collection.control.filter((l) => /^chain-(complete|no-sig)/.test(l)).length : 0;
  const probe = opts.probe ?? (await probeTestFile(opts.source, opts.exclude, opts.roots));
  if (!probe) return { chains };
  const rel = probe.rel;
  const temp = await mkdtemp(join(tmpdir(), 'dupliswift-verify-'));
  try {
    const dest = join(temp, 'restored');
    const restored = await runScript(opts.script, ['restore', rel, dest], { home: opts.home, signal: opts.signal });
    if (restored.exitCode !== 0) throw failureOf(restored, 'the output above');
    const [live, copy] = await Promise.all([stat(join(opts.source, rel)).catch(() => undefined), stat(dest)]);
    const unchanged = live !== undefined && live.size === probe.size && live.mtimeMs === probe.mtimeMs && Math.floor(copy.mtimeMs / 1000) === Math.floor(live.mtimeMs / 1000);
    if (!unchanged) return { chains, testFile: rel, changed: true };
    const [a, b] = await Promise.all([readFile(join(opts.source, rel)), readFile(dest)]);
    return { chains, testFile: rel, identical: a.equals(b) };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Bytes under the source (excludes by prefix), for a progress fraction; undefined when the tree is too big to count quickly. */
export async function sourceBytes(source: string, exclude: string[], limit = 200_000): Promise<number | undefined> {
  let total = 0;
  let seen = 0;
  const queue = [source];
  while (queue.length) {
    const dir = queue.pop()!;
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (++seen > limit) return undefined;
      const path = join(dir, e.name);
      if (exclude.some((x) => path === x || path.startsWith(`${x}/`))) continue;
      if (e.isDirectory()) queue.push(path);
      else if (e.isFile()) total += (await stat(path).catch(() => undefined))?.size ?? 0;
    }
  }
  return total;
}

/** Progress words from a log record: bytes processed (of the source's total), uploads, or the file at hand. */
export function progressOf(record: LogRecord, totalBytes?: number): { detail: string; fraction?: number } | undefined {
  const up = uploadProgress(record);
  if (up) return { detail: `${formatBytes(up.bytes)} uploaded${up.stalled ? ' (stalled)' : ''}`, fraction: Math.min(1, Math.max(0, up.percent / 100)) };
  if (record.level !== 'INFO') return undefined;
  const first = record.control[0] ?? '';
  if (record.code === INFO.progress && first) {
    const done = Number(first.split(' ')[0]);
    // The total is our estimate of the source; duplicity also counts tar headers and files that grew
    // since, so "done" can pass it: the estimate then grows with it, never "496 KiB of 488 KiB".
    const total = totalBytes ? Math.max(totalBytes, done) : undefined;
    const fraction = total ? Math.min(1, done / total) : undefined;
    return { detail: `${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ''} processed`, fraction };
  }
  if (record.code === INFO.uploadBegin || record.code === INFO.asyncUploadBegin) return { detail: 'Uploading a volume to Swift' };
  if (record.code === INFO.fileNew) return { detail: `Reading ${unescapeDuplicityPath(first)}` };
  return undefined;
}
