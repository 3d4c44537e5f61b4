import { UsageError } from '../core/errors';
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
  }
  return prefill;
}

export function httpOptions(env: NodeJS.ProcessEnv, signal: AbortSignal, cacert?: string): HttpOptions {
  const raw = env.DUPLISWIFT_HTTP_TIMEOUT_MS;
  const timeoutMs = raw && /^\d+$/.test(raw) ? Number(raw) : DEFAULT_TIMEOUT_MS;
  return { timeoutMs, signal, cacert };
}
