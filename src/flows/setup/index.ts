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
import type { Profile } from '../../core/profile/types';

export const setupSteps: Step<SetupState>[] = [preflightStep, keysStep, exportStep, keystoneStep, containerStep, scheduleStep];

/**
 * Setup again on an existing profile (`setup --profile NAME`): every step starts from what the
 * profile holds, as if the person had come back to it. Secrets are not seeded: the steps ask for them
 * (or take them from the environment) again, and the job stores them only when they differ.
 */
export function seedFromProfile(profile: Profile & { dir: string }): Omit<SetupState, 'ctx'> {
  return {
    keys: { encrypt: profile.keys.encrypt, sign: profile.keys.sign, generated: false, gnupgHome: profile.gnupgHome, encryptPassphrase: '', signPassphrase: '' },
    openstack: { target: profile.openstack, password: '' },
    container: profile.container,
    result: { profileDir: profile.dir, script: profile.script ?? '', profile: profile.name },
  };
}

/** The setup wizard, front-end agnostic: the same code runs under the TUI, line mode and answers. */
export async function runSetup(ctx: FlowContext, steps: Step<SetupState>[] = setupSteps, seed: Omit<SetupState, 'ctx'> = {}): Promise<SetupState> {
  const state: SetupState = { ...seed, ctx };
  // An answers file is checked whole first: a bad answer for the last step must not wait until keys are made.
  await checkAnswersFirst(ctx);
  await runSteps(ctx.prompt, steps, state);
  return state;
}
