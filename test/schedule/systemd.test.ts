import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { installSchedule } from '../../src/core/schedule/install';
import { cronToOnCalendar, generateUnits, normalizeCalendar, verifyUnits, writeUnits } from '../../src/core/schedule/systemd';

describe('systemd timer', () => {
  it('turns cron expressions into OnCalendar that systemd itself accepts', async () => {
    const cases: Array<[string, string]> = [
      ['17 3 * * *', '*-*-* 03:17:00'],
      ['*/15 * * * *', '*-*-* *:00,15,30,45:00'],
      ['0 2 * * 1-5', 'Mon..Fri *-*-* 02:00:00'],
      ['30 1 1 * *', '*-*-01 01:30:00'],
      ['0 4 * * 0,6', 'Sun,Sat *-*-* 04:00:00'],
      ['@daily', '*-*-* 00:00:00'],
    ];
    for (const [cron, calendar] of cases) {
      expect(cronToOnCalendar(cron)).toEqual([calendar]);
      const normalized = await normalizeCalendar(calendar);
      expect(normalized, `systemd-analyze calendar ${calendar}`).toBeTruthy();
    }
    // cron runs when either day field matches: two OnCalendar= lines (test/schedule/cron-calendar.test.ts).
    expect(cronToOnCalendar('0 3 1 * 1')).toHaveLength(2);
  });

  it('writes a .service and a Persistent, randomized .timer that systemd-analyze verify accepts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsw-units-'));
    try {
      const units = generateUnits({ profile: 'nightly', script: '/bin/true', schedule: '17 3 * * *' });
      expect(units.timer).toMatch(/^Persistent=true$/m);
      expect(units.timer).toMatch(/^RandomizedDelaySec=\d+$/m);
      expect(units.service).toMatch(/^Type=oneshot$/m);
      const written = await writeUnits(dir, 'nightly', units);
      expect(await readFile(written.timer, 'utf8')).toBe(units.timer);
      const again = await writeUnits(dir, 'nightly', units);
      expect(again.outcome).toEqual(['unchanged', 'unchanged']);
      const verified = await verifyUnits([written.service, written.timer]);
      expect(verified, 'systemd-analyze is installed on this machine').toBeDefined();
      expect(verified!.output).toBe('');
      expect(verified!.ok).toBe(true);
      // The restore drill: a second pair, its own name, `backup.sh drill`, also accepted by systemd.
      const drill = generateUnits({ profile: 'nightly', script: '/bin/true', schedule: '41 4 1 * *', job: 'drill' });
      expect(drill.service).toMatch(/^ExecStart=\/bin\/true drill$/m);
      expect(drill.service).toMatch(/^Description=dupliswift restore drill \(profile nightly\)$/m);
      expect(drill.timer).toMatch(/^OnCalendar=\*-\*-01 04:41:00$/m);
      expect(drill.timer).toMatch(/^Persistent=true$/m);
      const drillWritten = await writeUnits(dir, 'nightly', drill, 'drill');
      expect([drillWritten.service, drillWritten.timer]).toEqual([join(dir, 'dupliswift-nightly:drill.service'), join(dir, 'dupliswift-nightly:drill.timer')]);
      expect(await readFile(written.service, 'utf8')).toBe(units.service);
      const drillVerified = await verifyUnits([drillWritten.service, drillWritten.timer]);
      expect(drillVerified).toEqual({ ok: true, output: '' });
      // And it does catch a broken unit of ours.
      await writeUnits(dir, 'broken', { service: '[Service]\nExecStart=not-absolute\nBogus=1\n', timer: units.timer });
      const bad = await verifyUnits([join(dir, 'dupliswift-broken.service')]);
      expect(bad!.ok).toBe(false);
      expect(bad!.output).toMatch(/Bogus|not-absolute/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('installs the backup and drill timers as two verified pairs; the drill off drops its pair, another method drops both', async () => {
    const home = await mkdtemp(join(tmpdir(), 'dsw-units-home-'));
    // A name no real crontab holds: installing a timer also takes the profile out of this user's crontab.
    const profile = `dsw-sd-${process.pid}`;
    const base = { profile, script: '/bin/true', schedule: '17 3 * * *', drill: '41 4 1 * *', uid: 1000, env: { XDG_CONFIG_HOME: home } };
    const dir = join(home, 'systemd', 'user');
    try {
      const both = await installSchedule({ ...base, method: 'systemd' });
      expect(both).toMatchObject({ method: 'systemd', changed: true });
      // Verified by systemd-analyze: no warning but "systemd is not running here".
      expect(both.warning ?? '').not.toMatch(/verify/);
      expect((await readdir(dir)).sort()).toEqual([`dupliswift-${profile}.service`, `dupliswift-${profile}.timer`, `dupliswift-${profile}:drill.service`, `dupliswift-${profile}:drill.timer`]);
      expect(both.files).toHaveLength(4);
      expect(await installSchedule({ ...base, method: 'systemd' })).toMatchObject({ changed: false });
      expect(await installSchedule({ ...base, drill: undefined, method: 'systemd' })).toMatchObject({ changed: true });
      expect((await readdir(dir)).sort()).toEqual([`dupliswift-${profile}.service`, `dupliswift-${profile}.timer`]);
      await installSchedule({ ...base, method: 'systemd' });
      expect(await installSchedule({ ...base, method: 'none' })).toMatchObject({ method: 'none', changed: true });
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
