import { UserError } from '../errors';
import { run, which } from '../exec';
import { flagFamily, parseVersion, type FlagFamily, type Version } from './version';

/** Where the tools are looked for: the usual system places, never a user's pyenv shims. */
export const TOOL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Duplicity {
  path: string;
  version: Version;
  family: FlagFamily;
}

/** The installed duplicity, by absolute path (cron's PATH is /usr/bin:/bin) and version. */
export async function detectDuplicity(env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<Duplicity> {
  const path = env.DUPLISWIFT_DUPLICITY || (await which('duplicity', { PATH: TOOL_PATH }));
  if (!path) throw new UserError('duplicity is not installed.', { fix: 'apt-get install duplicity python3-swiftclient python3-keystoneclient', code: 'duplicity-missing' });
  const result = await run(path, ['--version'], { env: { PATH: TOOL_PATH, LANG: 'C.UTF-8' }, extendEnv: false, signal, timeoutMs: 30_000 });
  const version = parseVersion(result.stdout + result.stderr);
  if (result.exitCode !== 0 || !version) {
    throw new UserError(`${path} --version did not report a version (exit ${result.exitCode}).`, { fix: 'Reinstall duplicity (apt-get install --reinstall duplicity).', code: 'duplicity-broken' });
  }
  return { path, version, family: flagFamily(version) };
}

/** An absolute path to a program from the system places, or a UserError naming the package. */
export async function requireTool(program: string, apt: string): Promise<string> {
  const path = await which(program, { PATH: TOOL_PATH });
  if (!path) throw new UserError(`${program} is not installed.`, { fix: `apt-get install ${apt}`, code: `${program}-missing` });
  return path;
}
