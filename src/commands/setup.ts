import type { GlobalOptions } from '../cli';
import { runSetup, seedFromProfile } from '../flows/setup';
import { setupSummary } from '../flows/setup/summary';
import { openSession } from '../session';
import { printJson } from './output';

export async function setupCommand(opts: GlobalOptions & { configDir?: string; openrc?: string; osCloud?: string; profile?: string }, hooks: { onCancel: () => void; signal: AbortSignal }): Promise<number> {
  if (opts.openrc || opts.osCloud) {
    // A wrong path or cloud name is refused now, not at the Keystone step after keys were made.
    const { gatherPrefill } = await import('../core/openstack/os-env');
    await gatherPrefill({ env: process.env, openrc: opts.openrc, cloud: opts.osCloud });
  }
  // Setup again: a missing profile is refused before anything is asked.
  const existing = opts.profile ? await (await import('../core/profile/load')).loadProfile(opts.profile, opts.configDir) : undefined;
  const session = await openSession({ ...opts, title: 'setup' }, hooks);
  try {
    const state = await runSetup({
      prompt: session.prompt, env: session.env, signal: session.signal, configDir: opts.configDir,
      openstackFrom: { openrc: opts.openrc, cloud: opts.osCloud }, answers: session.answers,
    }, undefined, existing ? seedFromProfile(existing) : undefined);
    const summary = setupSummary(state);
    if (summary) session.prompt.show({ title: summary.title, lines: summary.lines, tone: 'success' });
    if (opts.json) {
      // state.keys also holds both passphrases (in memory, for the Schedule step): never print those.
      const keys = state.keys && { encrypt: state.keys.encrypt, sign: state.keys.sign, generated: state.keys.generated, gnupgHome: state.keys.gnupgHome };
      printJson({ ...state.result, keys, container: state.container, ...(summary ? { summary: summary.json } : {}) });
    }
    return 0;
  } finally {
    await session.prompt.close();
  }
}
