import { homedir } from 'node:os';
import { describeError } from '../errors';
import { containerHead } from '../openstack/swift';
import type { Profile } from '../profile/types';
import { parseCollectionStatus, pointsInTime } from '../restore/collection';
import { PROFILE_SECRETS, profileSecret } from '../restore/resolve';
import { openBackupStore, profileInput } from '../restore/swift-login';
import { runScript } from '../schedule/first-run';
import type { RemoteStatus } from './report';

/**
 * What Swift holds for a profile (`status --remote`): its chains and points in time through the
 * profile's own job (`backup.sh status`, so the same keys, cache and secrets), and the container's
 * stored size from Swift. A part that cannot be read is said, never fatal.
 */
export async function remoteStatus(profile: Profile & { dir: string }, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<RemoteStatus> {
  const problems: string[] = [];
  const out: RemoteStatus = { problems };
  if (profile.script) {
    const run = await runScript(profile.script, ['status'], { home: env.HOME || homedir(), signal });
    const record = run.collection;
    if (run.exitCode === 0 && record) {
      const collection = parseCollectionStatus(record.control);
      out.chains = collection.chains.length;
      out.pointsInTime = pointsInTime(collection).map((p) => p.time.toISOString());
    } else {
      problems.push(`collection-status failed (exit ${run.exitCode}); see ${profile.dir}/backup.log`);
    }
  } else {
    problems.push('the profile has no backup script; run dupliswift setup for it');
  }
  try {
    const password = await profileSecret(profile, PROFILE_SECRETS[0].name, PROFILE_SECRETS[0].env, env);
    if (password === undefined) throw new Error('the OpenStack password is neither in OS_PASSWORD nor in the profile\'s secrets');
    const http = { signal, timeoutMs: 30_000 };
    const store = await openBackupStore(profileInput(profile.openstack, {}), { password }, http);
    const head = await containerHead(store.auth, profile.container, http);
    if (!head.exists) problems.push(`the container "${profile.container}" does not exist in Swift`);
    else {
      out.storedBytes = head.bytesUsed;
      out.objects = head.objectCount;
    }
  } catch (error) {
    problems.push(`Swift: ${describeError(error).message}`);
  }
  return out;
}
