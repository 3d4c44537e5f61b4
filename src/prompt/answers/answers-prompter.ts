import { UsageError } from '../../core/errors';
import type {
  ConfirmQuestion, Prompter, ReportProgress, SecretQuestion, SelectQuestion, StepInfo, StepState, TextQuestion, Tone,
} from '../port';

export interface AnswersOptions {
  answers: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** --yes: take each question's default where the answers say nothing (never for destructive ones). */
  yes: boolean;
  /** Where the answers say nothing and no default applies: ask here (a terminal) or fail. */
  fallback?: Prompter;
  /** Where progress and results go; stderr, so --json output on stdout stays clean. */
  log: (line: string) => void;
  /** Name of the source, for messages ("answers file /etc/x.json", "command line"). */
  source: string;
  /** When the answers are a command's flags: which flag answers which question id, for messages. */
  flagFor?: Record<string, string>;
}

/** Reads a dotted path (`openstack.authUrl`) from nested objects. */
export function lookup(answers: Record<string, unknown>, path: string): unknown {
  let node: unknown = answers;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in (node as object))) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** The non-interactive front end: every answer comes from a file (or flags), secrets from the environment. */
export class AnswersPrompter implements Prompter {
  readonly kind = 'answers' as const;

  constructor(private readonly opts: AnswersOptions) {}

  given(id: string): unknown {
    return lookup(this.opts.answers, id);
  }

  private missing(id: string, message: string): never {
    const flag = this.opts.flagFor?.[id];
    if (flag) throw new UsageError(`${message.replace(/[?:]\s*$/, '')}: no terminal to ask on, and ${flag.split(' ')[0]} was not given.`, `Pass ${flag}.`);
    throw new UsageError(
      `The ${this.opts.source} has no answer for "${id}" (${message.replace(/[?:]\s*$/, '')}).`,
      `Add "${id}" to it${this.opts.yes ? '' : ', or pass --yes to accept the defaults'}.`,
    );
  }

  async text(q: TextQuestion): Promise<string> {
    const value = lookup(this.opts.answers, q.id) ?? (q.alias === undefined ? undefined : lookup(this.opts.answers, q.alias));
    if (value === undefined) {
      if (q.default !== undefined && (this.opts.yes || q.optional)) return q.default;
      if (this.opts.fallback) return this.opts.fallback.text(q);
      this.missing(q.id, q.message);
    }
    // A list of strings (e.g. "exclude") reaches the flow as one line per item.
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      const lines = value.join('\n');
      const problem = q.validate?.(lines);
      if (problem) throw new UsageError(`"${q.id}" in the ${this.opts.source}: ${problem}`);
      return lines;
    }
    // Structured answers ("databases": [{...}]) reach the flow as their JSON, which it parses.
    if (value !== null && typeof value === 'object') {
      const json = JSON.stringify(value);
      const problem = q.validate?.(json);
      if (problem) throw new UsageError(`"${q.id}" in the ${this.opts.source}: ${problem}`);
      return json;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new UsageError(`"${q.id}" in the ${this.opts.source} must be a string.`, `Write it as "${q.id}": "…".`);
    }
    const text = String(value);
    const problem = q.validate?.(text);
    if (problem) throw new UsageError(`"${q.id}" in the ${this.opts.source}: ${problem}`);
    return text;
  }

  async secret(q: SecretQuestion): Promise<string> {
    const value = this.opts.env[q.env];
    if (value === undefined) {
      if (this.opts.fallback) return this.opts.fallback.secret(q);
      throw new UsageError(
        `${q.message.replace(/[?:]\s*$/, '')}: no terminal to ask on, and ${q.env} is not set.`,
        `Export ${q.env} in the environment (never put secrets on the command line or in the answers file).`,
      );
    }
    const problem = q.validate?.(value);
    if (problem) throw new UsageError(`${q.env}: ${problem}`);
    return value;
  }

  async select<T>(q: SelectQuestion<T>): Promise<T> {
    const value = lookup(this.opts.answers, q.id);
    if (value === undefined) {
      if (q.default !== undefined && this.opts.yes) return q.default;
      if (q.choices.length === 1 && this.opts.yes) return q.choices[0]!.value;
      if (this.opts.fallback) return this.opts.fallback.select(q);
      this.missing(q.id, q.message);
    }
    const wanted = q.fromAnswer ? q.fromAnswer(value) : value;
    const match = wanted === undefined ? undefined : q.choices.find((c) => c.value === wanted || (!q.fromAnswer && c.label === wanted));
    if (!match) {
      const allowed = q.choices.map((c) => JSON.stringify(typeof c.value === 'string' ? c.value : c.label)).join(', ');
      throw new UsageError(`"${q.id}" in the ${this.opts.source} is ${JSON.stringify(value)}, which is not one of the choices here (${q.message.replace(/[?:]\s*$/, '')}).`, `Use one of: ${allowed}.`);
    }
    return match.value;
  }

  async confirm(q: ConfirmQuestion): Promise<boolean> {
    const value = lookup(this.opts.answers, q.id);
    if (value === undefined) {
      if (this.opts.yes && !q.destructive && q.default !== undefined) return q.default;
      if (this.opts.yes && !q.destructive) return true;
      if (this.opts.fallback) return this.opts.fallback.confirm(q);
      if (q.destructive && q.refusal) throw new UsageError(q.refusal.message, q.refusal.fix);
      if (q.destructive) {
        throw new UsageError(
          `${q.message.replace(/[?:]\s*$/, '')}: refused, because it could overwrite or delete something and nobody said yes to it.`,
          `Set "${q.id}": true in the ${this.opts.source} if that is really what you want; --yes alone never allows it.`,
        );
      }
      this.missing(q.id, q.message);
    }
    if (typeof value !== 'boolean') {
      throw new UsageError(`"${q.id}" in the ${this.opts.source} must be true or false.`);
    }
    return value;
  }

  async task<T>(title: { running: string; done: string }, run: (report: ReportProgress) => Promise<T>): Promise<T> {
    const started = Date.now();
    this.opts.log(`… ${title.running}`);
    const result = await run((detail) => this.opts.log(`  ${detail}`));
    this.opts.log(`✔ ${title.done} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  }

  show(message: { title: string; lines?: string[]; tone?: Tone }): void {
    const mark = { info: 'ℹ', success: '✔', warning: '⚠', error: '✖' }[message.tone ?? 'info'];
    this.opts.log(`${mark} ${message.title}`);
    for (const line of message.lines ?? []) this.opts.log(`  ${line}`);
  }

  steps(all: StepInfo[], states: Record<string, StepState>): void {
    const index = all.findIndex((s) => states[s.id] === 'current');
    if (index >= 0) this.opts.log(`== Step ${index + 1}/${all.length}: ${all[index]!.title}`);
  }

  async close(): Promise<void> {
    await this.opts.fallback?.close();
  }
}
