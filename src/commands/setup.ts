import type { GlobalOptions } from '../cli';
import { runSetup } from '../flows/setup';
import { openSession } from '../session';
import { printJson } from './output';

export async function setupCommand(opts: GlobalOptions & { configDir?: string; openrc?: string; osCloud?: string }, hooks: { onCancel: () => void; signal: AbortSignal }): Promise<number> {
  const session = await openSession({ ...opts, title: 'setup' }, hooks);
  try {
    const state = await runSetup({
      prompt: session.prompt, env: session.env, signal: session.signal, configDir: opts.configDir,
      openstackFrom: { openrc: opts.openrc, cloud: opts.osCloud },
    });
    if (opts.json) {
      // state.keys also holds both passphrases (in memory, for the Schedule step): never print those.
      const keys = state.keys && { encrypt: state.keys.encrypt, sign: state.keys.sign, generated: state.keys.generated, gnupgHome: state.keys.gnupgHome };
      printJson({ ...state.result, keys, container: state.container });
    }
    return 0;
  } finally {
    await session.prompt.close();
  }
}
