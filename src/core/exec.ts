
/**
 * What a child may take from our environment: where to find programs and files, the language, and
 * the session buses the keyring and systemd --user need. Never OS_*, DUPLISWIFT_* or anything else the
 * caller's shell holds: a gpg-agent started by a child keeps its environment long after we exit.
 */
const PASSED_ON = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|GNUPGHOME|XDG_RUNTIME_DIR|DBUS_SESSION_BUS_ADDRESS)$/;

/** A child's minimal environment: the passed-on part of `base`, then `extra` (what this child needs) over it. */
export function childEnv(extra: NodeJS.ProcessEnv = {}, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && PASSED_ON.test(key)) env[key] = value;
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export interface RunOptions {
  /** Written to the child's stdin; the way secrets reach gpg (never argv). */
  input?: string;
  /** What this child needs beyond the minimal environment (childEnv), or its whole environment with extendEnv: false. */
  env?: NodeJS.ProcessEnv;
  /** false: `env` is the child's whole environment (cron-like runs); else it is added to childEnv()'s. */
  extendEnv?: boolean;
  cwd?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Extra file descriptors: index 3 and up, each a string to feed (gpg's --passphrase-fd 3). */
  extraInputs?: string[];
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The command was not found at all. */
  notFound: boolean;
}

/** Runs a program to completion; a non-zero exit is data, not an exception. */
export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  // Loaded on first use: the wizard's first frame does not wait for execa to initialise.
  const { execa } = await import('execa');
  const extra = (opts.extraInputs ?? []).map((text) => new TextEncoder().encode(text));
  const result = await execa(file, args, {
    input: opts.input,
    // execa refuses `stdin` beside `stdio`: with extra fds, stdin's choice goes inside stdio.
    stdin: extra.length || opts.input !== undefined ? undefined : 'ignore',
    stdio: extra.length ? [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...extra] : undefined,
    // Never our whole environment: only what childEnv passes on, plus what the caller gave.
    env: opts.extendEnv === false ? opts.env : childEnv(opts.env),
    extendEnv: false,
    cwd: opts.cwd,
    cancelSignal: opts.signal,
    timeout: opts.timeoutMs,
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
  });
  const notFound = (result as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(result.message ?? '')) && result.exitCode === undefined;
  if (result.isCanceled) {
    const { Cancelled } = await import('../prompt/port');
    throw new Cancelled();
  }
  return {
    exitCode: result.exitCode ?? (notFound ? 127 : 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    notFound,
  };
}

/** The absolute path of a program on PATH, or undefined. */
export async function which(program: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const { access, constants } = await import('node:fs/promises');
  const { delimiter, join } = await import('node:path');
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
