import { UserError } from '../errors';
import { run } from '../exec';
import { writeFileAtomic, type WriteOutcome } from '../profile/atomic';
import { shq } from './shell-quote';
import { rm, stat } from 'node:fs/promises';

/**
 * Our crontab line carries a trailing marker comment. Cron hands everything after the five fields to
 * /bin/sh, which ignores "# …" after a space, so the marker costs nothing at run time and lets us find
 * exactly our line again: one line per profile, every other byte left as it was.
 */
export function markerFor(profile: string): string {
  return `# dupliswift:${profile}`;
}

const FIELD = /^[0-9A-Za-z*,/-]+$/;

/** Five cron fields, or a named shortcut (@daily); undefined when fine, else the problem in words. */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(text)) return undefined;
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `"${expression}" has ${fields.length} fields; cron needs five: minute hour day-of-month month day-of-week (e.g. "17 3 * * *").`;
  if (!fields.every((f) => FIELD.test(f))) return `"${expression}" has characters cron does not take; use digits, *, commas, dashes and slashes.`;
  const ranges: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
  for (const [index, field] of fields.entries()) {
    for (const part of field.split(',')) {
      const [range = '', step] = part.split('/');
      if (step !== undefined && !/^[1-9][0-9]*$/.test(step)) return `"${part}" has a bad step.`;
      if (range === '*') continue;
      for (const n of range.split('-')) {
        if (/^[A-Za-z]{3}$/.test(n) && index >= 3) continue;
        const value = Number(n);
        const [lo, hi] = ranges[index]!;
        if (!/^[0-9]+$/.test(n) || value < lo || value > hi) return `"${n}" is out of range for field ${index + 1} (${lo}-${hi}).`;
      }
    }
  }
  return undefined;
}

/** A command cron runs as is: `%` means newline to cron, so it must be escaped. */
export function cronCommand(script: string): string {
  return shq(script).replace(/%/g, '\\%');
}

/** The one line that is ours in a user's crontab. */
export function cronLine(schedule: string, script: string, profile: string): string {
  return `${schedule.trim()} ${cronCommand(script)} ${markerFor(profile)}`;
}

function isOurs(line: string, profile: string): boolean {
  return line.trimEnd().endsWith(` ${markerFor(profile)}`) && !line.trimStart().startsWith('#');
}

/**
 * The crontab text with our line added or replaced in place; every other line byte-identical. Extra
 * copies of our line (someone pasted it twice) are dropped. A last line without a newline gets one,
 * since cron ignores an unterminated last line anyway.
 */
export function upsertCronLine(text: string, profile: string, line: string): string {
  const lines = text === '' ? [] : text.split('\n');
  const trailing = lines.length > 0 && lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  let placed = false;
  const out: string[] = [];
  for (const current of lines) {
    if (isOurs(current, profile)) {
      if (!placed) out.push(line);
      placed = true;
    } else {
      out.push(current);
    }
  }
  if (!placed) out.push(line);
  return `${out.join('\n')}\n`;
}

/** The crontab text without our line; everything else byte-identical. */
export function removeCronLine(text: string, profile: string): string {
  if (text === '') return text;
  const lines = text.split('\n');
  const kept = lines.filter((l) => !isOurs(l, profile));
  return kept.join('\n');
}

export function hasCronLine(text: string, profile: string): boolean {
  return text.split('\n').some((l) => isOurs(l, profile));
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

/** Puts our line into a user's crontab; writes nothing when it is already there as is. */
export async function installCronLine(opts: { profile: string; schedule: string; script: string; user?: string; signal?: AbortSignal }): Promise<CronChange> {
  const current = await readCrontab(opts.user, opts.signal);
  const next = upsertCronLine(current.text, opts.profile, cronLine(opts.schedule, opts.script, opts.profile));
  if (next === current.text) return 'unchanged';
  await writeCrontab(next, opts.user, opts.signal);
  return hasCronLine(current.text, opts.profile) ? 'replaced' : 'added';
}

/** Takes our line out of a user's crontab; a crontab that held only our line is removed as it was before. */
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

/** run-parts (and so cron) ignores /etc/cron.d files whose names hold a dot. */
export function cronDPath(profile: string, dir = '/etc/cron.d'): string {
  return `${dir}/dupliswift-${profile.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The whole /etc/cron.d file for a profile (all of it is ours): a user field, a fixed PATH. */
export function cronDFile(opts: { profile: string; schedule: string; script: string; user?: string }): string {
  return [
    `# dupliswift backup job for profile ${opts.profile}; written by \`dupliswift setup\`, removed with the profile.`,
    'SHELL=/bin/sh',
    'PATH=/usr/bin:/bin',
    `${opts.schedule.trim()} ${opts.user ?? 'root'} ${cronCommand(opts.script)} ${markerFor(opts.profile)}`,
    '',
  ].join('\n');
}

export async function installCronD(opts: { profile: string; schedule: string; script: string; user?: string; dir?: string }): Promise<WriteOutcome> {
  // cron skips cron.d files that are group- or world-writable; 0644 is what it expects.
  return writeFileAtomic(cronDPath(opts.profile, opts.dir), cronDFile(opts), 0o644);
}

export async function uninstallCronD(profile: string, dir?: string): Promise<boolean> {
  const path = cronDPath(profile, dir);
  const found = await stat(path).catch(() => undefined);
  if (!found) return false;
  await rm(path);
  return true;
}
