import { mkdtemp } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Profile } from '../profile/types';
import { removeOnExit } from '../exit-cleanup';
import { TEMP_PREFIX } from './duplicity-run';
import { removeStaleRestoreFolders } from './leftovers';
import { openSecretStore } from '../secrets/open-store';
import { SECRET_NAMES, type SecretName } from '../secrets/store';

export function defaultGnupgHome(env: NodeJS.ProcessEnv): string {
  return env.GNUPGHOME || join(env.HOME || homedir(), '.gnupg');
}

/**
 * A fresh, empty duplicity cache for this session: a bare machine has none, and we never share the
 * job's lock. It goes when the process exits, however it exits; what killed restores left in the temp
 * folder (caches, duplicity's temp folders) is removed first.
 */
export async function freshArchiveDir(): Promise<string> {
  await removeStaleRestoreFolders(tmpdir());
  const dir = await mkdtemp(join(tmpdir(), `${TEMP_PREFIX}cache-${process.pid}-`));
  removeOnExit(dir);
  return dir;
}

/**
 * A profile's secret: the environment first (so a restore never depends on a keyring it cannot
 * unlock), then the profile's own store. Undefined when neither has it.
 */
export async function profileSecret(profile: Profile & { dir: string }, name: SecretName, envName: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env[envName] !== undefined) return env[envName];
  try {
    const { store } = await openSecretStore({ prefer: profile.secrets, fileRoot: dirname(profile.dir), env });
    const found = await store.get(profile.name, name);
    return found.state === 'found' ? found.value : undefined;
  } catch {
    return undefined;
  }
}

/** Where a profile that logs in with an application credential keeps its secret (the job's auth.sh reads it). */
export const APP_CREDENTIAL_SECRET = 'application-credential-secret';

export const PROFILE_SECRETS = [
  { name: SECRET_NAMES.swiftPassword, env: 'OS_PASSWORD' },
  { name: SECRET_NAMES.encryptPassphrase, env: 'DUPLISWIFT_ENCRYPT_PASSPHRASE' },
  { name: SECRET_NAMES.signPassphrase, env: 'DUPLISWIFT_SIGN_PASSPHRASE' },
] as const;

/** duplicity takes epoch seconds, ISO date-times (2026-11-26, 2026-11-26T07:35:08Z), "now", or intervals (3D, 1W2D). */
export function timeProblem(time: string): string | undefined {
  if (/^\d+$/.test(time) || time === 'now') return undefined;
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?$/.test(time)) return undefined;
  if (/^\d{4}\/\d{2}\/\d{2}$|^\d{2}\/\d{2}\/\d{4}$/.test(time)) return undefined;
  if (/^(\d+[smhDWMY])+$/.test(time)) return undefined;
  return `"${time}" is not a time duplicity understands: use epoch seconds, an ISO date-time (2026-11-26T07:35:08Z) or an interval such as 3D.`;
}
