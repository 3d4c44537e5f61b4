import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors';
import { run, type RunResult } from '../exec';

/** GNUPGHOME when set, else ~/.gnupg: the same rule gpg and duplicity follow. */
export function resolveGnupgHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.GNUPGHOME || join(env.HOME || homedir(), '.gnupg');
}

/** Creates the home 0700 when missing; gpg refuses (or warns on every call) with looser modes. */
export async function ensureGnupgHome(home: string): Promise<void> {
  const found = await stat(home).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UserError(`Cannot use the GnuPG home ${home}: ${error.code ?? error.message}.`, { fix: 'Check the path and its permissions, or set GNUPGHOME to another folder.' });
  });
  if (!found) {
    await mkdir(home, { recursive: true, mode: 0o700 });
    return;
  }
  if (!found.isDirectory()) throw new UserError(`The GnuPG home ${home} is not a folder.`, { fix: 'Set GNUPGHOME to a folder (it is created 0700 when missing).' });
}

export interface GpgOptions {
  /** Fed on stdin (key material, a probe), never a secret. */
  input?: string;
  /** Fed on fd 3 with --passphrase-fd 3 in loopback mode: never on the command line. */
  passphrase?: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** gpg in batch mode against one home; a non-zero exit is returned, not thrown. */
export async function gpg(home: string, args: readonly string[], opts: GpgOptions = {}): Promise<RunResult> {
  const secret = opts.passphrase === undefined ? [] : ['--pinentry-mode', 'loopback', '--passphrase-fd', '3'];
  const result = await run('gpg', ['--homedir', home, '--batch', '--no-tty', '--yes', ...secret, ...args], {
    // run() cannot combine an ignored stdin with extra fds: give gpg an empty stdin instead.
    input: opts.input ?? (opts.passphrase === undefined ? undefined : ''),
    extraInputs: opts.passphrase === undefined ? undefined : [`${opts.passphrase}\n`],
    env: { ...opts.env, GNUPGHOME: home },
    signal: opts.signal,
    timeoutMs: 120_000,
  });
  if (result.notFound) throw new UserError('gpg is not installed.', { fix: 'Install GnuPG 2.2 or later (apt-get install gnupg).', code: 'gpg-missing' });
  return result;
}

/** Stops the home's agent: when a throwaway home is done with, and before removing it. */
export async function killAgent(home: string, signal?: AbortSignal): Promise<void> {
  await run('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: home }, signal, timeoutMs: 20_000 });
}

/** The `[GNUPG:] KEYWORD args` lines gpg writes with --status-fd. */
export function statusLines(text: string): Array<{ keyword: string; args: string[] }> {
  return text.split('\n').filter((l) => l.startsWith('[GNUPG:] ')).map((l) => {
    const [keyword = '', ...args] = l.slice(9).trim().split(' ');
    return { keyword, args };
  });
}

/** gpg's human lines only (no status lines), for error messages. */
export function gpgMessage(stderr: string): string {
  return stderr.split('\n').filter((l) => l.trim() && !l.startsWith('[GNUPG:]')).slice(-3).join(' ').trim();
}

export function isBadPassphrase(stderr: string): boolean {
  return /Bad passphrase/i.test(stderr) || statusLines(stderr).some((s) => s.keyword === 'BAD_PASSPHRASE' || (s.keyword === 'ERROR' || s.keyword === 'FAILURE') && /^(11|67108875)$/.test(s.args[1] ?? ''));
}

/**
 * Empties the agent's passphrase cache before any "does this passphrase work?" test, or a cached one
 * would make a wrong answer look right. RELOADAGENT flushes the cache like a restart does (checked:
 * a wrong passphrase fails right after it) without the second a fresh agent takes to start here.
 */
export async function forgetPassphrases(home: string, signal?: AbortSignal): Promise<void> {
  const r = await run('gpg-connect-agent', ['--no-autostart', 'RELOADAGENT', '/bye'], { env: { GNUPGHOME: home }, signal, timeoutMs: 20_000 });
  // No agent running means nothing cached; anything else odd: fall back to the sure way.
  if (r.exitCode !== 0 || /^ERR/m.test(r.stdout)) await killAgent(home, signal);
}
