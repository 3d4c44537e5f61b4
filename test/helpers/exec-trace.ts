import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One execve(2) that a traced process made (successful or not: its argv was visible either way). */
export interface Exec {
  pid: number;
  /** The program as given to execve. */
  file: string;
  argv: string[];
  env: string[];
  /** execve returned 0 (it ran). */
  ok: boolean;
  /** The pids this process was forked from, nearest first (as far as the trace saw). */
  ancestors: number[];
}

export interface ExecTrace {
  /** Detaches strace and returns every exec it saw, in order. */
  stop(): Promise<Exec[]>;
}

/** Every exec (argv and environment in full, strings in hex) and every fork, so a process's ancestry is known. */
const STRACE_OPTIONS = ['-f', '-qq', '-v', '-xx', '-s', '4096', '-e', 'trace=execve,execveat,clone,clone3,fork,vfork'];

/** strace prints every string in hex (-xx): "\x2f\x75…"; nothing to unescape but \xHH. */
function decodeStrings(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"((?:\\x[0-9a-f]{2})*)"(\.\.\.)?/g)) {
    const hex = m[1]!.replace(/\\x/g, '');
    out.push(Buffer.from(hex, 'hex').toString('utf8'));
  }
  return out;
}

/** Parses strace's -o output (-f, -v, -xx): the execve lines, with "<unfinished ...>" halves joined per pid. */
export function parseExecs(text: string): Exec[] {
  const execs: Exec[] = [];
  const open = new Map<number, string>();
  const parent = new Map<number, number>();
  for (const raw of text.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (!m) continue;
    const pid = Number(m[1]);
    let line = m[2]!;
    const forked = /^(?:<\.\.\. )?(?:clone3?|v?fork)\b.*\)\s*=\s*(\d+)$/.exec(line);
    if (forked) {
      parent.set(Number(forked[1]), pid);
      continue;
    }
    if (line.includes('<unfinished ...>')) {
      if (/^execve(at)?\(/.test(line)) open.set(pid, line.replace(/\s*<unfinished \.\.\.>$/, ''));
      continue;
    }
    const resumed = /^<\.\.\. execve(?:at)? resumed>(.*)$/.exec(line);
    if (resumed) {
      const head = open.get(pid);
      if (head === undefined) continue;
      open.delete(pid);
      line = head + resumed[1]!;
    }
    const call = /^execve(at)?\((.*)\)\s*=\s*(-?\d+)/.exec(line);
    if (!call) continue;
    // execve("FILE", [ARGV], [ENV]); execveat(FD, "FILE", [ARGV], [ENV], FLAGS)
    const body = call[2]!;
    const arrays = [...body.matchAll(/\[([^\]]*)\]/g)].map((a) => decodeStrings(a[1]!));
    const file = decodeStrings(body)[0] ?? '';
    execs.push({ pid, file, argv: arrays[0] ?? [], env: arrays[1] ?? [], ok: call[3] === '0', ancestors: [] });
  }
  // An exec whose strace line never completed still showed its argv: keep it.
  for (const [pid, head] of open) {
    const arrays = [...head.matchAll(/\[([^\]]*)\]/g)].map((a) => decodeStrings(a[1]!));
    execs.push({ pid, file: decodeStrings(head)[0] ?? '', argv: arrays[0] ?? [], env: arrays[1] ?? [], ok: false, ancestors: [] });
  }
  for (const e of execs) {
    for (let p = parent.get(e.pid); p !== undefined && !e.ancestors.includes(p); p = parent.get(p)) e.ancestors.push(p);
  }
  return execs;
}

async function tracerOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^TracerPid:\s*(\d+)/m.exec(status)?.[1] ?? 0);
}

/**
 * Records every exec made by this test process and all its descendants (Debian's strace attached
 * with -f to every thread), from now until stop(): unlike sampling /proc, a child that lives a
 * millisecond is still seen, and its whole argv and environment with it. Fails loudly when strace
 * is missing or cannot attach.
 */
