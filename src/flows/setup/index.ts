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

/** What a seeded run already knows, as the answers an answers file would give for it. */
function answersOfSeed(seed: Omit<SetupState, 'ctx'>): Record<string, unknown> {
  const t = seed.openstack?.target;
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return defined({
    profile: seed.result?.profile,
    keys: seed.keys ? { encrypt: seed.keys.encrypt, sign: seed.keys.sign } : undefined,
    gnupgHome: seed.keys?.gnupgHome,
    openstack: t && defined({
      authUrl: t.authUrl, username: t.username, userDomain: t.userDomainName ?? t.userDomainId, project: t.projectName || t.projectId,
      projectDomain: t.projectDomainName ?? t.projectDomainId, region: t.region, interface: t.interface, identityVersion: t.identityVersion,
      cacert: t.cacert, authType: t.authType, applicationCredentialId: t.applicationCredentialId,
    }),
    container: seed.container,
  });
}

/** The setup wizard, front-end agnostic: the same code runs under the TUI, line mode and answers. */
export async function runSetup(ctx: FlowContext, steps: Step<SetupState>[] = setupSteps, seed: Omit<SetupState, 'ctx'> = {}): Promise<SetupState> {
  const state: SetupState = { ...seed, ctx };
  // An answers file is checked whole first: a bad answer for the last step must not wait until keys are made.
  await checkAnswersFirst(ctx, seed.result?.profile ? answersOfSeed(seed) : undefined);
  await runSteps(ctx.prompt, steps, state);
  return state;
}
