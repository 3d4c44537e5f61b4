import { readFile, rm } from 'node:fs/promises';
import type { Profile } from '../profile/types';
import { cronDPath, installCronD, installCronLine, uninstallCronD, uninstallCronLine, type ScheduledJob } from './crontab';
import { UserError } from '../errors';
import { disableTimer, enableTimer, generateUnits, unitDir, unitName, verifyBeforeInstall, writeUnits } from './systemd';
import { join } from 'node:path';

export interface InstallResult {
  method: Profile['install'];
  /** What changed, in words, for the summary. */
  detail: string;
  changed: boolean;
  files?: string[];
  warning?: string;
}

export interface InstallOptions {
  profile: string;
  method: Profile['install'];
  schedule: string;
  /** The restore drill's cron fields; undefined when the drill is off. */
  drill?: string;
  script: string;
  uid: number;
  env: NodeJS.ProcessEnv;
  /** Root only: install into this user's crontab (`crontab -u`). */
  user?: string;
  /** Where the cron.d file goes (default /etc/cron.d); tests give a folder of their own. */
  cronDDir?: string;
  /** Where the systemd units go (default unitDir(uid)); given, the timers are written there and not enabled. */
  unitDir?: string;
  signal?: AbortSignal;
}

const unitsIn = (o: InstallOptions) => o.unitDir ?? unitDir(o.uid, o.env);

/** A unit file's state: absent, ours (its Description names this profile), or someone else's. */
async function unitState(path: string, profile: string): Promise<'absent' | 'ours' | 'other'> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return 'absent';
  return new RegExp(`^Description=dupliswift .*\\(profile ${profile.replace(/[.]/g, '\\.')}\\)$`, 'm').test(text) ? 'ours' : 'other';
}

type UnitTarget = Pick<InstallOptions, 'profile' | 'uid' | 'env' | 'unitDir' | 'signal'>;
const unitFiles = (o: UnitTarget, job: ScheduledJob) => ['service', 'timer'].map((ext) => join(o.unitDir ?? unitDir(o.uid, o.env), `${unitName(o.profile, job)}.${ext}`));

/** Takes one job's .service/.timer pair away (stopped first where systemd runs); true when there was one. Never a file that is not ours. */
async function removeUnits(o: UnitTarget, job: ScheduledJob): Promise<boolean> {
  const files = unitFiles(o, job);
  const states = await Promise.all(files.map((f) => unitState(f, o.profile)));
  if (!states.includes('ours')) return false;
  if (!o.unitDir) await disableTimer(o.profile, o.uid, o.signal, job);
  for (const [i, f] of files.entries()) if (states[i] === 'ours') await rm(f, { force: true });
  return true;
}

/**
 * One job's .service/.timer pair, verified by systemd-analyze in a scratch folder: a pair it rejects
 * is an error, found before anything is written. Without the tool the summary says it was not verified.
 */
async function checkedUnits(o: InstallOptions, job: ScheduledJob, schedule: string) {
  const units = generateUnits({ profile: o.profile, script: o.script, schedule, job });
  const verified = await verifyBeforeInstall(o.profile, units, job, o.signal);
  if (verified && !verified.ok) {
    throw new UserError(`systemd-analyze verify rejects the ${job === 'drill' ? 'restore drill\'s' : 'backup\'s'} timer units: ${verified.output}`, {
      fix: 'Nothing was installed. Choose crontab, or report this with the lines above.', code: 'systemd-verify',
    });
  }
  const foreign = (await Promise.all(unitFiles(o, job).map(async (f) => ((await unitState(f, o.profile)) === 'other' ? f : undefined)))).filter(Boolean);
  if (foreign.length) {
    throw new UserError(`${foreign.join(' and ')} ${foreign.length > 1 ? 'exist and are' : 'exists and is'} not profile ${o.profile}'s (no "Description=dupliswift … (profile ${o.profile})" line): nothing was changed.`, {
      fix: 'Move that unit away if it is no longer needed, or choose another install method.', code: 'unit-not-ours',
    });
  }
  return { job, units, verified: Boolean(verified) };
}

/** Writes and enables a checked pair. */
async function systemdJob(o: InstallOptions, c: Awaited<ReturnType<typeof checkedUnits>>) {
  const written = await writeUnits(unitsIn(o), o.profile, c.units, c.job);
  const enabled = await enableTimer(o.profile, o.uid, o.signal, c.job, { customDir: o.unitDir });
  return {
    files: [written.service, written.timer],
    changed: written.outcome.some((x) => x !== 'unchanged'),
    detail: `timer ${unitName(o.profile, c.job)}.timer ${enabled.enabled ? 'enabled' : 'written'}`,
    warnings: [c.verified ? undefined : 'systemd-analyze is missing: the units were not verified', enabled.reason],
  };
}

