
export interface RunOptions {
  /** Written to the child's stdin; the way secrets reach gpg (never argv). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Replace the environment instead of extending ours (cron-like runs). */
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
    env: opts.env,
    extendEnv: opts.extendEnv ?? true,
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
