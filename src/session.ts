import { readFile } from 'node:fs/promises';
import { UsageError } from './core/errors';
import type { Prompter } from './prompt/port';

export interface FrontEndOptions {
  plain?: boolean;
  answers?: string;
  yes?: boolean;
  /** Answers from command-line flags; consulted before asking anyone. */
  flagAnswers?: Record<string, unknown>;
  /** Which flag answers which question id, so a missing answer names the flag to pass. */
  flagFor?: Record<string, string>;
  /** The TUI's title ("setup", "restore"); commands without one use line mode when they must ask. */
  title?: string;
}

export interface Session {
  prompt: Prompter;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** Progress and human messages; stderr when stdout carries JSON. */
  log: (line: string) => void;
  /** With --answers: the file's answers (and the flags over them), for a flow to check whole before it starts. */
  answers?: { values: Record<string, unknown>; yes: boolean; source: string };
}

export const SECRET_ENV_HELP =
  'Secrets come from the environment: OS_PASSWORD, DUPLISWIFT_ENCRYPT_PASSPHRASE, DUPLISWIFT_SIGN_PASSPHRASE.';

/** A terminal we may ask on: both ends are TTYs. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

export function wantsPlain(opts: FrontEndOptions, env: NodeJS.ProcessEnv): boolean {
  return Boolean(opts.plain) || env.TERM === 'dumb';
}

async function readAnswersFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the answers file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, 'Check the path given to --answers.');
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`The answers file ${path} is not a JSON object (${(error as Error).message}).`, 'Write it as one JSON object, e.g. {"profile": "nightly", …}; see schema/answers.schema.json.');
  }
}

/**
 * The one CanPrompt gate: an answers file means nobody is asked; otherwise a terminal gets the TUI
 * (or line mode with --plain / TERM=dumb); no terminal and no answers means refusing, not hanging.
 * Exactly one front end owns stdin in a process.
 */
export async function openSession(opts: FrontEndOptions, hooks: { onCancel: () => void; signal: AbortSignal }): Promise<Session> {
  const env = process.env;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { AnswersPrompter } = await import('./prompt/answers/answers-prompter');

  if (opts.answers) {
    const answers = await readAnswersFile(opts.answers);
    if (opts.title === 'setup') {
      const { validateSetupAnswers } = await import('./prompt/answers/schema');
      validateSetupAnswers(answers, opts.answers);
      const { backupSetProblems } = await import('./core/sources/answers-check');
      const problems = backupSetProblems(answers);
      if (problems.length) throw new UsageError(`The answers file ${opts.answers} does not say what to back up in a usable way:\n  - ${problems.join('\n  - ')}`, 'Fix those keys; see schema/answers.schema.json and the README ("What is backed up").');
    }
    const merged = { ...answers, ...(opts.flagAnswers ?? {}) };
    const source = `answers file ${opts.answers}`;
    return {
      prompt: new AnswersPrompter({ answers: merged, env, yes: Boolean(opts.yes), log, source }), signal: hooks.signal, env, log,
      answers: { values: merged, yes: Boolean(opts.yes), source },
    };
  }

  let interactive: Prompter | undefined;
  if (canPrompt()) {
    if (wantsPlain(opts, env) || !opts.title) {
      const { PlainPrompter } = await import('./prompt/plain/plain-prompter');
      interactive = new PlainPrompter();
    } else {
      const { loadInkPrompter } = await import('./prompt/ink/load');
      const { InkPrompter } = await loadInkPrompter();
      interactive = new InkPrompter({ title: opts.title, onCancel: hooks.onCancel });
    }
  }

  if (opts.flagAnswers && Object.keys(opts.flagAnswers).length > 0 || !interactive) {
    // Flags answer what they can; a terminal (if any) answers the rest.
    const source = interactive ? 'command line' : 'command line (no terminal to ask on)';
    const prompt = new AnswersPrompter({ answers: opts.flagAnswers ?? {}, env, yes: Boolean(opts.yes), fallback: interactive, log, source, flagFor: opts.flagFor });
    if (!interactive && opts.title) {
      throw new UsageError(
        'dupliswift needs a terminal to ask its questions, and none is attached.',
        `Run it in a terminal, or pass --answers FILE --yes (see schema/answers.schema.json). ${SECRET_ENV_HELP}`,
      );
    }
    return { prompt, signal: hooks.signal, env, log };
  }
  return { prompt: interactive, signal: hooks.signal, env, log };
}
