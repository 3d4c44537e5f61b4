import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors';
import { run, which } from '../exec';
import { writeFileAtomic, type WriteOutcome } from '../fs/atomic-write';
import type { ScheduledJob } from './crontab';
import { parseCron } from './cron-expression';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A set of values as one OnCalendar component: "*" when it is all of them, runs of three or more as a..b. */
function component(values: number[], all: [number, number], show: (n: number) => string): string {
  if (values.length === all[1] - all[0] + 1) return '*';
  const parts: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${show(values[i]!)}..${show(values[j]!)}`);
    else for (let k = i; k <= j; k++) parts.push(show(values[k]!));
    i = j + 1;
  }
  return parts.join(',');
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A cron schedule as systemd OnCalendar= values: one, or two when cron's "either day field matches"
 * rule applies (a timer fires when any of its OnCalendar= lines matches; within one line, systemd
 * needs the weekday and the date both). Built from cron-parser's expanded values, so names, steps,
 * ranges, lists and @shortcuts all convert; anything cron-parser or cron would not take is refused
 * with the reason (see cron-expression.ts).
 */
export function cronToOnCalendar(expression: string): string[] {
  const parsed = parseCron(expression);
  if (!parsed.ok) throw new UserError(parsed.problem, { fix: 'Give five cron fields, e.g. "17 3 * * *".', code: 'bad-cron' });
  const t = parsed.times;
  const time = `${component(t.hours, [0, 23], two)}:${component(t.minutes, [0, 59], two)}:00`;
  const month = component(t.months, [1, 12], two);
  const days = component(t.days, [1, 31], two);
  // systemd's week starts on Monday: Sunday sorts last, so a range never wraps.
  const weekdays = component(t.weekdays.map((d) => d || 7).sort((a, b) => a - b), [1, 7], (d) => DAYS[d % 7]!);
  const line = (w: string, d: string) => `${w === '*' ? '' : `${w} `}*-${month}-${d} ${time}`;
  if (t.dayMatch === 'or' && days !== '*' && weekdays !== '*') return [line('*', days), line(weekdays, '*')];
  return [line(weekdays, days)];
}

/** The drill's units end in ":drill" (valid in unit names, never in a profile name), so no profile's backup units can clash with them. */
export function unitName(profile: string, job: ScheduledJob = 'backup'): string {
  return `dupliswift-${profile.replace(/[^A-Za-z0-9_.-]/g, '_')}${job === 'drill' ? ':drill' : ''}`;
}

export interface Units {
  service: string;
  timer: string;
}

/**
 * The script path as ExecStart='s program: double-quoted with C escapes and "%" doubled (specifiers),
 * so spaces and odd bytes stay one word. "$" stays: systemd never expands variables in the program.
 */
export function execWord(path: string): string {
  return `"${path.replace(/[\\"%]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '%%'))}"`;
}

/** The script as a file:// URI for Documentation= (percent-encoded, its "%" doubled for systemd). */
function documentationUri(path: string): string {
  return pathToFileURL(path).href.replace(/%/g, '%%');
}

export function generateUnits(opts: { profile: string; script: string; schedule: string; user?: string; randomizedDelaySec?: number; job?: ScheduledJob }): Units {
  // Unit files are line based: a line break in the path would start a directive of its own.
  if (/[\0-\x1f\x7f]/.test(opts.script)) {
    throw new UserError(`The script path ${JSON.stringify(opts.script)} holds a control character (a line break?); a systemd unit cannot name it.`, { fix: 'Use a --config-dir without line breaks or control characters.', code: 'bad-path' });
  }
  const what = opts.job === 'drill' ? 'restore drill' : 'backup';
  const service = `[Unit]
Description=dupliswift ${what} (profile ${opts.profile})
Documentation=${documentationUri(opts.script)}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=${execWord(opts.script)}${opts.job === 'drill' ? ' drill' : ''}
${opts.user && opts.user !== 'root' ? `User=${opts.user}\n` : ''}# The script takes its own lock and logs to the profile folder; it needs no more than cron gives.
Environment=PATH=/usr/bin:/bin
Nice=10
IOSchedulingClass=best-effort
IOSchedulingPriority=7
`;
  const timer = `[Unit]
Description=dupliswift ${what} schedule (profile ${opts.profile})

[Timer]
${cronToOnCalendar(opts.schedule).map((c) => `OnCalendar=${c}\n`).join('')}# A run missed while the machine was off happens at the next boot; the delay spreads a fleet's runs.
Persistent=true
RandomizedDelaySec=${opts.randomizedDelaySec ?? 900}

[Install]
WantedBy=timers.target
`;
  return { service, timer };
}

/** /etc/systemd/system as root, ~/.config/systemd/user otherwise. */
export function unitDir(uid: number, env: NodeJS.ProcessEnv): string {
  if (uid === 0) return '/etc/systemd/system';
  return join(env.XDG_CONFIG_HOME || join(env.HOME ?? '', '.config'), 'systemd', 'user');
}

export async function writeUnits(dir: string, profile: string, units: Units, job: ScheduledJob = 'backup'): Promise<{ service: string; timer: string; outcome: WriteOutcome[] }> {
  // ~/.config/systemd/user does not exist until something puts a unit there.
  await mkdir(dir, { recursive: true });
  const name = unitName(profile, job);
  const service = join(dir, `${name}.service`);
  const timer = join(dir, `${name}.timer`);
  const outcome = [await writeFileAtomic(service, units.service, 0o644), await writeFileAtomic(timer, units.timer, 0o644)];
  return { service, timer, outcome };
}

