import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../errors';

/** The files one profile folder holds; everything a backup job or a restore needs sits together. */
export const PROFILE_FILES = {
  settings: 'profile.json',
  script: 'backup.sh',
  exclude: 'exclude.txt',
  /** A profile of several folders (or with dumps): duplicity's --include-filelist. */
  filelist: 'filelist.txt',
  note: 'RESTORE.txt',
  log: 'backup.log',
  lock: 'backup.lock',
  /** What the last runs did, written by the job after each one (read by `dupliswift status`). */
  state: 'state.json',
  /** Folder: one 0600 file per secret (src/core/secrets/file-store.ts). */
  secrets: 'secrets',
  /** duplicity's local cache, kept with the profile so incrementals need no decrypt. */
  archive: 'cache',
  /** Folder: each backup run's own TMPDIR (run.PID), cleared by the next run if a run was killed. */
  tmp: 'tmp',
} as const;

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkProfileName(name: string): string | undefined {
  return PROFILE_NAME.test(name) ? undefined : 'Use 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit.';
}

export interface LocateOptions {
  /** --config-dir: the folder that holds profile folders. */
  configDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Whose rules apply; root keeps profiles under /etc. */
  uid?: number;
}

/** The folder that holds all profiles: /etc/dupliswift as root, $XDG_CONFIG_HOME/dupliswift (or ~/.config) otherwise. */
export function configRoot(opts: LocateOptions = {}): string {
  // Absolute whatever the caller gave: the script, its crontab line and its timer name this folder.
  if (opts.configDir) return resolve(opts.configDir);
  const uid = opts.uid ?? process.getuid?.() ?? 1000;
  if (uid === 0) return '/etc/dupliswift';
  const env = opts.env ?? process.env;
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'dupliswift');
}

export function profileDir(name: string, opts: LocateOptions = {}): string {
  const problem = checkProfileName(name);
  if (problem) throw new UserError(`"${name}" is not a usable profile name.`, { fix: problem, code: 'bad-profile-name' });
  return join(configRoot(opts), name);
}

