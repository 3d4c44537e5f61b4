/**
 * The prompt port: the only way a flow talks to a person. Flows are plain async code against this
 * interface; the Ink TUI, the @inquirer line mode and the answers file each implement it, so one flow
 * serves all three.
 *
 * Every question carries an `id`: a dotted path into the answers file (`openstack.authUrl`), which is
 * how the non-interactive front end finds its answer and how tests name a question.
 */

export type Tone = 'info' | 'success' | 'warning' | 'error';

export interface Choice<T> {
  value: T;
  label: string;
  hint?: string;
}

interface BaseQuestion {
  /** Dotted path into the answers file; also the stable name of the question. */
  id: string;
  message: string;
  /** One line of help shown under the question. */
  help?: string;
}

export interface TextQuestion extends BaseQuestion {
  default?: string;
  /** An answers file may leave it out: its default applies even without --yes (a setting most never need). */
  optional?: boolean;
  /** An older answers key that answers this question too when `id` is absent ("source" for "sources"). */
  alias?: string;
  /** Returns the problem (and its fix) in words, or undefined when the value is fine. */
  validate?: (value: string) => string | undefined;
}

export interface SecretQuestion extends BaseQuestion {
  /** The environment variable that answers this question when no person is asked. */
  env: string;
  /** Ask a second time and compare (new passphrases). */
  confirm?: boolean;
  /** Shown under the input while typing: strength of a new passphrase, for example. */
  assess?: (value: string) => string | undefined;
  validate?: (value: string) => string | undefined;
}

/**
 * A select with one choice is not put to a person: a terminal front end shows the choice and takes
 * it. An answers file that names something else still fails, so flows can always ask and let the
 * answers be checked against what is really there.
 */
export interface SelectQuestion<T> extends BaseQuestion {
  choices: Choice<T>[];
  default?: T;
  /**
   * How an answers file's value at `id` maps onto a choice's value, when it is not simply equal:
   * a fingerprint written in lower case, or `{"generate": {...}}` meaning "generate". Returns
   * undefined when the value means none of the choices.
   */
  fromAnswer?: (raw: unknown) => T | undefined;
}

export interface ConfirmQuestion extends BaseQuestion {
  default?: boolean;
  /**
   * The answer could destroy or overwrite something. `--yes` never answers such a question: only
   * an explicit answer in the answers file or a person does.
   */
  destructive?: boolean;
  /** For a destructive question: why an answers run without an explicit answer is refused, and the fix. */
  refusal?: { message: string; fix: string };
}

export interface StepInfo {
  id: string;
  title: string;
}

export type StepState = 'todo' | 'current' | 'done' | 'skipped' | 'failed';

export type ReportProgress = (detail: string, fraction?: number) => void;

export interface Prompter {
  readonly kind: 'tui' | 'plain' | 'answers';
  /**
   * What an answers file says at `id`, without asking anyone (only the answers front end has one):
   * for settings a person is never asked up front (a CA file, how to log in) but a file may give.
   */
  given?(id: string): unknown;
  text(q: TextQuestion): Promise<string>;
  secret(q: SecretQuestion): Promise<string>;
  select<T>(q: SelectQuestion<T>): Promise<T>;
  confirm(q: ConfirmQuestion): Promise<boolean>;
  /** Runs work with progress shown; the title is in the past tense once done ("Keys generated"). */
  task<T>(title: { running: string; done: string }, run: (report: ReportProgress) => Promise<T>): Promise<T>;
  show(message: { title: string; lines?: string[]; tone?: Tone }): void;
  /** The wizard's step rail; front ends without one may print a heading. */
  steps(all: StepInfo[], states: Record<string, StepState>): void;
  close(): Promise<void>;
}

/** Thrown by a prompt when the person asks to go back one step (Esc in the TUI). */
export class GoBack extends Error {
  constructor() {
    super('go back');
    this.name = 'GoBack';
  }
}

/** Thrown by a prompt when the person quits (Ctrl-C, q). Nothing half-done may be written after it. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}
