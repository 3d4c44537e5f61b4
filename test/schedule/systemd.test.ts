import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronToOnCalendar, generateUnits, normalizeCalendar, verifyUnits, writeUnits } from '../../src/core/schedule/systemd';

describe('systemd timer', () => {
  it('turns cron expressions into OnCalendar that systemd itself accepts', async () => {
    const cases: Array<[string, string]> = [
      ['17 3 * * *', '*-*-* 03:17:00'],
      ['*/15 * * * *', '*-*-* *:00/15:00'],
      ['0 2 * * 1-5', 'Mon..Fri *-*-* 02:00:00'],
      ['30 1 1 * *', '*-*-01 01:30:00'],
      ['0 4 * * 0,6', 'Sun,Sat *-*-* 04:00:00'],
      ['@daily', '*-*-* 00:00:00'],
    ];
    for (const [cron, calendar] of cases) {
      expect(cronToOnCalendar(cron)).toBe(calendar);
      const normalized = await normalizeCalendar(calendar);
      expect(normalized, `systemd-analyze calendar ${calendar}`).toBeTruthy();
    }
    expect(() => cronToOnCalendar('0 3 1 * 1')).toThrow(/either/);
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
      // And it does catch a broken unit of ours.
      await writeUnits(dir, 'broken', { service: '[Service]\nExecStart=not-absolute\nBogus=1\n', timer: units.timer });
      const bad = await verifyUnits([join(dir, 'dupliswift-broken.service')]);
      expect(bad!.ok).toBe(false);
      expect(bad!.output).toMatch(/Bogus|not-absolute/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
