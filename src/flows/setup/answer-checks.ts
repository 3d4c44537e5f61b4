import { isAbsolute } from 'node:path';
import { cronProblem } from '../../core/schedule/cron-expression';
import type { Profile } from '../../core/profile/types';

/**
 * The Schedule step's checks on one answer each, pure: the wizard runs them as a person types, and
 * the answers file is put through the same ones before anything is touched (answers-first.ts).
 */

/** Swift takes at most 5 GiB in one object (max_file_size), and duplicity uploads each volume as one. */
export const MAX_VOLSIZE_MB = 5000;

export const positiveInt = (v: string) => (/^[1-9][0-9]*$/.test(v.trim()) ? undefined : 'Give a whole number of 1 or more.');

export function volsizeProblem(v: string): string | undefined {
  const problem = positiveInt(v);
  if (problem) return problem;
  if (Number(v.trim()) > MAX_VOLSIZE_MB) {
    return `${v.trim()} MB is more than a volume can be: duplicity uploads each volume to Swift as one object, and Swift takes at most 5 GiB in one (its default max_file_size); each volume is also staged on local disk first. Give at most ${MAX_VOLSIZE_MB}; 200 (duplicity's default) suits most servers.`;
  }
  return undefined;
}

export const sourceProblem = (v: string) => (isAbsolute(v.trim()) ? undefined : 'Give an absolute path, e.g. /srv/data.');

/** Exclusions: absolute, and inside the source (duplicity stops on a pattern that cannot match anything there). */
export function excludeProblem(list: string[], source?: string): string | undefined {
  const relative = list.find((p) => !isAbsolute(p));
  if (relative !== undefined) return `"${relative}": exclusions are absolute paths inside the source, e.g. /srv/data/tmp.`;
  if (source && isAbsolute(source)) {
    const base = source.replace(/\/+$/, '');
    const outside = list.find((p) => p !== base && !p.startsWith(`${base}/`));
    if (outside !== undefined) return `"${outside}" is not inside the source ${base}; duplicity stops on an exclusion that cannot match anything there.`;
  }
  return undefined;
}

export const fullEveryProblem = (v: string) => (/^[0-9]+[smhDWMY]$/.test(v.trim()) ? undefined : 'Write a number and a unit, e.g. 7D (days), 2W (weeks), 1M (months).');

export const pingUrlProblem = (v: string) => (!v.trim() || /^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'Give an http(s):// URL, or leave it empty.');

export function alertMailProblem(v: string): string | undefined {
  const value = v.trim();
  if (!value) return undefined;
  // One address: the job passes it to mail(1) as one argument; a comma list or a name would be mangled.
  return /^[^@\s,;<>"'()]+@[^@\s,;<>"'()]+\.[^@\s,;<>"'()]+$/.test(value) ? undefined : `"${value}" is not one e-mail address; give one such as ops@example.org, or leave it empty.`;
}

/** Monthly, on the 1st at 04:41: away from the default nightly 03:17 run, so the two rarely meet at the lock. */
export const DEFAULT_DRILL = '41 4 1 * *';

/** The drill's answer: cron fields, or "off". */
export function drillProblem(value: string): string | undefined {
  return value.trim().toLowerCase() === 'off' ? undefined : cronProblem(value);
}

/**
 * A job started by cron or a systemd timer has no desktop session, so it cannot unlock a keyring:
 * every run would stop at once (exit 78). Keyring secrets go only with "no schedule".
 */
export function secretsForInstallProblem(secrets: Profile['secrets'], install: Profile['install']): string | undefined {
  if (secrets !== 'keyring' || install === 'none') return undefined;
  return `Secrets in the keyring cannot go with a ${install === 'systemd' ? 'systemd timer' : install} schedule: an unattended job cannot unlock a keyring, so every run would fail. Choose "secrets": "file" (0600 files the job reads), or "install": "none".`;
}

export function installForUserProblem(install: Profile['install'], uid: number): string | undefined {
  return install === 'cron.d' && uid !== 0 ? '/etc/cron.d is for root: run setup as root, or choose "crontab" or "systemd".' : undefined;
}
