import type {
  ConfirmQuestion, Prompter, ReportProgress, SecretQuestion, SelectQuestion, StepInfo, StepState, TextQuestion, Tone,
} from '../port';
import type { WizardStore } from './store';

/**
 * The prompt port over a WizardStore: questions become pending entries the App answers, progress and
 * results become log entries. It renders nothing itself, so frame tests can put any renderer on the
 * same store; InkPrompter adds the real terminal.
 */
export class StorePrompter implements Prompter {
  readonly kind = 'tui' as const;

  constructor(readonly store: WizardStore) {}

  /** Called before anything reaches the store; InkPrompter mounts the app here. */
  protected touch(): void {}

  async text(q: TextQuestion): Promise<string> {
    this.touch();
    return (await this.store.ask({ kind: 'text', q })) as string;
  }

  async secret(q: SecretQuestion): Promise<string> {
    this.touch();
    for (;;) {
      const first = (await this.store.ask({ kind: 'secret', q })) as string;
      if (!q.confirm) return first;
      const again = (await this.store.ask({ kind: 'secret', q: { id: q.id, env: q.env, message: 'Type it again to confirm:' } })) as string;
      if (again === first) return first;
      this.store.log('The two entries differ. Type the passphrase again.', [], 'warning');
    }
  }

  async select<T>(q: SelectQuestion<T>): Promise<T> {
    this.touch();
    if (q.choices.length === 1) {
      this.store.log(`${q.message.replace(/[?:]\s*$/, '')}: ${q.choices[0]!.label}`, [], 'info');
      return q.choices[0]!.value;
    }
    return (await this.store.ask({ kind: 'select', q: q as SelectQuestion<unknown> })) as T;
  }

  async confirm(q: ConfirmQuestion): Promise<boolean> {
    this.touch();
    return (await this.store.ask({ kind: 'confirm', q })) as boolean;
  }

  async task<T>(title: { running: string; done: string }, run: (report: ReportProgress) => Promise<T>): Promise<T> {
    this.touch();
    const started = Date.now();
    this.store.setTask({ running: title.running });
    try {
      const result = await run((detail, fraction) => this.store.setTask({ running: title.running, detail, fraction }));
      this.store.log(`${title.done} (${((Date.now() - started) / 1000).toFixed(1)} s)`, [], 'success');
      return result;
    } finally {
      this.store.setTask(undefined);
    }
  }

  show(message: { title: string; lines?: string[]; tone?: Tone }): void {
    this.touch();
    this.store.log(message.title, message.lines, message.tone);
  }

  steps(all: StepInfo[], states: Record<string, StepState>): void {
    // The rail goes into the store first, so a first mount already shows it.
    this.store.setSteps(all, states);
    this.touch();
  }

  async close(): Promise<void> {}
}
