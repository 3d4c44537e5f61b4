import { runSteps, type Step } from '../run-steps';
import type { FlowContext } from '../context';
import { checkAnswersFirst } from './answers-first';
import { containerStep } from './container';
import { exportStep } from './export';
import { keysStep } from './keys';
import { keystoneStep } from './keystone';
import { preflightStep } from './preflight';
import { scheduleStep } from './schedule';
import type { SetupState } from './state';

export const setupSteps: Step<SetupState>[] = [preflightStep, keysStep, exportStep, keystoneStep, containerStep, scheduleStep];

/** The setup wizard, front-end agnostic: the same code runs under the TUI, line mode and answers. */
export async function runSetup(ctx: FlowContext, steps: Step<SetupState>[] = setupSteps): Promise<SetupState> {
  const state: SetupState = { ctx };
  // An answers file is checked whole first: a bad answer for the last step must not wait until keys are made.
  await checkAnswersFirst(ctx);
  await runSteps(ctx.prompt, steps, state);
  return state;
}