/** `systemd-analyze verify` on the unit files; undefined when the tool is absent. Problems as lines. */
export async function verifyUnits(paths: string[], signal?: AbortSignal): Promise<{ ok: boolean; output: string } | undefined> {
  const tool = await which('systemd-analyze', { PATH: '/usr/bin:/bin' });
  if (!tool) return undefined;
  const r = await run(tool, ['verify', ...paths], { signal, timeoutMs: 30_000, env: { SYSTEMD_LOG_LEVEL: 'warning' } });
  // Without systemd as PID 1 it still checks syntax. It also loads the machine's other units and
  // complains about them; only lines about our units are ours to report.
  const ours = paths.map((p) => p.split('/').pop()!.replace(/\.(service|timer)$/, ''));
  const output = (r.stdout + r.stderr).split('\n').filter((l) => l.trim() && ours.some((name) => l.includes(name))).join('\n');
  return { ok: output === '', output };
}

/**
 * Verifies a job's units in a scratch folder before they go where systemd reads them: a pair that
 * systemd-analyze rejects is an error and is never installed. Undefined when the tool is absent.
 */
export async function verifyBeforeInstall(profile: string, units: Units, job: ScheduledJob, signal?: AbortSignal): Promise<{ ok: boolean; output: string } | undefined> {
  const scratch = await mkdtemp(join(tmpdir(), 'dupliswift-units-'));
  try {
    const written = await writeUnits(scratch, profile, units, job);
    const verified = await verifyUnits([written.service, written.timer], signal);
    // The scratch folder's name means nothing to the reader: name the units alone.
    return verified && { ok: verified.ok, output: verified.output.split(`${scratch}/`).join('') };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** systemd's own reading of an OnCalendar expression, when systemd-analyze is there. */
export async function normalizeCalendar(expression: string): Promise<string | undefined> {
  const tool = await which('systemd-analyze', { PATH: '/usr/bin:/bin' });
  if (!tool) return undefined;
  const r = await run(tool, ['calendar', expression], { timeoutMs: 10_000 });
  if (r.exitCode !== 0) return undefined;
  return /Normalized form:\s*(.+)/.exec(r.stdout)?.[1]?.trim();
}

function systemdBooted(): Promise<boolean> {
  return import('node:fs/promises').then((fs) => fs.stat('/run/systemd/system').then(() => true, () => false));
}

const LINGER_WHY = 'a user timer runs only while its user is logged in unless lingering is on (loginctl enable-linger)';

/**
 * A user's timers stop at logout unless systemd-logind keeps a manager for them ("lingering"). Turns
 * it on for this user (logind allows that for oneself); says plainly when it could not.
 */
async function ensureLinger(uid: number, signal?: AbortSignal): Promise<string | undefined> {
  const user = (await run('id', ['-un', String(uid)], { signal, timeoutMs: 10_000 })).stdout.trim() || String(uid);
  const shown = await run('loginctl', ['show-user', String(uid), '--property=Linger', '--value'], { signal, timeoutMs: 30_000 });
  if (shown.exitCode === 0 && shown.stdout.trim() === 'yes') return undefined;
  const r = await run('loginctl', ['enable-linger', user], { signal, timeoutMs: 30_000 });
  if (r.exitCode === 0) return undefined;
  return `lingering could not be turned on (${r.stderr.trim() || `loginctl exit ${r.exitCode}`}): ${LINGER_WHY}; ask an admin to run \`loginctl enable-linger ${user}\``;
}

/**
 * Enables the timer where systemd runs; says plainly where it does not (containers, this test box),
 * or when the units went to a folder systemd does not read (given by the caller).
 */
export async function enableTimer(profile: string, uid: number, signal?: AbortSignal, job: ScheduledJob = 'backup', opts: { customDir?: string } = {}): Promise<{ enabled: boolean; reason?: string }> {
  const linger = uid === 0 ? '' : `; ${LINGER_WHY}, which setup turns on where systemd runs`;
  if (opts.customDir) return { enabled: false, reason: `the unit files are written to ${opts.customDir} and verified, not enabled (not a folder systemd reads)${linger}` };
  if (!(await systemdBooted())) return { enabled: false, reason: `systemd is not running on this machine (no /run/systemd/system): the unit files are written and verified, not enabled${linger}` };
  const args = [...(uid === 0 ? [] : ['--user']), 'daemon-reload'];
  await run('systemctl', args, { signal, timeoutMs: 30_000 });
  const r = await run('systemctl', [...(uid === 0 ? [] : ['--user']), 'enable', '--now', `${unitName(profile, job)}.timer`], { signal, timeoutMs: 30_000 });
  if (r.exitCode !== 0) return { enabled: false, reason: r.stderr.trim() };
  const lingerProblem = uid === 0 ? undefined : await ensureLinger(uid, signal);
  return lingerProblem ? { enabled: true, reason: lingerProblem } : { enabled: true };
}

/**
 * Stops and disables a timer before its files go, where systemd runs: a deleted unit file alone
 * leaves an enabled timer firing until the next daemon-reload. Nothing to do elsewhere.
 */
export async function disableTimer(profile: string, uid: number, signal?: AbortSignal, job: ScheduledJob = 'backup'): Promise<void> {
  if (!(await systemdBooted())) return;
  await run('systemctl', [...(uid === 0 ? [] : ['--user']), 'disable', '--now', `${unitName(profile, job)}.timer`], { signal, timeoutMs: 30_000 });
}
