/**
 * Cron schedules as systemd timers, checked against systemd itself: for each expression, the next
 * run times cron-parser computes must equal the ones `systemd-analyze calendar` computes for our
 * OnCalendar= values (both from the same base time, in UTC). systemd-analyze comes from Debian's
 * systemd package; without it these tests fail.
 */
import { execa } from 'execa';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cronProblem, parseCron } from '../../src/core/schedule/cron-expression';
import { cronToOnCalendar, generateUnits } from '../../src/core/schedule/systemd';

const { CronExpressionParser } = createRequire(import.meta.url)('cron-parser') as {
  CronExpressionParser: { parse(e: string, o: object): { next(): { toISOString(): string | null } } };
};

const BASE = '2026-01-01T00:00:30Z';
const N = 25;

function cronRuns(expression: string): string[] {
  const shortcut: Record<string, string> = { '@midnight': '@daily' };
  const it = CronExpressionParser.parse(shortcut[expression] ?? expression, { currentDate: new Date(BASE), tz: 'UTC' });
  return Array.from({ length: N }, () => it.next().toISOString()!.replace('.000Z', 'Z'));
}

async function systemdRuns(calendars: string[]): Promise<string[]> {
  const all: string[] = [];
  for (const calendar of calendars) {
    const r = await execa('systemd-analyze', ['calendar', `--iterations=${N}`, '--base-time=2026-01-01 00:00:30 UTC', calendar], { env: { TZ: 'UTC', LC_ALL: 'C' }, reject: false });
    expect(r.exitCode, `systemd-analyze calendar '${calendar}': ${r.stderr}`).toBe(0);
    for (const m of r.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g)) all.push(`${m[1]}T${m[2]}Z`);
  }
  return [...new Set(all)].sort().slice(0, N);
}

const ACCEPTED = [
  '17 3 * * *', '*/15 * * * *', '0 2 * * 1-5', '30 1 1 * *', '0 4 * * 0,6', '0 4 * * 7', '0 4 * * 5-7',
  '0 2 * * mon-fri', '0 0 * * SUN', '15 10 * jan,jul *', '0 12 1 JAN-MAR/2 *', '5-50/15 */6 * * *',
  '0-59/20 1-5/2 * * *', '0 0 1-31/7 * *', '1,2,3,10 22 * * *', '0 3 1 * 1', '0 3 1,15 * fri',
  '0 */2 * * */2', '45 23 28-31 2 *', '0 0 29 2 *', '7 7 * 6-8 sat,sun',
  '@daily', '@midnight', '@hourly', '@weekly', '@monthly', '@yearly', '@annually',
];

describe('cron schedules as systemd OnCalendar', () => {
  for (const expression of ACCEPTED) {
    it(`"${expression}": systemd runs it exactly when cron does`, async () => {
      expect(cronProblem(expression)).toBeUndefined();
      const calendars = cronToOnCalendar(expression);
      expect(await systemdRuns(calendars)).toEqual(cronRuns(expression));
    });
  }

  it('uses two OnCalendar= lines where cron runs on either day field, and systemd-analyze accepts the timer', () => {
    expect(cronToOnCalendar('0 3 1 * 1')).toEqual(['*-*-01 03:00:00', 'Mon *-*-* 03:00:00']);
    expect(generateUnits({ profile: 'p', script: '/bin/true', schedule: '0 3 1 * 1' }).timer).toMatch(/^OnCalendar=\*-\*-01 03:00:00\nOnCalendar=Mon \*-\*-\* 03:00:00\n/m);
    expect(cronToOnCalendar('17 3 * * *')).toEqual(['*-*-* 03:17:00']);
    expect(cronToOnCalendar('0 2 * * mon-fri')).toEqual(['Mon..Fri *-*-* 02:00:00']);
  });

  it('refuses, with the reason, what cron would not run as cron-parser reads it', () => {
    const refused: Array<[string, RegExp]> = [
      ['61 * * * *', /61 is out of range \(0-59\)/],
      ['* 24 * * *', /24 is out of range \(0-23\)/],
      ['0 0 0 * *', /out of range/],
      ['0 0 * 13 *', /out of range/],
      ['0 0 * * 8', /out of range/],
      ['0 0 31 2 *', /never comes/],
      ['5 17 3 * * *', /6 fields; cron needs five/],
      ['17 3 * *', /4 fields/],
      ['0 0 L * *', /characters cron does not take/],
      ['0 0 * * 5L', /characters cron does not take/],
      ['0 0 * * 1#2', /characters cron does not take/],
      ['0 0 ? * 1', /characters cron does not take/],
      ['H * * * *', /characters cron does not take/],
      ['0 0 15W * *', /characters cron does not take/],
      ['0 0 */2 * 1', /read that differently/],
      ['0 0 1 * */2', /read that differently/],
      ['@reboot', /only at boot/],
      ['@fortnightly', /not a cron shortcut/],
      ['1 2 * * * ; rm', /fields/],
      ['*/0 * * * *', /./],
      ['foo * * * *', /./],
    ];
    for (const [expression, why] of refused) {
      expect(cronProblem(expression), expression).toMatch(why);
      expect(() => cronToOnCalendar(expression), expression).toThrow();
    }
    expect(parseCron('0 0 * * 7')).toMatchObject({ ok: true, times: { weekdays: [0] } });
  });
});
