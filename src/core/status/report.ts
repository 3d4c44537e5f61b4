import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PROFILE_FILES } from '../profile/paths';
import type { Profile } from '../profile/types';
import { assessHealth, type HealthLevel, type Thresholds } from './health';
import { readJobState, type RunRecord, type StateRead } from './job-state';

/** One profile as `status --json` prints it (the names are issue 13's contract). */
export interface ProfileStatus {
  profile: string;
  health: HealthLevel;
  reasons: string[];
  lastRun: { mode: RunRecord['mode']; start: string; end: string; exitCode: number } | null;
  lastSuccess: string | null;
  lastSuccessAgeSeconds: number | null;
  nextRun: string | null;
  drill: { last: string | null; ok: boolean | null };
  container: string;
  schedule: { method: Profile['install']; cron: string; drill: string; warnAfter?: string; critAfter?: string };
  thresholds: Thresholds | null;
  /** duplicity's figures from the last backup that printed them. */
  lastBackupFigures: { sourceFiles?: number; sourceBytes?: number; uploadedBytes?: number } | null;
  dir: string;
  remote?: RemoteStatus;
}

export interface RemoteStatus {
  chains?: number;
  pointsInTime?: string[];
  storedBytes?: number;
  objects?: number;
  /** What could not be read from Swift, in words. */
  problems: string[];
}

/** When the profile was set up: its folder's birth time where the file system keeps one, else profile.json's change. */
async function setUpAt(dir: string): Promise<Date> {
  const [folder, settings] = await Promise.all([stat(dir).catch(() => undefined), stat(join(dir, PROFILE_FILES.settings)).catch(() => undefined)]);
  const born = folder?.birthtimeMs;
  if (born && born > 0) return new Date(born);
  return settings?.mtime ?? new Date(0);
}

/** A profile's status from its folder alone: no network. */
export async function profileStatus(profile: Profile & { dir: string }, now: Date, read?: StateRead): Promise<ProfileStatus> {
  const state = read ?? await readJobState(profile.dir);
  const since = await setUpAt(profile.dir);
  const h = assessHealth({ now, state, schedule: profile.schedule, method: profile.install, since });
  const s = state.kind === 'found' ? state.state : undefined;
  const figures = [s?.lastBackup, s?.lastSuccess].find((r) => r && r.sourceBytes !== undefined);
  return {
    profile: profile.name,
    health: h.health,
    reasons: h.reasons,
    lastRun: s?.lastRun ? { mode: s.lastRun.mode, start: s.lastRun.start, end: s.lastRun.end, exitCode: s.lastRun.exitCode } : null,
    lastSuccess: s?.lastSuccess?.end ?? null,
    lastSuccessAgeSeconds: h.lastSuccessAgeSeconds ?? null,
    nextRun: h.nextRun?.toISOString() ?? null,
    drill: { last: s?.lastDrill?.end ?? null, ok: s?.lastDrill ? s.lastDrill.exitCode === 0 : null },
    container: profile.container,
    schedule: {
      method: profile.install, cron: profile.schedule.cron, drill: profile.schedule.drill ?? 'off',
      ...(profile.schedule.warnAfter ? { warnAfter: profile.schedule.warnAfter } : {}),
      ...(profile.schedule.critAfter ? { critAfter: profile.schedule.critAfter } : {}),
    },
    thresholds: h.thresholds ?? null,
    lastBackupFigures: figures ? { sourceFiles: figures.sourceFiles, sourceBytes: figures.sourceBytes, uploadedBytes: figures.uploadedBytes } : null,
    dir: profile.dir,
  };
}
