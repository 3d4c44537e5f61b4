import { UserError } from '../errors';
import { inputFromTarget, settleTarget, type Settled } from '../openstack/connect';
import type { HttpOptions } from '../openstack/http';
import { overlay, type ConnectionInput, type Prefill, type Secrets } from '../openstack/os-env';
import { containerHead, type SwiftAuth } from '../openstack/swift';
import type { OpenStackTarget } from '../openstack/target';

/**
 * The OpenStack target a restore reads from, settled through Keystone before duplicity runs: a wrong
 * password, project or region is explained in our words, not in duplicity's exit 38, and the v2.0
 * tenant:user form is split so duplicitySwiftEnv can put it back together the way duplicity needs.
 */
export async function openBackupStore(input: ConnectionInput, secrets: Secrets, given: HttpOptions): Promise<Settled & { auth: SwiftAuth; password: string; http: HttpOptions; preauth?: { url: string; token: string } }> {
  // The CA the target names (--cacert, OS_CACERT, the profile's) serves every later Swift call
  // too, not only the login: without it the container check failed over TLS with a private CA.
  const http: HttpOptions = { ...given, cacert: input.cacert ?? given.cacert };
  const settled = await settleTarget(input, secrets, http);
  const auth = { endpoint: settled.endpoint.url, token: settled.scoped.token };
  // duplicity cannot log in with an application credential: it gets our token (preauth) instead.
  if (settled.session.applicationCredential) return { ...settled, auth, password: '', http, preauth: { url: auth.endpoint, token: auth.token } };
  if (secrets.password === undefined) {
    throw new UserError('No OpenStack password was given.', { fix: 'Set OS_PASSWORD or pipe it with --password-stdin.', code: 'no-password' });
  }
  return { ...settled, auth, password: secrets.password, http };
}

/** A profile's saved target with what the command line said laid over it (a new CA file, another region). */
export function profileInput(target: OpenStackTarget, explicit: ConnectionInput): ConnectionInput {
  return overlay(inputFromTarget(target), explicit);
}

/** What the command line and the environment say about OpenStack, resolved once by the command. */
export interface OpenStackGiven {
  /** Everything known (clouds.yaml < OS_* < --openrc < flags): a bare machine's answers and defaults. */
  prefill: Prefill;
  /** The command line's flags alone: what is laid over a profile's saved target. */
  explicit: ConnectionInput;
  /** From --password-stdin: it wins over a profile's stored password too. */
  stdinPassword?: string;
  /** Timeout (DUPLISWIFT_HTTP_TIMEOUT_MS) and Ctrl-C for every Keystone and Swift call. */
  http: HttpOptions;
}

/**
 * The container must exist before duplicity is started on it: duplicity 0.8's Swift backend creates
 * a missing container, so a mistyped name would leave an empty one behind and report only "no backup".
 */
export async function assertContainerExists(auth: SwiftAuth, container: string, project: string, http: HttpOptions): Promise<void> {
  if ((await containerHead(auth, container, http)).exists) return;
  throw new UserError(`Project ${project} has no container "${container}"; nothing was restored or created.`, {
    fix: 'Check the name (it is case-sensitive), the project and the region; `dupliswift restore` without --container lists the containers and marks those holding backups.',
    code: 'no-container',
  });
}
