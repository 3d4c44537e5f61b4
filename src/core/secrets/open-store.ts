import { FileSecretStore } from './file-store';
import { KeyringSecretStore } from './keyring-store';
import type { SecretStore } from './store';

export interface OpenedStore {
  store: SecretStore;
  /** Set when the keyring was wanted but not usable: the words to show the person, never silent. */
  fallback?: { reason: string; message: string };
}

/**
 * The keyring when it is usable, else the 0600 file store, saying so. Unattended jobs on a headless
 * server cannot unlock a keyring at all, so `prefer: 'file'` skips it outright.
 */
export async function openSecretStore(opts: { prefer: 'keyring' | 'file'; fileRoot: string; env?: NodeJS.ProcessEnv }): Promise<OpenedStore> {
  const file = new FileSecretStore(opts.fileRoot);
  if (opts.prefer === 'file') return { store: file };
  const keyring = await KeyringSecretStore.open(opts.env ?? process.env);
  if (keyring.store) return { store: keyring.store };
  const reason = keyring.state.reason;
  return {
    store: file,
    fallback: {
      reason,
      message: `The keyring cannot be used: ${reason}. Secrets go into ${file.where} instead (readable by this user and root only, not encrypted at rest).`,
    },
  };
}