export async function traceExecs(): Promise<ExecTrace> {
  const dir = await mkdtemp(join(tmpdir(), 'ds-exec-trace-'));
  const file = join(dir, 'trace');
  const child = spawn('strace', [...STRACE_OPTIONS, '-o', file, '-p', String(process.pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));
  const started = Date.now();
  for (;;) {
    if ((await tracerOf(process.pid)) === child.pid) break;
    const failed = await Promise.race([exited.then((code) => `strace exited (${code}): ${stderr}`), spawnError.then((e) => `strace did not start: ${e.message}`), new Promise<undefined>((r) => setTimeout(r, 20))]);
    if (failed) throw new Error(`traceExecs: ${failed} (Debian's strace is a test dependency: scripts/install-system-deps.sh)`);
    if (Date.now() - started > 15_000) throw new Error(`traceExecs: strace did not attach in 15 s: ${stderr}`);
  }
  return {
    async stop() {
      child.kill('SIGINT');
      await exited;
      const text = await readFile(file, 'utf8');
      await rm(dir, { recursive: true, force: true });
      return parseExecs(text);
    },
  };
}

/**
 * A recorder for commands a test starts itself (the CLI, the job): `wrap` puts them under strace,
 * `execs` reads what every descendant exec'ed. Each wrapped run appends to the same record.
 *
 * strace -f waits for every tracee, and a gpg-agent started inside lives on: so the wrapped command
 * runs in a bash that, once it is done, writes its exit code down and tells strace (its parent) to
 * detach; the outer bash exits with that code.
 *
 * By default strace installs a seccomp filter so that only execve stops a tracee (node under full
 * ptrace runs ~5x slower); a process that outlives the detach (the gpg-agent) then gets ENOSYS from
 * execve, which an agent in loopback mode never calls, and the tests kill their agents anyway.
 * `ancestry: true` traces forks too, without the filter (slower), so `runsUnder` can tell who started what.
 */
export async function execRecorder(opts: { ancestry?: boolean } = {}): Promise<{ wrap(file: string, args: readonly string[]): [string, string[]]; execs(): Promise<Exec[]>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ds-exec-trace-'));
  let runs = 0;
  const options = opts.ancestry ? [...STRACE_OPTIONS, '-I1'] : [...STRACE_OPTIONS.slice(0, -1), 'trace=execve,execveat', '--seccomp-bpf', '-I1'];
  const inner = 'r=$1; shift; "$@"; echo $? > "$r"; kill -INT "$PPID"';
  const outer = `f=$1 r=$2; shift 2; strace ${options.map((o) => `'${o}'`).join(' ')} -o "$f" -- /bin/bash -c '${inner}' inner "$r" "$@"; ` +
    '[ -s "$r" ] || { echo "exec trace: strace did not run the command (is Debian\x27s strace installed?)" >&2; exit 127; }; exit "$(cat "$r")"';
  return {
    wrap(file, args) {
      runs++;
      return ['/bin/bash', ['-c', outer, 'traced', join(dir, `trace.${runs}`), join(dir, `rc.${runs}`), file, ...args]];
    },
    async execs() {
      if (runs === 0) throw new Error('execRecorder: nothing was run under strace');
      const all: Exec[] = [];
      for (let i = 1; i <= runs; i++) {
        const text = await readFile(join(dir, `trace.${i}`), 'utf8').catch(() => {
          throw new Error(`execRecorder: strace wrote no record for run ${i} (Debian's strace is a test dependency: scripts/install-system-deps.sh)`);
        });
        all.push(...parseExecs(text));
      }
      return all;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * The execs whose argv holds one of the secrets (should be none). Throws when nothing was recorded at
 * all: a trace that saw no exec proves nothing.
 */
export function secretsInArgv(execs: Exec[], secrets: string[]): string[] {
  const wanted = secrets.filter((s) => s.length > 0);
  if (wanted.length === 0) throw new Error('secretsInArgv: no non-empty secret to look for');
  if (execs.length === 0) throw new Error('secretsInArgv: the trace recorded no exec at all; it proves nothing');
  return execs.filter((e) => e.argv.some((a) => wanted.some((s) => a.includes(s)))).map((e) => e.argv.join(' '));
}

/**
 * Whether an exec ran inside a process that had exec'ed `name` (that program itself, or anything it
 * started): what the environment of duplicity passes on is duplicity's business, not the job's.
 */
export function runsUnder(execs: Exec[], e: Exec, name: string): boolean {
  const pids = new Set([e.pid, ...e.ancestors]);
  return execs.some((x) => x.ok && pids.has(x.pid) && x.file.split('/').pop() === name && execs.indexOf(x) <= execs.indexOf(e));
}

/** The execs of a program (by its file's base name). */
export function execsOf(execs: Exec[], name: string): Exec[] {
  return execs.filter((e) => e.ok && (e.file.split('/').pop() === name));
}
