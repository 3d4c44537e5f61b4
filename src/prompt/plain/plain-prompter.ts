// The four prompts of @inquirer/prompts 7, imported from their own packages: the umbrella package
// also pulls in its editor prompt (iconv-lite, chardet: 650 KiB the bundle would parse on every start).
import confirm from '@inquirer/confirm';
import input from '@inquirer/input';
import password from '@inquirer/password';
import select from '@inquirer/select';
import type {
  ConfirmQuestion, Prompter, ReportProgress, SecretQuestion, SelectQuestion, StepInfo, StepState, TextQuestion, Tone,
} from '../port';
import { Cancelled } from '../port';

/** Inquirer reports Ctrl-C as ExitPromptError; the flow only knows Cancelled. */
async function guard<T>(ask: () => Promise<T>): Promise<T> {
  // Ink (if it ran before in this process) unrefs stdin; a prompt on an unref'd stdin dies at once.
  process.stdin.ref?.();
  try {
    return await ask();
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) throw new Cancelled();
    throw error;
  }
}

const validator = (check?: (v: string) => string | undefined) => (value: string) => check?.(value) ?? true;

/** Line mode: one question a line, for dumb terminals, screen readers and logs (`--plain`). */
export class PlainPrompter implements Prompter {
  readonly kind = 'plain' as const;
  private readonly out: NodeJS.WriteStream;

  constructor(opts: { output?: NodeJS.WriteStream } = {}) {
    this.out = opts.output ?? process.stderr;
  }

  text(q: TextQuestion): Promise<string> {
    return guard(() => input({ message: q.message, default: q.default, validate: validator(q.validate) }, { output: this.out }));
  }

  async secret(q: SecretQuestion): Promise<string> {
    for (;;) {
      const first = await guard(() =>
        password({ message: q.message, mask: '*', validate: validator(q.validate) }, { output: this.out }));
      const assessment = q.assess?.(first);
      if (assessment) this.out.write(`  ${assessment}\n`);
      if (!q.confirm) return first;
      const again = await guard(() => password({ message: 'Type it again:', mask: '*' }, { output: this.out }));
      if (again === first) return first;
      this.out.write('  The two entries differ. Try again.\n');
    }
  }

  async select<T>(q: SelectQuestion<T>): Promise<T> {
    if (q.choices.length === 1) {
      this.out.write(`ℹ ${q.message.replace(/[?:]\s*$/, '')}: ${q.choices[0]!.label}\n`);
      return q.choices[0]!.value;
    }
    return guard(() =>
      select<T>(
        {
          message: q.message,
          choices: q.choices.map((c) => ({ value: c.value, name: c.label, description: c.hint })),
          default: q.default,
          pageSize: 12,
        },
        { output: this.out },
      ));
  }

  confirm(q: ConfirmQuestion): Promise<boolean> {
    return guard(() => confirm({ message: q.message, default: q.default ?? !q.destructive }, { output: this.out }));
  }

  async task<T>(title: { running: string; done: string }, run: (report: ReportProgress) => Promise<T>): Promise<T> {
    const started = Date.now();
    this.out.write(`… ${title.running}\n`);
    const result = await run((detail, fraction) =>
      this.out.write(`  ${fraction === undefined ? '' : `${Math.round(fraction * 100)}% `}${detail}\n`));
    this.out.write(`✔ ${title.done} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    return result;
  }

  show(message: { title: string; lines?: string[]; tone?: Tone }): void {
    const mark = { info: 'ℹ', success: '✔', warning: '⚠', error: '✖' }[message.tone ?? 'info'];
    this.out.write(`${mark} ${message.title}\n`);
    for (const line of message.lines ?? []) this.out.write(`  ${line}\n`);
  }

  steps(all: StepInfo[], states: Record<string, StepState>): void {
    const index = all.findIndex((s) => states[s.id] === 'current');
    if (index >= 0) this.out.write(`\n== Step ${index + 1}/${all.length}: ${all[index]!.title} ==\n`);
  }

  async close(): Promise<void> {}
}
