import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { installSchedule } from '../../src/core/schedule/install';
import { throwawayUser } from '../helpers/crontab';
import { cronToOnCalendar, generateUnits, normalizeCalendar, verifyUnits, writeUnits } from '../../src/core/schedule/systemd';

describe('systemd timer', () => {
  it('turns cron expressions into OnCalendar that systemd itself accepts', async () => {
    const cases: Array<[string, string]> = [
      ['17 3 * * *', '*-*-* 03:17:00'],
      ['*/15 * * * *', '*-*-* *:00,15,30,45:00'],
      ['0 2 * * 1-5', 'Mon..Fri *-*-* 02:00:00'],
      ['30 1 1 * *', '*-*-01 01:30:00'],
      ['0 4 * * 0,6', 'Sat,Sun *-*-* 04:00:00'],
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
      expect(drill.service).toMatch(/^ExecStart="\/bin\/true" drill$/m);
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
    // Installing a timer also takes the profile out of the crontab: a throwaway user's, under a name of its own.
    const user = await throwawayUser('dswsd');
    const profile = `dsw-sd-${process.pid}`;
    const base = { profile, script: '/bin/true', schedule: '17 3 * * *', drill: '41 4 1 * *', uid: 1000, env: { XDG_CONFIG_HOME: home }, user: user.name };
    const dir = join(home, 'systemd', 'user');
    try {
      const both = await installSchedule({ ...base, method: 'systemd' });
      expect(both).toMatchObject({ method: 'systemd', changed: true });
      // Verified by systemd-analyze: no warning but "systemd is not running here", which also says
      // why a user timer needs lingering (turned on with loginctl where systemd runs).
      expect(both.warning ?? '').not.toMatch(/verify/);
      expect(both.warning).toMatch(/loginctl enable-linger/);
      expect((await readdir(dir)).sort()).toEqual([`dupliswift-${profile}.service`, `dupliswift-${profile}.timer`, `dupliswift-${profile}:drill.service`, `dupliswift-${profile}:drill.timer`]);
      expect(both.files).toHaveLength(4);
      expect(await installSchedule({ ...base, method: 'systemd' })).toMatchObject({ changed: false });
      expect(await installSchedule({ ...base, drill: undefined, method: 'systemd' })).toMatchObject({ changed: true });
      expect((await readdir(dir)).sort()).toEqual([`dupliswift-${profile}.service`, `dupliswift-${profile}.timer`]);
      await installSchedule({ ...base, method: 'systemd' });
      expect(await installSchedule({ ...base, method: 'none' })).toMatchObject({ method: 'none', changed: true });
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await user.remove();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('quotes the script path: a folder with a space, % and $ stays one ExecStart= word and one Documentation= URI that systemd-analyze accepts', async () => {
    const { chmod, mkdir, writeFile } = await import('node:fs/promises');
    const root = await mkdtemp(join(tmpdir(), 'dsw-units-odd-'));
    try {
      const folder = join(root, 'my backups 100% $HOME');
      await mkdir(folder);
      const script = join(folder, 'backup.sh');
      await writeFile(script, '#!/bin/sh\nexit 0\n');
      await chmod(script, 0o700);
      const units = generateUnits({ profile: 'odd', script, schedule: '17 3 * * *' });
      expect(units.service).toContain(`ExecStart="${folder.replace(/%/g, '%%')}/backup.sh"\n`);
      expect(units.service).toMatch(/^Documentation=file:\/\/\S+$/m);
      const written = await writeUnits(join(root, 'units'), 'odd', units);
      expect(await verifyUnits([written.service, written.timer])).toEqual({ ok: true, output: '' });
      expect(() => generateUnits({ profile: 'odd', script: `${folder}\nExecStartPre=/bin/false/backup.sh`, schedule: '17 3 * * *' })).toThrow(/control character/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a timer systemd-analyze rejects is an error, and nothing is installed', async () => {
    const home = await mkdtemp(join(tmpdir(), 'dsw-units-bad-'));
    const user = await throwawayUser('dswsdbad');
    try {
      const dir = join(home, 'units');
      // The script does not exist: systemd-analyze verify says its ExecStart= is not executable.
      const failed = installSchedule({ profile: `dsw-sdbad-${process.pid}`, script: join(home, 'missing', 'backup.sh'), schedule: '17 3 * * *', uid: 1000, env: { HOME: home }, user: user.name, unitDir: dir, method: 'systemd' });
      await expect(failed).rejects.toMatchObject({ code: 'systemd-verify', message: expect.stringMatching(/systemd-analyze verify rejects.*not executable/s) });
      expect(await readdir(dir).catch(() => [])).toEqual([]);
    } finally {
      await user.remove();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('never overwrites or removes a unit under our name that is not this profile\'s', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const home = await mkdtemp(join(tmpdir(), 'dsw-units-foreign-'));
    const user = await throwawayUser('dswsdfor');
    try {
      const dir = join(home, 'units');
      await mkdir(dir);
      const profile = `dsw-sdfor-${process.pid}`;
      const admins = '[Unit]\nDescription=the admin\'s own job\n\n[Service]\nExecStart=/bin/true\n';
      await writeFile(join(dir, `dupliswift-${profile}.service`), admins);
      const base = { profile, script: '/bin/true', schedule: '17 3 * * *', uid: 1000, env: { HOME: home }, user: user.name, unitDir: dir };
      await expect(installSchedule({ ...base, method: 'systemd' })).rejects.toMatchObject({ code: 'unit-not-ours' });
      expect(await readdir(dir)).toEqual([`dupliswift-${profile}.service`]);
      await installSchedule({ ...base, method: 'none' });
      expect(await readFile(join(dir, `dupliswift-${profile}.service`), 'utf8')).toBe(admins);
    } finally {
      await user.remove();
      await rm(home, { recursive: true, force: true });
    }
  });
});
