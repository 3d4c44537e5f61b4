import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { killGroupOnExit } from './exit-cleanup';

/** How long a child may make no progress before it is stopped: DUPLISWIFT_STALL_SECONDS, else 10 minutes. */
export function stallMsFrom(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.DUPLISWIFT_STALL_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 600_000;
}

const SETPRIV = '/usr/bin/setpriv';

export type StopReason = 'cancelled' | 'stalled' | (string & {});

export interface WatchedSpec {
  program: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Pipes for fd 3 and up (duplicity's --log-fd 3), read by the caller as streams. */
  extraFds?: number;
  signal?: AbortSignal;
  /** No output on any stream and no change in `progress()` for this long stops the child ('stalled'). */
  stallMs?: number;
  /** A number that moves while the child works without printing (bytes in its temp folder). */
  progress?: () => Promise<number> | number;
  /** Between TERM and KILL. */
  graceMs?: number;
}

export interface Watched {
  stdout: Readable;
  stderr: Readable;
  fds: Readable[];
  /** Stops the child's whole process group now (TERM, then KILL); the first reason given wins. */
  stop(reason: StopReason): void;
  /** Resolves once the child has exited and every stream has closed. */
  done: Promise<{ exitCode: number; stopped?: StopReason; notFound: boolean }>;
}

/**
 * Starts a program in a process group of its own and watches it: Ctrl-C (the signal), a stall, or the
 * caller's stop() end the whole group (a duplicity with its gpg children), never leaving one behind,
 * and every wait is bounded. A group of its own also keeps a terminal's Ctrl-C from reaching the
 * child before the caller has decided how to stop it.
 */
export function spawnWatched(spec: WatchedSpec): Watched {
  // Killed outright (SIGKILL, the OOM killer), we cannot stop the child: the kernel does, through
  // util-linux's setpriv --pdeathsig, so no orphan keeps restoring into a folder nobody owns.
  const [program, args] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', spec.program, ...spec.args]] : [spec.program, spec.args];
  const child = spawn(program, args, {
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...Array.from({ length: spec.extraFds ?? 0 }, () => 'pipe' as const)],
  });
  const release = child.pid ? killGroupOnExit(child.pid) : () => undefined;
  let stopped: StopReason | undefined;
  let exited = false;
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (sig: NodeJS.Signals) => {
    if (!child.pid || exited) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is gone
    }
  };
  const stop = (reason: StopReason) => {
    if (stopped !== undefined || exited) return;
    stopped = reason;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), spec.graceMs ?? 5000);
  };

  let lastActivity = Date.now();
  let lastProgress: number | undefined;
  const streams = [child.stdout!, child.stderr!, ...child.stdio.slice(3)] as Readable[];
  for (const s of streams) s.on('data', () => (lastActivity = Date.now()));
  const stallMs = spec.stallMs;
  const tick = stallMs ? setInterval(() => {
    void (async () => {
      if (spec.progress) {
        const now = await Promise.resolve(spec.progress()).catch(() => lastProgress);
        if (now !== lastProgress) {
          lastProgress = now;
          lastActivity = Date.now();
        }
      }
      if (Date.now() - lastActivity >= stallMs) stop('stalled');
    })();
  }, Math.min(2000, Math.max(100, stallMs / 4))) : undefined;

  const onAbort = () => stop('cancelled');
  if (spec.signal?.aborted) queueMicrotask(onAbort);
  else spec.signal?.addEventListener('abort', onAbort, { once: true });

  const done = new Promise<{ exitCode: number; stopped?: StopReason; notFound: boolean }>((resolve, reject) => {
    const finish = () => {
      exited = true;
      if (tick) clearInterval(tick);
      if (killTimer) clearTimeout(killTimer);
      spec.signal?.removeEventListener('abort', onAbort);
      release();
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish();
      if (error.code === 'ENOENT') resolve({ exitCode: 127, notFound: true });
      else reject(error);
    });
    child.on('close', (code, sig) => {
      // The group may still hold a child that outlived duplicity (a gpg): end it too.
      if (stopped !== undefined) signalGroup('SIGKILL');
      finish();
      resolve({ exitCode: code ?? (sig ? 128 : 1), stopped, notFound: false });
    });
  });
  return { stdout: child.stdout!, stderr: child.stderr!, fds: child.stdio.slice(3) as Readable[], stop, done };
}
