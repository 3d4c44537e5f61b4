/** How `dupliswift status` judges a profile from its recorded runs and its schedule (issue 13). Pure functions, a fixed clock. */
import { describe, expect, it } from 'vitest';
import { checkLine } from '../../src/commands/status';
import { assessHealth, thresholdsFor, type HealthInput } from '../../src/core/status/health';
import { intervalSeconds } from '../../src/core/status/interval';
import type { JobState, RunRecord } from '../../src/core/status/job-state';
import type { ProfileStatus } from '../../src/core/status/report';
import { longestGapSeconds, nextRunAfter } from '../../src/core/status/schedule-times';

const now = new Date('2026-12-01T12:00:00Z');
const hoursAgo = (h: number) => Math.round(now.getTime() / 1000 - h * 3600);

function run(mode: RunRecord['mode'], endEpoch: number, exitCode = 0): RunRecord {
  const iso = new Date(endEpoch * 1000).toISOString();
  return { mode, start: iso, end: iso, startEpoch: endEpoch - 30, endEpoch, durationSeconds: 30, exitCode };
}

function state(parts: Partial<JobState>): HealthInput['state'] {
  return { kind: 'found', state: { version: 1, lastRun: null, lastSuccess: null, lastBackup: null, lastDrill: null, lastDrillSuccess: null, lastRestore: null, lastRestoreSuccess: null, ...parts } };
}

const daily = (extra: Partial<HealthInput> = {}): HealthInput => ({
  now, state: { kind: 'none' }, schedule: { cron: '17 3 * * *' }, method: 'crontab', since: new Date('2026-11-01T00:00:00Z'), ...extra,
});

describe('thresholds from the schedule', () => {
  it('a nightly job warns after a day plus two hours and is critical after two days plus two hours', () => {
    expect(thresholdsFor(daily())).toEqual({ warnSeconds: 26 * 3600, critSeconds: 50 * 3600, source: 'schedule' });
  });
  it('uses the longest gap: Monday and Thursday runs allow four days', () => {
    expect(longestGapSeconds('0 3 * * 1,4', now)).toBe(4 * 86_400);
  });
  it('schedule.warnAfter / critAfter (duplicity intervals) override it', () => {
    expect(intervalSeconds('1D12h')).toBe(36 * 3600);
    expect(intervalSeconds('2 days')).toBeUndefined();
    expect(thresholdsFor(daily({ schedule: { cron: '17 3 * * *', warnAfter: '36h', critAfter: '3D' } }))).toEqual({ warnSeconds: 36 * 3600, critSeconds: 72 * 3600, source: 'profile' });
  });
  it('no schedule and no override: age is not judged', () => {
    expect(thresholdsFor(daily({ method: 'none' }))).toBeUndefined();
  });
  it('the next run is cron\'s, in the machine\'s time zone', () => {
    expect(nextRunAfter('17 3 * * *', now, 'UTC')!.toISOString()).toBe('2026-12-02T03:17:00.000Z');
    expect(nextRunAfter('17 3 * * *', now, 'Europe/Berlin')!.toISOString()).toBe('2026-12-02T02:17:00.000Z');
  });
});

describe('health', () => {
  it('ok when the last backup succeeded within the schedule, saying when', () => {
    const h = assessHealth(daily({ state: state({ lastSuccess: run('backup', hoursAgo(9)), lastBackup: run('backup', hoursAgo(9)) }) }));
    expect(h.health).toBe('ok');
    expect(h.lastSuccessAgeSeconds).toBe(9 * 3600);
    expect(h.reasons.join()).toMatch(/succeeded 9 h ago/);
  });
  it('critical when the last backup failed, even with a recent success', () => {
    const h = assessHealth(daily({ state: state({ lastSuccess: run('backup', hoursAgo(30)), lastBackup: run('backup', hoursAgo(6), 38) }) }));
    expect(h.health).toBe('critical');
    expect(h.reasons[0]).toMatch(/last backup failed \(exit 38\)/);
  });
  it('critical when the last restore drill failed', () => {
    const h = assessHealth(daily({ state: state({ lastSuccess: run('backup', hoursAgo(2)), lastBackup: run('backup', hoursAgo(2)), lastDrill: run('drill', hoursAgo(1), 1) }) }));
    expect(h.health).toBe('critical');
    expect(h.reasons.join()).toMatch(/restore drill failed \(exit 1\)/);
  });
  it('a failed restore does not make the backup unhealthy', () => {
    const h = assessHealth(daily({ state: state({ lastSuccess: run('backup', hoursAgo(2)), lastBackup: run('backup', hoursAgo(2)), lastRestore: run('restore', hoursAgo(1), 78), lastRun: run('restore', hoursAgo(1), 78) }) }));
    expect(h.health).toBe('ok');
  });
  it('warning after one missed night, critical after two', () => {
    const at = (h: number) => assessHealth(daily({ state: state({ lastSuccess: run('backup', hoursAgo(h)), lastBackup: run('backup', hoursAgo(h)) }) })).health;
    expect([at(25), at(27), at(49), at(51)]).toEqual(['ok', 'warning', 'warning', 'critical']);
  });
  it('unknown before the first scheduled run is due; critical when it passed without a success', () => {
    expect(assessHealth(daily({ since: new Date('2026-12-01T11:00:00Z') })).health).toBe('unknown');
    const late = assessHealth(daily({ since: new Date('2026-11-28T11:00:00Z') }));
    expect(late.health).toBe('critical');
    expect(late.reasons[0]).toMatch(/no backup has succeeded/);
  });
  it('unknown when state.json cannot be read, naming it', () => {
    const h = assessHealth(daily({ state: { kind: 'unreadable', problem: '/x/state.json is not valid JSON' } }));
    expect(h).toMatchObject({ health: 'unknown', reasons: ['/x/state.json is not valid JSON'] });
  });
});

describe('--check', () => {
  const status = (profile: string, health: ProfileStatus['health'], reasons: string[], age: number | null): ProfileStatus => ({
    profile, health, reasons, lastRun: null, lastSuccess: null, lastSuccessAgeSeconds: age, nextRun: null, drill: { last: null, ok: null },
    container: 'c', schedule: { method: 'crontab', cron: '17 3 * * *', drill: 'off' }, thresholds: { warnSeconds: 93_600, critSeconds: 180_000, source: 'schedule' }, lastBackupFigures: null, dir: '/x',
  });
  it('prints the worst state in the plugin format with perfdata, and its exit code', () => {
    const { line, exitCode } = checkLine([status('web', 'ok', ['fine'], 3600), status('db', 'critical', ['the last backup failed (exit 38)'], 7200)]);
    expect(exitCode).toBe(2);
    expect(line).toBe("DUPLISWIFT CRITICAL - web: ok, db: the last backup failed (exit 38) | 'web_last_success_age'=3600s;93600;180000;0; 'db_last_success_age'=7200s;93600;180000;0;");
    expect(checkLine([status('web', 'warning', ['old'], 1)]).exitCode).toBe(1);
    expect(checkLine([status('web', 'unknown', ['no backup yet'], null)])).toEqual({ line: 'DUPLISWIFT UNKNOWN - web: no backup yet', exitCode: 3 });
    expect(checkLine([status('web', 'ok', ['fine'], 5)]).line).toMatch(/^DUPLISWIFT OK - web: ok \| /);
  });
});
