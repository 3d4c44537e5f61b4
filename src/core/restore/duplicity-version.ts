import { run } from '../exec';
import { flagFamily, parseVersion, type FlagFamily, type Version } from '../duplicity/version';
import { UserError } from '../errors';

/** The installed duplicity's version and flag family (restore's path flag depends on it). */
export async function installedDuplicity(signal?: AbortSignal): Promise<{ version: Version; family: FlagFamily }> {
  const result = await run('duplicity', ['--version'], { signal, env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' }, extendEnv: false });
  const version = result.exitCode === 0 ? parseVersion(result.stdout) : undefined;
  if (!version) {
    throw new UserError('duplicity is not installed or does not say its version.', { fix: 'Install duplicity (apt-get install duplicity python3-swiftclient python3-keystoneclient), then run `dupliswift doctor`.', code: 'duplicity-missing' });
  }
  return { version, family: flagFamily(version) };
}
