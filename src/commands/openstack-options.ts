import { UsageError, UserError } from '../core/errors';
import { DEFAULT_TIMEOUT_MS, type HttpOptions } from '../core/openstack/http';
import { gatherPrefill, looksLikeId, normaliseInterface, type ConnectionInput, type Prefill } from '../core/openstack/os-env';

/** The OpenStack flags `tenants`, `check` (and restore) share, as commander hands them over. */
export interface OpenStackFlags {
  authUrl?: string;
  username?: string;
  userDomain?: string;
  project?: string;
  projectDomain?: string;
  region?: string;
  interface?: string;
  osCloud?: string;
  /** --profile NAME, or DUPLISWIFT_PROFILE. */
  profile?: string;
  openrc?: string;
  cacert?: string;
  passwordStdin?: boolean;
}

export function flagsToInput(flags: OpenStackFlags): ConnectionInput {
  const input: ConnectionInput = {
    authUrl: flags.authUrl,
    username: flags.username,
    region: flags.region,
    interface: normaliseInterface(flags.interface),
    cacert: flags.cacert,
  };
  if (flags.userDomain) input[looksLikeId(flags.userDomain) ? 'userDomainId' : 'userDomainName'] = flags.userDomain;
  if (flags.projectDomain) input[looksLikeId(flags.projectDomain) ? 'projectDomainId' : 'projectDomainName'] = flags.projectDomain;
  if (flags.project) input.projectName = flags.project; // matched against names and ids alike
  return input;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('--password-stdin reads the password from a pipe, but stdin is a terminal.', 'Pipe it in: e.g. `pass show cloud | dupliswift tenants --password-stdin`, or set OS_PASSWORD.');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Settings from clouds.yaml, OS_*, --openrc and flags; the password from OS_PASSWORD or stdin (never argv). */
export async function resolveOpenStack(flags: OpenStackFlags, env: NodeJS.ProcessEnv): Promise<Prefill> {
  const prefill = await gatherPrefill({ env, cloud: flags.osCloud, openrc: flags.openrc, flags: flagsToInput(flags) });
  if (flags.passwordStdin) {
    const text = (await readStdin()).replace(/\r?\n$/, '');
    if (!text) throw new UsageError('--password-stdin got an empty password.', 'Pipe the password in (one line).');
    prefill.secrets.password = text;
  } else if (prefill.secrets.password === undefined && (flags.profile ?? env.DUPLISWIFT_PROFILE)) {
    await fromProfileKeyring((flags.profile ?? env.DUPLISWIFT_PROFILE)!, prefill);
  }
  return prefill;
}

/**
 * DUPLISWIFT_PROFILE=NAME: the profile's settings fill what nothing else gave, and its Swift password
 * comes from the keyring, when the profile keeps its secrets there. Never from the 0600 file: that
 * one is the unattended job's, and reading it here would make any command a way to use it.
 */
async function fromProfileKeyring(name: string, prefill: Prefill): Promise<void> {
  const { loadProfile } = await import('../core/profile/load');
  const profile = await loadProfile(name);
  const t = profile.openstack;
  const fromProfile: ConnectionInput = {
    authUrl: t.authUrl, identityVersion: t.identityVersion, username: t.username, userDomainName: t.userDomainName,
    userDomainId: t.userDomainName ? undefined : t.userDomainId, projectName: t.projectName, projectId: t.projectId,
    projectDomainName: t.projectDomainName, region: t.region, interface: t.interface, cacert: t.cacert,
  };
  // What the environment or flags say wins, a name and its id together (a project name from
  // OS_PROJECT_NAME must not be overruled by the profile's project id).
  const given = prefill.input;
  if (given.projectName || given.projectId) {
    delete fromProfile.projectName;
    delete fromProfile.projectId;
    delete fromProfile.projectDomainName;
  }
  if (given.userDomainName || given.userDomainId) {
    delete fromProfile.userDomainName;
    delete fromProfile.userDomainId;
  }
  prefill.input = { ...Object.fromEntries(Object.entries(fromProfile).filter(([, v]) => v !== undefined)), ...given };
  if (profile.secrets !== 'keyring') {
    throw new UserError(`Profile "${name}" keeps its secrets in files, not in the keyring.`, {
      fix: 'Set OS_PASSWORD or pipe the password with --password-stdin.', code: 'no-password',
    });
  }
  const { KeyringSecretStore } = await import('../core/secrets/keyring-store');
  const opened = await KeyringSecretStore.open(process.env);
  if (!opened.store) {
    throw new UserError(`The keyring cannot be read: ${opened.state.reason}.`, { fix: 'Unlock the keyring (log in to the desktop session), or set OS_PASSWORD / use --password-stdin.', code: 'no-password' });
  }
  const found = await opened.store.get(name, 'swift-password');
  if (found.state !== 'found') {
    throw new UserError(`The keyring holds no Swift password for profile "${name}" (${found.state}).`, { fix: 'Set OS_PASSWORD or use --password-stdin; `dupliswift setup` stores it again.', code: 'no-password' });
  }
  prefill.secrets.password = found.value;
  prefill.sources.push(`profile ${name} (password from the keyring)`);
}

export function httpOptions(env: NodeJS.ProcessEnv, signal: AbortSignal, cacert?: string): HttpOptions {
  const raw = env.DUPLISWIFT_HTTP_TIMEOUT_MS;
  const timeoutMs = raw && /^\d+$/.test(raw) ? Number(raw) : DEFAULT_TIMEOUT_MS;
  return { timeoutMs, signal, cacert };
}
