import React from 'react';
import { render, type Instance } from 'ink';
import { App } from './App';
import { WizardStore } from './store';
import { StorePrompter } from './store-prompter';

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
export class InkPrompter extends StorePrompter {
  private instance: Instance | undefined;

  constructor(private readonly opts: InkOptions) {
    super(new WizardStore(opts.title));
    if (opts.onCancel) this.store.onCancel(opts.onCancel);
  }

  /**
   * Mounted on the flow's first call rather than at construction, so that Ink's first (synchronous)
   * frame already shows the step rail instead of an empty screen.
   */
  protected override touch(): void {
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

  override async close(): Promise<void> {
    if (!this.instance) return;
    this.instance.unmount();
    await this.instance.waitUntilExit().catch(() => undefined);
  }
}
