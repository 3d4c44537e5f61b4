import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Cancelled } from '../../prompt/port';
import { checked, type Action } from '../duplicity/flags';
import { LogFdParser, type LogRecord } from '../duplicity/logfd';

export interface DuplicityRun {
  /** duplicity's arguments without --log-fd (added here): the action first, then only options it takes. */
  args: [Action, ...string[]];
  /** The whole environment of the child: cron-like, nothing inherited by accident. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Each machine-readable record as it arrives; lets callers stream 100 000 entries without buffering. */
  onRecord?: (record: LogRecord) => void;
  /** The duplicity program (tests point it elsewhere). */
  program?: string;
}

export interface DuplicityOutcome {
  exitCode: number;
  /** The last 64 KiB of stderr: enough for gpg's log, bounded for huge runs. */
  stderr: string;
  /** ERROR and WARNING records, kept for error messages. */
  problems: LogRecord[];
  /** NOTICE records (verify's "Difference found" lines, summaries). */
  notices: LogRecord[];
}

const TAIL = 64 * 1024;

/**
 * Runs duplicity with its machine log on fd 3, parsing records line by line as they stream in.
 * Secrets travel in `env` only (PASSPHRASE, SWIFT_PASSWORD): never in argv.
 */
export function runDuplicity(job: DuplicityRun): Promise<DuplicityOutcome> {
  if (job.signal?.aborted) return Promise.reject(new Cancelled());
  const [action, ...rest] = job.args;
  checked(action, rest);
  return new Promise((resolve, reject) => {
    const child = spawn(job.program ?? 'duplicity', [...job.args, '--log-fd', '3'], {
      env: job.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const problems: LogRecord[] = [];
    const notices: LogRecord[] = [];
    let stderr = '';
    const parser = new LogFdParser();
    const take = (record: LogRecord | undefined) => {
      if (!record) return;
      if (record.level === 'ERROR' || record.level === 'WARNING') problems.push(record);
      else if (record.level === 'NOTICE' && notices.length < 10_000) notices.push(record);
      job.onRecord?.(record);
    };
    child.stdout!.resume();
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-TAIL);
    });
    const logStream = child.stdio[3] as Readable;
    const lines = createInterface({ input: logStream, crlfDelay: Infinity });
    lines.on('line', (line) => take(parser.line(line)));
    const logDone = new Promise<void>((done) => lines.on('close', () => done()));

    const onAbort = () => child.kill('SIGTERM');
    job.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error: NodeJS.ErrnoException) => {
      job.signal?.removeEventListener('abort', onAbort);
      if (error.code === 'ENOENT') resolve({ exitCode: 127, stderr: `${job.program ?? 'duplicity'}: not found`, problems, notices });
      else reject(error);
    });
    child.on('close', (code, sig) => {
      void logDone.then(() => {
        take(parser.flush());
        job.signal?.removeEventListener('abort', onAbort);
        if (job.signal?.aborted) reject(new Cancelled());
        else resolve({ exitCode: code ?? (sig ? 128 : 1), stderr, problems, notices });
      });
    });
  });
}