/**
 * Installs the schedule (the backup, and the restore drill unless it is off) the chosen way and takes
 * it out of the other ways, so changing your mind (crontab -> systemd) never leaves two schedules
 * running. Nothing is written when nothing changes.
 */
export async function installSchedule(o: InstallOptions): Promise<InstallResult> {
  let result: InstallResult = { method: 'none', detail: 'No schedule installed: run the script yourself.', changed: false };
  const drillNote = o.drill ? `, restore drill ${o.drill}` : '';
  if (o.method === 'crontab') {
    const change = await installCronLine({ profile: o.profile, schedule: o.schedule, drill: o.drill, script: o.script, user: o.user, signal: o.signal });
    result = { method: 'crontab', detail: `crontab ${o.drill ? 'lines' : 'line'} ${change} (${o.schedule}${drillNote})`, changed: change !== 'unchanged' };
  } else if (o.method === 'cron.d') {
    const outcome = await installCronD({ profile: o.profile, schedule: o.schedule, drill: o.drill, script: o.script, user: o.user, dir: o.cronDDir });
    result = { method: 'cron.d', detail: `/etc/cron.d file ${outcome}`, changed: outcome !== 'unchanged' };
  } else if (o.method === 'systemd') {
    const checked = [await checkedUnits(o, 'backup', o.schedule), ...(o.drill ? [await checkedUnits(o, 'drill', o.drill)] : [])];
    const jobs = [];
    for (const c of checked) jobs.push(await systemdJob(o, c));
    const dropped = o.drill ? false : await removeUnits(o, 'drill');
    // The same "not running here" reason for both timers is said once.
    const warning = [...new Set(jobs.flatMap((j) => j.warnings).filter(Boolean))].join('; ') || undefined;
    result = {
      method: 'systemd', detail: jobs.map((j) => j.detail).join(', '), changed: dropped || jobs.some((j) => j.changed),
      files: jobs.flatMap((j) => j.files), warning,
    };
  }
  if (o.method !== 'crontab') {
    const removed = await uninstallCronLine({ profile: o.profile, user: o.user, signal: o.signal }).catch(() => 'absent');
    if (removed === 'removed') result.changed = true;
  }
  if (o.method !== 'cron.d' && o.uid === 0) {
    if (await uninstallCronD(o.profile, o.cronDDir)) result.changed = true;
  }
  if (o.method !== 'systemd') {
    for (const job of ['backup', 'drill'] as const) if (await removeUnits(o, job)) result.changed = true;
  }
  return result;
}

/** What `dupliswift remove` took away, one entry per place. */
export interface UninstallResult {
  removed: Array<{ method: Exclude<Profile['install'], 'none'>; detail: string }>;
}

/**
 * Takes a profile's schedule away wherever it is (crontab lines, the cron.d file, systemd units):
 * only our marked lines and our own files; every other line of a crontab stays byte for byte.
 * The profile folder, keys and backups are not touched.
 */
export async function uninstallSchedule(o: Pick<InstallOptions, 'profile' | 'uid' | 'env' | 'user' | 'cronDDir' | 'unitDir' | 'signal'>): Promise<UninstallResult> {
  const removed: UninstallResult['removed'] = [];
  const cron = await uninstallCronLine({ profile: o.profile, user: o.user, signal: o.signal }).catch((error: unknown) => {
    // No crontab program: there can be no crontab line of ours either.
    if ((error as { code?: string }).code === 'crontab-missing') return 'absent' as const;
    throw error;
  });
  if (cron === 'removed') removed.push({ method: 'crontab', detail: `crontab lines of ${o.profile} removed${o.user ? ` (user ${o.user})` : ''}` });
  if (o.uid === 0 && await uninstallCronD(o.profile, o.cronDDir)) removed.push({ method: 'cron.d', detail: `${cronDPath(o.profile, o.cronDDir)} removed` });
  for (const job of ['backup', 'drill'] as const) {
    if (await removeUnits(o, job)) removed.push({ method: 'systemd', detail: `${unitName(o.profile, job)}.service and .timer removed from ${o.unitDir ?? unitDir(o.uid, o.env)}` });
  }
  return { removed };
}
