import React from 'react';
import { render, type Instance } from 'ink';
import type {
  ConfirmQuestion, Prompter, ReportProgress, SecretQuestion, SelectQuestion, StepInfo, StepState, TextQuestion, Tone,
} from '../port';
import { App } from './App';
import { WizardStore } from './store';

export interface InkOptions {
  title: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Called once when the person presses Ctrl-C, wherever the flow is. */
  onCancel?: () => void;
}

/**
 * The TUI front end. One Ink app stays mounted for the whole session (the step rail never flickers
 * away); each question puts itself in the store and waits for the App to answer it.
 */
export class InkPrompter implements Prompter {
  readonly kind = 'tui' as const;
  readonly store: WizardStore;
  private instance: Instance | undefined;
  private readonly opts: InkOptions;

  constructor(opts: InkOptions) {
    this.opts = opts;
    this.store = new WizardStore(opts.title);
    if (opts.onCancel) this.store.onCancel(opts.onCancel);
  }

  /**
   * Mounted on the flow's first call rather than at construction, so that Ink's first (synchronous)
   * frame already shows the step rail instead of an empty screen.
   */
  private mount(): void {
    if (this.instance) return;
    const opts = this.opts;
    this.instance = render(<App store={this.store} />, {
      // Ink treats an explicit undefined as "given": pass streams only when we have them.
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      ...(opts.stdout ? { stdout: opts.stdout } : {}),
      // Ctrl-C is ours: it must reject the open question and unwind the flow, not kill the process.
      exitOnCtrlC: false,
      patchConsole: false,
    });
  }

  async text(q: TextQuestion): Promise<string> {
    this.mount();
    return (await this.store.ask({ kind: 'text', q })) as string;
  }

  async secret(q: SecretQuestion): Promise<string> {
    this.mount();
    for (;;) {
      const first = (await this.store.ask({ kind: 'secret', q })) as string;
      if (!q.confirm) return first;
      const again = (await this.store.ask({
        kind: 'secret',
        q: { id: q.id, env: q.env, message: 'Type it again to confirm:' },
      })) as string;
      if (again === first) return first;
      this.store.log('The two entries differ. Type the passphrase again.', [], 'warning');
    }
  }

  async select<T>(q: SelectQuestion<T>): Promise<T> {
    this.mount();
    return (await this.store.ask({ kind: 'select', q: q as SelectQuestion<unknown> })) as T;
  }

  async confirm(q: ConfirmQuestion): Promise<boolean> {
    this.mount();
    return (await this.store.ask({ kind: 'confirm', q })) as boolean;
  }

  async task<T>(title: { running: string; done: string }, run: (report: ReportProgress) => Promise<T>): Promise<T> {
    this.mount();
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
    this.mount();
    this.store.log(message.title, message.lines, message.tone);
  }

  steps(all: StepInfo[], states: Record<string, StepState>): void {
    this.store.setSteps(all, states);
    this.mount();
  }

  async close(): Promise<void> {
    if (!this.instance) return;
    this.instance.unmount();
    await this.instance.waitUntilExit().catch(() => undefined);
  }
}
