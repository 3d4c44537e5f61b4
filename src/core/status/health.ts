import type { Profile } from '../profile/types';
import { formatDuration, intervalSeconds } from './interval';
import type { JobState, StateRead } from './job-state';
import { longestGapSeconds, nextRunAfter } from './schedule-times';

export type HealthLevel = 'ok' | 'warning' | 'critical' | 'unknown';

export interface Thresholds {
  warnSeconds: number;
  critSeconds: number;
  /** Where they come from: the schedule, or schedule.warnAfter / critAfter. */
  source: 'schedule' | 'profile';
}

export interface HealthInput {
  now: Date;
  state: StateRead;
  schedule: Pick<Profile['schedule'], 'cron' | 'warnAfter' | 'critAfter'>;
  method: Profile['install'];
  /** When the profile was set up: its first scheduled run is the first after this. */
  since: Date;
}

export interface Health {
  health: HealthLevel;
  /** Why, in words: every problem found, or what shows all is well. */
  reasons: string[];
  nextRun?: Date;
  lastSuccessAgeSeconds?: number;
  thresholds?: Thresholds;
}

/** Room for a run's own length and a timer's random delay, on top of the wait between runs. */
function grace(gapSeconds: number): number {
  return Math.min(gapSeconds, 2 * 3600);
}

/**
 * Warning once a scheduled run has passed without a success (plus grace), critical once two have.
 * schedule.warnAfter / critAfter (duplicity intervals) replace either. No schedule and no override:
 * the age is not judged.
 */
export function thresholdsFor(input: Pick<HealthInput, 'schedule' | 'method' | 'now'>): Thresholds | undefined {
  const warnOverride = input.schedule.warnAfter ? intervalSeconds(input.schedule.warnAfter) : undefined;
  const critOverride = input.schedule.critAfter ? intervalSeconds(input.schedule.critAfter) : undefined;
  const gap = input.method === 'none' ? undefined : longestGapSeconds(input.schedule.cron, input.now);
  const warn = warnOverride ?? (gap === undefined ? undefined : gap + grace(gap));
  const crit = critOverride ?? (gap === undefined ? undefined : 2 * gap + grace(gap));
  if (warn === undefined && crit === undefined) return undefined;
  const source = warnOverride !== undefined || critOverride !== undefined ? 'profile' : 'schedule';
  // Only one given and no schedule: the other follows from it (critical at twice the warning).
  const w = warn ?? crit! / 2;
  const c = crit ?? warn! * 2;
  return { warnSeconds: Math.min(w, c), critSeconds: c, source };
}

function failed(what: string, r: { exitCode: number; end: string }): string {
  return `the last ${what} failed (exit ${r.exitCode}) at ${r.end}`;
}

const RANK: Record<HealthLevel, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** The worse of two levels: critical over warning over unknown over ok. */
export function worse(a: HealthLevel, b: HealthLevel): HealthLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A profile's health from what its job recorded and its schedule. Pure: the clock comes in `now`. */
export function assessHealth(input: HealthInput): Health {
  const { now } = input;
  const scheduled = input.method !== 'none';
  const nextRun = scheduled ? nextRunAfter(input.schedule.cron, now) : undefined;
  const thresholds = thresholdsFor(input);
  const base = { ...(nextRun ? { nextRun } : {}), ...(thresholds ? { thresholds } : {}) };
  if (input.state.kind === 'unreadable') return { health: 'unknown', reasons: [input.state.problem], ...base };
  const state: JobState | undefined = input.state.kind === 'found' ? input.state.state : undefined;

  let level: HealthLevel = 'ok';
  const reasons: string[] = [];
  const flag = (l: HealthLevel, reason: string) => {
    level = worse(level, l);
    reasons.push(reason);
  };
  if (state?.lastBackup && state.lastBackup.exitCode !== 0) flag('critical', failed('backup', state.lastBackup));
  if (state?.lastDrill && state.lastDrill.exitCode !== 0) flag('critical', failed('restore drill', state.lastDrill));

  const success = state?.lastSuccess ?? undefined;
  let lastSuccessAgeSeconds: number | undefined;
  if (success) {
    lastSuccessAgeSeconds = Math.max(0, Math.round(now.getTime() / 1000 - success.endEpoch));
    const age = formatDuration(lastSuccessAgeSeconds);
    if (thresholds && lastSuccessAgeSeconds > thresholds.critSeconds) {
      flag('critical', `the last successful backup is ${age} old (critical after ${formatDuration(thresholds.critSeconds)})`);
    } else if (thresholds && lastSuccessAgeSeconds > thresholds.warnSeconds) {
      flag('warning', `the last successful backup is ${age} old (warning after ${formatDuration(thresholds.warnSeconds)})`);
    } else if (level === 'ok') {
      reasons.push(`the last backup succeeded ${age} ago${thresholds ? '' : ' (no schedule: its age is not judged)'}`);
    }
  } else {
    const firstDue = scheduled ? nextRunAfter(input.schedule.cron, input.since) : undefined;
    const gap = scheduled ? longestGapSeconds(input.schedule.cron, input.since) : undefined;
    const dueBy = firstDue && gap !== undefined ? new Date(firstDue.getTime() + grace(gap) * 1000)
      : thresholds ? new Date(input.since.getTime() + thresholds.warnSeconds * 1000) : undefined;
    if (!dueBy) flag('unknown', 'no backup has succeeded yet, and no schedule runs one');
    else if (now < dueBy) flag('unknown', `no backup yet: the first ${firstDue ? `scheduled run is due at ${firstDue.toISOString()}` : `one is expected by ${dueBy.toISOString()}`}`);
    else flag('critical', 'no backup has succeeded since the profile was set up');
  }
  if (state?.lastDrill?.exitCode === 0 && level === 'ok') reasons.push('the last restore drill passed');
  return { health: level, reasons, ...(lastSuccessAgeSeconds !== undefined ? { lastSuccessAgeSeconds } : {}), ...base };
}
