import { UserError } from '../errors';
import { run } from '../exec';
import { writeFileAtomic, type WriteOutcome } from '../fs/atomic-write';
import { shq } from './shell-quote';
import { readFile, rm } from 'node:fs/promises';

/** The two things a profile schedules: the backup, and the periodic restore drill (`backup.sh drill`). */
export type ScheduledJob = 'backup' | 'drill';

/**
 * Our crontab lines carry a trailing marker comment. Cron hands everything after the five fields to
 * /bin/sh, which ignores "# …" after a space, so the marker costs nothing at run time and lets us find
 * exactly our lines again: one per profile and job, every other byte left as it was. The drill's
 * marker ends in ":drill", which no profile name can (they hold no colon).
 */
export function markerFor(profile: string, job: ScheduledJob = 'backup'): string {
  return `# dupliswift:${profile}${job === 'drill' ? ':drill' : ''}`;
}

export { cronProblem } from './cron-expression';

/** A command cron runs as is: `%` means newline to cron, so it must be escaped. */
export function cronCommand(script: string): string {
  // cron's tables are line based: a line break in the path would end our line and start another.
  if (/[\0-\x1f\x7f]/.test(script)) {
    throw new UserError(`The script path ${JSON.stringify(script)} holds a control character (a line break?); cron cannot run it.`, { fix: 'Use a --config-dir without line breaks or control characters.', code: 'bad-path' });
  }
  return shq(script).replace(/%/g, '\\%');
}

/** The script and its mode, as cron hands it to /bin/sh. */
function jobCommand(script: string, job: ScheduledJob): string {
  return `${cronCommand(script)}${job === 'drill' ? ' drill' : ''}`;
}

/** One line that is ours in a user's crontab (the backup's, or the drill's). */
export function cronLine(schedule: string, script: string, profile: string, job: ScheduledJob = 'backup'): string {
  return `${schedule.trim()} ${jobCommand(script, job)} ${markerFor(profile, job)}`;
}

/** One of our lines: the given job's, or, without a job, either. */
function isOurs(line: string, profile: string, job?: ScheduledJob): boolean {
  if (line.trimStart().startsWith('#')) return false;
  const jobs: ScheduledJob[] = job ? [job] : ['backup', 'drill'];
  return jobs.some((j) => line.trimEnd().endsWith(` ${markerFor(profile, j)}`));
}

/**
 * The crontab text with our line for a job added or replaced in place; every other line
 * byte-identical. Extra copies of that line (someone pasted it twice) are dropped. A last line
 * without a newline gets one, since cron ignores an unterminated last line anyway.
 */
export function upsertCronLine(text: string, profile: string, line: string, job: ScheduledJob = 'backup'): string {
  const lines = text === '' ? [] : text.split('\n');
  const trailing = lines.length > 0 && lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  let placed = false;
  const out: string[] = [];
  for (const current of lines) {
    if (isOurs(current, profile, job)) {
      if (!placed) out.push(line);
      placed = true;
    } else {
      out.push(current);
    }
  }
  if (!placed) out.push(line);
  return `${out.join('\n')}\n`;
}

/** The crontab text without our line for a job (without a job: all of the profile's); everything else byte-identical. */
export function removeCronLine(text: string, profile: string, job?: ScheduledJob): string {
  if (text === '') return text;
  const lines = text.split('\n');
  const kept = lines.filter((l) => !isOurs(l, profile, job));
  return kept.join('\n');
}

export function hasCronLine(text: string, profile: string, job?: ScheduledJob): boolean {
  return text.split('\n').some((l) => isOurs(l, profile, job));
}

/** What a profile schedules: the backup always, the restore drill when it has a schedule (undefined: off). */
export interface CronSchedule {
  profile: string;
  schedule: string;
  script: string;
  drill?: string;
}

/** The crontab text with the profile's backup line, and its drill line or none; every other byte as it was. */
export function withCronLines(text: string, s: CronSchedule): string {
  const next = upsertCronLine(text, s.profile, cronLine(s.schedule, s.script, s.profile));
  return s.drill ? upsertCronLine(next, s.profile, cronLine(s.drill, s.script, s.profile, 'drill'), 'drill') : removeCronLine(next, s.profile, 'drill');
}

/** `crontab -l` for a user (`-u` only as root, where it is allowed); '' when they have none. */
export async function readCrontab(user?: string, signal?: AbortSignal): Promise<{ text: string; exists: boolean }> {
  const r = await run('crontab', [...(user ? ['-u', user] : []), '-l'], { signal, timeoutMs: 20_000, env: { LC_ALL: 'C' } });
  if (r.notFound) throw new UserError('crontab is not installed.', { fix: 'apt-get install cron, or choose the systemd timer.', code: 'crontab-missing' });
  if (r.exitCode === 0) return { text: r.stdout, exists: true };
  if (/no crontab for/i.test(r.stderr)) return { text: '', exists: false };
  throw new UserError(`crontab -l failed: ${r.stderr.trim() || `exit ${r.exitCode}`}.`, { fix: 'Check that cron is installed and that this user may use it (/etc/cron.allow, /etc/cron.deny).', code: 'crontab-failed' });
}

