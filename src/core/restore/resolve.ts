import { mkdtemp } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors';
import type { OpenStackTarget } from '../openstack/target';
import type { Profile } from '../profile/types';
import { openSecretStore } from '../secrets/open-store';
import { SECRET_NAMES, type SecretName } from '../secrets/store';

/** OpenStack flags as src/cli.ts declares them for restore; each falls back to its OS_* variable. */
export interface OpenStackFlags {
  authUrl?: string;
  username?: string;
  userDomain?: string;
  project?: string;
  projectDomain?: string;
  region?: string;
  interface?: string;
}

const looksLikeId = (value: string) => /^[0-9a-f]{32}$/.test(value);

/** A target from flags and the OS_* variables of an openrc file; names what is missing. */
export function targetFromFlags(flags: OpenStackFlags, env: NodeJS.ProcessEnv): OpenStackTarget {
  const authUrl = flags.authUrl ?? env.OS_AUTH_URL;
  const username = flags.username ?? env.OS_USERNAME;
  const projectName = flags.project ?? env.OS_PROJECT_NAME ?? env.OS_TENANT_NAME ?? env.OS_PROJECT_ID ?? env.OS_TENANT_ID;
  const missing = [!authUrl && '--auth-url (OS_AUTH_URL)', !username && '--username (OS_USERNAME)', !projectName && '--project (OS_PROJECT_NAME)'].filter(Boolean);
  if (missing.length) throw new UsageError(`Restoring from a container needs ${missing.join(', ')}.`, 'Source your openrc file or pass the flags; the password comes from OS_PASSWORD or --password-stdin.');
  const iface = flags.interface ?? env.OS_INTERFACE ?? 'public';
  if (iface !== 'public' && iface !== 'internal' && iface !== 'admin') throw new UsageError(`--interface ${iface} is not one of public, internal, admin.`);
  const userDomain = flags.userDomain ?? env.OS_USER_DOMAIN_NAME ?? env.OS_USER_DOMAIN_ID;
  const projectDomain = flags.projectDomain ?? env.OS_PROJECT_DOMAIN_NAME ?? env.OS_PROJECT_DOMAIN_ID;
  const version = env.OS_IDENTITY_API_VERSION === '2' || env.OS_IDENTITY_API_VERSION === '2.0' || /\/v2\.0\/?$/.test(authUrl!) ? '2.0' : '3';
  const target: OpenStackTarget = { authUrl: authUrl!, identityVersion: version, username: username!, projectName: projectName!, interface: iface, region: flags.region ?? env.OS_REGION_NAME };
  if (userDomain) {
    if (looksLikeId(userDomain) || (!flags.userDomain && !env.OS_USER_DOMAIN_NAME)) target.userDomainId = userDomain;
    else target.userDomainName = userDomain;
  }
  if (projectDomain) {
    if (looksLikeId(projectDomain) || (!flags.projectDomain && !env.OS_PROJECT_DOMAIN_NAME)) target.projectDomainId = projectDomain;
    else target.projectDomainName = projectDomain;
  }
  if (!flags.project && !env.OS_PROJECT_NAME && !env.OS_TENANT_NAME && (env.OS_PROJECT_ID || env.OS_TENANT_ID)) target.projectId = projectName;
  return target;
}

export function defaultGnupgHome(env: NodeJS.ProcessEnv): string {
  return env.GNUPGHOME || join(env.HOME || homedir(), '.gnupg');
}

/** A fresh, empty duplicity cache for this session: a bare machine has none, and we never share the job's lock. */
export async function freshArchiveDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dupliswift-restore-cache-'));
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
