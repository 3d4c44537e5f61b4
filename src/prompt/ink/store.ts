import type {
  ConfirmQuestion, SecretQuestion, SelectQuestion, StepInfo, StepState, TextQuestion, Tone,
} from '../port';
import { Cancelled, GoBack } from '../port';

export type Question =
  | { kind: 'text'; q: TextQuestion }
  | { kind: 'secret'; q: SecretQuestion }
  | { kind: 'select'; q: SelectQuestion<unknown> }
  | { kind: 'confirm'; q: ConfirmQuestion };

export interface Pending {
  question: Question;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** Bumped when the same question must be asked again (failed validation), to remount the input. */
  attempt: number;
  error?: string;
}

export interface LogEntry {
  id: number;
  title: string;
  lines: string[];
  tone: Tone;
}

export interface TaskView {
  running: string;
  detail?: string;
  fraction?: number;
}

export interface WizardState {
  title: string;
  steps: StepInfo[];
  states: Record<string, StepState>;
  log: LogEntry[];
  task?: TaskView;
  pending?: Pending;
  /** Back is offered only when there is a step to go back to. */
  canGoBack: boolean;
}

/**
 * What the TUI shows, as plain data. The flow writes to it through InkPrompter; the App renders it.
 * Kept free of React so its transitions can be tested on their own.
 */
export class WizardStore {
  private state: WizardState;
  private readonly listeners = new Set<() => void>();
  private nextLogId = 1;
  private cancelHandlers = new Set<() => void>();

  constructor(title: string) {
    this.state = { title, steps: [], states: {}, log: [], canGoBack: false };
  }

  get = (): WizardState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<WizardState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  ask(question: Question): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.set({ pending: { question, resolve, reject, attempt: 0 } });
    });
  }

  /** The input component submitted a value: validate, then settle the question. */
  answer(value: unknown): void {
    const pending = this.state.pending;
    if (!pending) return;
    const q = pending.question;
    if ((q.kind === 'text' || q.kind === 'secret') && typeof value === 'string') {
      const problem = q.q.validate?.(value);
      if (problem) {
        this.set({ pending: { ...pending, attempt: pending.attempt + 1, error: problem } });
        return;
      }
    }
    this.set({ pending: undefined });
    pending.resolve(value);
  }

  /** Keep the question open but show a problem (secret confirmation mismatch). */
  retry(error: string): void {
    const pending = this.state.pending;
    if (pending) this.set({ pending: { ...pending, attempt: pending.attempt + 1, error } });
  }

  back(): void {
    const pending = this.state.pending;
    if (!pending || !this.state.canGoBack) return;
    this.set({ pending: undefined });
    pending.reject(new GoBack());
  }

  cancel(): void {
    const pending = this.state.pending;
    this.set({ pending: undefined, task: undefined });
    pending?.reject(new Cancelled());
    for (const handler of this.cancelHandlers) handler();
  }

  onCancel(handler: () => void): () => void {
    this.cancelHandlers.add(handler);
    return () => this.cancelHandlers.delete(handler);
  }

  log(title: string, lines: string[] = [], tone: Tone = 'info'): void {
    // Only the recent past is on screen; 40 entries is more than any 24-line terminal shows.
    const log = [...this.state.log, { id: this.nextLogId++, title, lines, tone }].slice(-40);
    this.set({ log });
  }

  setTask(task: TaskView | undefined): void {
    this.set({ task });
  }

  setSteps(steps: StepInfo[], states: Record<string, StepState>): void {
    const current = steps.findIndex((s) => states[s.id] === 'current');
    this.set({ steps, states, canGoBack: current > 0 });
  }
}