async function writeCrontab(text: string, user: string | undefined, signal?: AbortSignal): Promise<void> {
  const r = await run('crontab', [...(user ? ['-u', user] : []), '-'], { input: text, signal, timeoutMs: 20_000, env: { LC_ALL: 'C' } });
  if (r.exitCode !== 0) throw new UserError(`crontab refused the new table: ${r.stderr.trim() || `exit ${r.exitCode}`}.`, { fix: 'Nothing was changed. Check the schedule expression.', code: 'crontab-failed' });
}

export type CronChange = 'added' | 'replaced' | 'unchanged' | 'removed' | 'absent';

/** Puts our lines (backup, and drill unless off) into a user's crontab; writes nothing when they are already there as is. */
export async function installCronLine(opts: CronSchedule & { user?: string; signal?: AbortSignal }): Promise<CronChange> {
  const current = await readCrontab(opts.user, opts.signal);
  const next = withCronLines(current.text, opts);
  if (next === current.text) return 'unchanged';
  await writeCrontab(next, opts.user, opts.signal);
  return hasCronLine(current.text, opts.profile) ? 'replaced' : 'added';
}

/** Takes our lines out of a user's crontab; a crontab that held only ours is removed as it was before. */
export async function uninstallCronLine(opts: { profile: string; user?: string; signal?: AbortSignal }): Promise<CronChange> {
  const current = await readCrontab(opts.user, opts.signal);
  if (!hasCronLine(current.text, opts.profile)) return 'absent';
  const next = removeCronLine(current.text, opts.profile);
  if (next === '') {
    const r = await run('crontab', [...(opts.user ? ['-u', opts.user] : []), '-r'], { signal: opts.signal, timeoutMs: 20_000 });
    if (r.exitCode !== 0) throw new UserError(`crontab -r failed: ${r.stderr.trim()}.`, { code: 'crontab-failed' });
  } else {
    await writeCrontab(next, opts.user, opts.signal);
  }
  return 'removed';
}

/**
 * run-parts (and so cron) ignores /etc/cron.d files whose names hold a dot, so the profile name is
 * escaped into letters, digits, "-" and "_", one to one: "_" becomes "__" and "." becomes "_-".
 * Profiles "a.b" and "a_b" get files of their own.
 */
export function cronDPath(profile: string, dir = '/etc/cron.d'): string {
  return `${dir}/dupliswift-${profile.replace(/[._]/g, (c) => (c === '_' ? '__' : '_-'))}`;
}

/** The name earlier versions gave (dots and underscores alike as "_"), which two profiles could share. */
function legacyCronDPath(profile: string, dir = '/etc/cron.d'): string {
  return `${dir}/dupliswift-${profile.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The profiles whose markers a cron.d file's job lines carry. */
export function cronDMarkers(text: string): Set<string> {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    const m = / # dupliswift:([A-Za-z0-9._-]+?)(?::drill)?\s*$/.exec(line);
    if (m) found.add(m[1]!);
  }
  return found;
}

/** Whether a cron.d file is this profile's: every marker in it names the profile, and there is one. */
async function cronDState(path: string, profile: string): Promise<'absent' | 'ours' | 'other'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  const markers = cronDMarkers(text);
  return markers.size === 1 && markers.has(profile) ? 'ours' : 'other';
}

/** The whole /etc/cron.d file for a profile (all of it is ours): a user field, a fixed PATH, the backup and the drill. */
export function cronDFile(opts: CronSchedule & { user?: string }): string {
  const line = (schedule: string, job: ScheduledJob) => `${schedule.trim()} ${opts.user ?? 'root'} ${jobCommand(opts.script, job)} ${markerFor(opts.profile, job)}`;
  return [
    `# dupliswift backup job for profile ${opts.profile}; written by \`dupliswift setup\`, removed with the profile.`,
    'SHELL=/bin/sh',
    'PATH=/usr/bin:/bin',
    line(opts.schedule, 'backup'),
    ...(opts.drill ? [line(opts.drill, 'drill')] : []),
    '',
  ].join('\n');
}

export async function installCronD(opts: CronSchedule & { user?: string; dir?: string }): Promise<WriteOutcome> {
  const path = cronDPath(opts.profile, opts.dir);
  if (await cronDState(path, opts.profile) === 'other') {
    throw new UserError(`${path} exists and is not profile ${opts.profile}'s (its lines carry no "# dupliswift:${opts.profile}" marker): nothing was changed.`, {
      fix: `Move that file away if it is no longer needed, or choose another install method.`, code: 'crond-not-ours',
    });
  }
  // cron skips cron.d files that are group- or world-writable; 0644 is what it expects.
  const outcome = await writeFileAtomic(path, cronDFile(opts), 0o644);
  // The file under the old, shared name goes once the new one is in place, if it is this profile's.
  const legacy = legacyCronDPath(opts.profile, opts.dir);
  if (legacy !== path && await cronDState(legacy, opts.profile) === 'ours') await rm(legacy);
  return outcome;
}

/** Removes the profile's cron.d file (and one under the old name); never a file whose markers name someone else. */
export async function uninstallCronD(profile: string, dir?: string): Promise<boolean> {
  let removed = false;
  for (const path of new Set([cronDPath(profile, dir), legacyCronDPath(profile, dir)])) {
    if (await cronDState(path, profile) !== 'ours') continue;
    await rm(path);
    removed = true;
  }
  return removed;
}
