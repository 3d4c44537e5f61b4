import type { Prompter, StepInfo, StepState } from '../prompt/port';
import { GoBack } from '../prompt/port';

export interface Step<S> extends StepInfo {
  /**
   * Does the step's work, asking what it needs. Runs again from the top when the person comes back to
   * it, so it reads its earlier answers from `state` as defaults and writes only through atomic
   * helpers.
   */
  run(state: S): Promise<void>;
}

/**
 * Runs steps in order with the rail kept up to date. A GoBack from a prompt re-runs the previous step;
 * anything else (Cancelled, a UserError) ends the run and is the caller's to report.
 */
export async function runSteps<S>(prompt: Prompter, steps: Step<S>[], state: S): Promise<void> {
  const info = steps.map(({ id, title }) => ({ id, title }));
  const states: Record<string, StepState> = Object.fromEntries(steps.map((s) => [s.id, 'todo' as StepState]));
  let index = 0;
  while (index < steps.length) {
    const step = steps[index]!;
    states[step.id] = 'current';
    prompt.steps(info, { ...states });
    // Let the front end paint the rail before the step's work (spawning gpg, say) holds the loop.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await step.run(state);
      states[step.id] = 'done';
      index++;
    } catch (error) {
      if (error instanceof GoBack && index > 0) {
        states[step.id] = 'todo';
        index--;
        continue;
      }
      states[step.id] = 'failed';
      prompt.steps(info, { ...states });
      throw error;
    }
  }
  prompt.steps(info, { ...states });
}
