import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors';
import { checkProfileName, configRoot, PROFILE_FILES, profileDir, type LocateOptions } from './paths';
import type { Profile } from './types';

const FPR = /^[0-9A-F]{40}$/;

/** What is wrong with a parsed profile.json, in words; undefined when it has the Profile shape. */
export function profileProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return 'it is not a JSON object';
  const p = value as Partial<Profile>;
  if (p.version !== 1) return `version ${JSON.stringify(p.version)} is not one this dupliswift reads (1)`;
  for (const key of ['name', 'source', 'gnupgHome', 'container', 'archiveDir'] as const) {
    if (typeof p[key] !== 'string' || !p[key]) return `"${key}" is missing`;
  }
  if (!Array.isArray(p.exclude)) return '"exclude" must be a list';
  if (p.sources !== undefined && (!Array.isArray(p.sources) || !p.sources.every((s) => typeof s === 'string' && s.startsWith('/')))) return '"sources" must be a list of absolute paths';
  if (p.databases !== undefined && (!Array.isArray(p.databases) || typeof p.dumpDir !== 'string')) return '"databases" must be a list, with "dumpDir" beside it';
  if (!p.keys || !FPR.test(p.keys.encrypt ?? '') || !FPR.test(p.keys.sign ?? '')) return '"keys" must hold two uppercase 40-hex fingerprints';
  if (!p.openstack || typeof p.openstack.authUrl !== 'string' || typeof p.openstack.username !== 'string') return '"openstack" is incomplete';
  if (!p.schedule || typeof p.schedule.cron !== 'string' || typeof p.schedule.keepFull !== 'number') return '"schedule" is incomplete';
  if (p.secrets !== 'file' && p.secrets !== 'keyring') return '"secrets" must be "file" or "keyring"';
  return undefined;
}

/**
 * Reads a profile's non-secret settings (profile.json). `configDir` is the folder that holds profile
 * folders (--config-dir); without it the usual place for this user applies.
 */
export async function loadProfile(name: string, configDir?: string, opts: Omit<LocateOptions, 'configDir'> = {}): Promise<Profile & { dir: string }> {
  const dir = profileDir(name, { ...opts, configDir });
  const path = join(dir, PROFILE_FILES.settings);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(`There is no profile "${name}" (${path} does not exist).`, {
        fix: `Run dupliswift setup to create it${configDir ? '' : ', or pass --config-dir where it lives'}.`,
        code: 'no-profile',
      });
    }
    throw new UserError(`Cannot read ${path}: ${code ?? String(error)}.`, { fix: 'Run as the user who owns the profile (root for /etc/dupliswift).', code: 'profile-unreadable' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON (${(error as Error).message}).`, { fix: 'Run dupliswift setup again for this profile to rewrite it.', code: 'profile-corrupt' });
  }
  const problem = profileProblem(parsed);
  if (problem) throw new UserError(`${path} is not a usable profile: ${problem}.`, { fix: 'Run dupliswift setup again for this profile to rewrite it.', code: 'profile-corrupt' });
  return { ...(parsed as Profile), dir };
}

/** profile.json's bytes: stable key order and a final newline, so the same settings give the same file. */
export function serializeProfile(profile: Profile): string {
  return `${JSON.stringify(profile, null, 2)}\n`;
}

/** Every readable profile under the config root; folders that are not profiles are passed over. */
export async function listProfiles(opts: LocateOptions = {}): Promise<Array<Profile & { dir: string }>> {
  const root = configRoot(opts);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const loaded = await Promise.all(entries.filter((e) => e.isDirectory() && !checkProfileName(e.name))
    .map((e) => loadProfile(e.name, root, { env: opts.env, uid: opts.uid }).catch(() => undefined)));
  return loaded.filter((p): p is Profile & { dir: string } => p !== undefined);
}
