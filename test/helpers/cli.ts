import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = `${repoRoot}bin/dupliswift.js`;

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would, without a terminal (stdin is a pipe or /dev/null).
 * `env` replaces nothing by default; pass `cleanEnv: true` to start from an empty environment
 * (plus PATH and HOME), as cron does.
 */
export async function runCli(
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv; input?: string; cleanEnv?: boolean; cwd?: string; timeoutMs?: number;
    /** Runs the CLI inside another command (test/helpers/exec-trace.ts: under strace). */
    wrap?: (file: string, args: string[]) => [string, string[]];
  } = {},
): Promise<CliResult> {
  const env = opts.cleanEnv ? { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME, ...opts.env } : { ...opts.env };
  const command: [string, string[]] = [process.execPath, [binPath, ...args]];
  const [file, fileArgs] = opts.wrap ? opts.wrap(...command) : command;
  const result = await execa(file, fileArgs, {
    env,
    extendEnv: !opts.cleanEnv,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    reject: false,
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Parses the CLI's --json stdout, failing with the whole output when it is not JSON. */
export function parseJson<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.exitCode}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
