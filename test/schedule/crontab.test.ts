import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cronDFile, cronDPath, cronLine, cronProblem, installCronLine, markerFor, removeCronLine, uninstallCronLine, upsertCronLine, withCronLines,
} from '../../src/core/schedule/crontab';
import { installSchedule } from '../../src/core/schedule/install';
import { crontabOf, setCrontab, throwawayUser } from '../helpers/crontab';

const SCRIPT = '/etc/dupliswift/nightly/backup.sh';
const DRILL = '41 4 1 * *';

describe('crontab text, pure', () => {
  const existing = 'MAILTO=ops@example.com\n# m h dom mon dow command\n  # indented comment\n0 * * * * /usr/bin/true # other job\n\n*/5 * * * * echo "50%" \\% done\n';

  it('adds exactly one marked line and leaves every other byte as it was', () => {
    const out = upsertCronLine(existing, 'nightly', cronLine('17 3 * * *', SCRIPT, 'nightly'));
    expect(out).toBe(`${existing}17 3 * * * ${SCRIPT} ${markerFor('nightly')}\n`);
    expect(removeCronLine(out, 'nightly')).toBe(existing);
  });

  it('replaces our line in place, never duplicates it, and drops pasted copies', () => {
    const once = upsertCronLine(existing, 'nightly', cronLine('17 3 * * *', SCRIPT, 'nightly'));
    expect(upsertCronLine(once, 'nightly', cronLine('17 3 * * *', SCRIPT, 'nightly'))).toBe(once);
    const moved = upsertCronLine(once, 'nightly', cronLine('0 4 * * 0', SCRIPT, 'nightly'));
    expect(moved).toBe(`${existing}0 4 * * 0 ${SCRIPT} ${markerFor('nightly')}\n`);
    const twice = `${once}${cronLine('1 1 * * *', SCRIPT, 'nightly')}\n`;
    expect(upsertCronLine(twice, 'nightly', cronLine('17 3 * * *', SCRIPT, 'nightly'))).toBe(once);
  });

  it('keeps other profiles\' lines and commented-out copies of ours', () => {
    const other = `${cronLine('5 5 * * *', '/x/backup.sh', 'x-nightly')}\n# ${cronLine('1 1 * * *', SCRIPT, 'nightly')}\n`;
    const out = upsertCronLine(other, 'nightly', cronLine('17 3 * * *', SCRIPT, 'nightly'));
    expect(out.startsWith(other)).toBe(true);
    expect(removeCronLine(out, 'nightly')).toBe(other);
  });

  it('adds the restore drill as a second marked line, moves it in place, and drops it alone when it is off', () => {
    const both = withCronLines(existing, { profile: 'nightly', schedule: '17 3 * * *', script: SCRIPT, drill: DRILL });
    expect(both).toBe(`${existing}17 3 * * * ${SCRIPT} # dupliswift:nightly\n${DRILL} ${SCRIPT} drill # dupliswift:nightly:drill\n`);
    expect(withCronLines(both, { profile: 'nightly', schedule: '17 3 * * *', script: SCRIPT, drill: DRILL })).toBe(both);
    // The backup's marker never matches the drill's line, nor the other way round.
    expect(upsertCronLine(both, 'nightly', cronLine('0 4 * * 0', SCRIPT, 'nightly'))).toBe(`${existing}0 4 * * 0 ${SCRIPT} # dupliswift:nightly\n${DRILL} ${SCRIPT} drill # dupliswift:nightly:drill\n`);
    expect(withCronLines(both, { profile: 'nightly', schedule: '17 3 * * *', script: SCRIPT, drill: '5 5 15 * *' }))
      .toBe(`${existing}17 3 * * * ${SCRIPT} # dupliswift:nightly\n5 5 15 * * ${SCRIPT} drill # dupliswift:nightly:drill\n`);
    expect(withCronLines(both, { profile: 'nightly', schedule: '17 3 * * *', script: SCRIPT })).toBe(`${existing}17 3 * * * ${SCRIPT} # dupliswift:nightly\n`);
    expect(removeCronLine(both, 'nightly')).toBe(existing);
    expect(markerFor('nightly', 'drill')).toBe('# dupliswift:nightly:drill');
  });

  it('terminates a last line that had no newline (cron ignores such a line), touching nothing else', () => {
    expect(upsertCronLine('0 * * * * a', 'p', 'L')).toBe('0 * * * * a\nL\n');
    expect(upsertCronLine('', 'p', 'L')).toBe('L\n');
  });

  it('quotes paths and escapes % (a newline to cron)', () => {
    expect(cronLine('@daily', '/srv/my backups/50%/backup.sh', 'p')).toBe(`@daily '/srv/my backups/50\\%/backup.sh' # dupliswift:p`);
  });

  it('is a line /bin/sh runs as is: the marker is a comment to the shell', async () => {
    const { mkdtemp, writeFile, readFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/dsw-cronline-');
    const script = `${dir}/odd dir 50%/backup.sh`;
    await import('node:fs/promises').then((fs) => fs.mkdir(`${dir}/odd dir 50%`));
    await writeFile(script, `#!/bin/sh\necho ran "$@" > '${dir}/out'\n`, { mode: 0o755 });
    const line = cronLine('17 3 * * *', script, 'nightly');
    // cron turns unescaped % into newlines and \% into %, then hands the command to /bin/sh -c.
    const command = line.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
    const { execa } = await import('execa');
    await execa('/bin/sh', ['-c', command]);
    expect(await readFile(`${dir}/out`, 'utf8')).toBe('ran\n');
    await import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true }));
  });

  it('checks cron expressions', () => {
    expect(cronProblem('17 3 * * *')).toBeUndefined();
    expect(cronProblem('*/15 1-5 * * mon-fri')).toBeUndefined();
    expect(cronProblem('@daily')).toBeUndefined();
    expect(cronProblem('17 3 * *')).toMatch(/five/);
    expect(cronProblem('61 3 * * *')).toMatch(/out of range/);
    expect(cronProblem('1 2 * * * ; rm')).toMatch(/fields/);
    // A line break in the script path would end our crontab line and start one of its own.
    expect(() => cronLine('17 3 * * *', '/srv/a\n* * * * * /tmp/evil #/backup.sh', 'p')).toThrow(/control character/);
  });

  it('names cron.d files so run-parts does not skip them, and writes a user field', () => {
    expect(cronDPath('night.ly')).toBe('/etc/cron.d/dupliswift-night_-ly');
    expect(cronDPath('nightly')).toBe('/etc/cron.d/dupliswift-nightly');
    // One file per profile: the names are escaped one to one, and run-parts takes every one of them.
    const names = ['a.b', 'a_b', 'a-b', 'a__b', 'a._b', 'a_.b', 'a..b', 'a_-b', 'a.-b', 'ab'];
    const paths = names.map((n) => cronDPath(n, '/x'));
    expect(new Set(paths).size).toBe(names.length);
    for (const p of paths) expect(p.slice(3)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cronDFile({ profile: 'p', schedule: '17 3 * * *', script: SCRIPT })).toContain(`\n17 3 * * * root ${SCRIPT} # dupliswift:p\n`);
    expect(cronDFile({ profile: 'p', schedule: '17 3 * * *', script: SCRIPT, drill: DRILL }))
      .toMatch(new RegExp(`\n17 3 \\* \\* \\* root ${SCRIPT} # dupliswift:p\n${DRILL.replace(/\*/g, '\\*')} root ${SCRIPT} drill # dupliswift:p:drill\n$`));
  });
});

describe('crontab on a throwaway user, through crontab -l / crontab -', () => {
  let user: Awaited<ReturnType<typeof throwawayUser>>;
  beforeAll(async () => {
    user = await throwawayUser();
  });
  afterAll(async () => {
    await user?.remove();
  });

  const cases: Array<[string, string | null]> = [
    ['no crontab at all', null],
    ['comments and variable lines', 'SHELL=/bin/bash\nMAILTO=""\n# Edit this file to introduce tasks\n#\n# m h  dom mon dow   command\n'],
    ['other jobs', 'PATH=/usr/local/bin:/usr/bin:/bin\n0 2 * * * /usr/local/bin/rotate --all   # nightly rotate\n@reboot /usr/bin/true\n\n*/10 * * * * echo "a%b" > /dev/null\n'],
  ];

  for (const [name, before] of cases) {
    it(`${name}: only our line changes, across repeated setups and a removal`, async () => {
      await setCrontab(user.name, before);
      const original = await crontabOf(user.name);
      expect(original).toBe(before);

      expect(await installCronLine({ profile: 'nightly', schedule: '17 3 * * *', script: SCRIPT, user: user.name })).toBe('added');
      const once = await crontabOf(user.name);
      expect(once).toBe(`${before ?? ''}17 3 * * * ${SCRIPT} # dupliswift:nightly\n`);

      expect(await installCronLine({ profile: 'nightly', schedule: '17 3 * * *', script: SCRIPT, user: user.name })).toBe('unchanged');
      expect(await crontabOf(user.name)).toBe(once);

      expect(await installCronLine({ profile: 'nightly', schedule: '45 23 * * 6', script: SCRIPT, user: user.name })).toBe('replaced');
      expect(await crontabOf(user.name)).toBe(`${before ?? ''}45 23 * * 6 ${SCRIPT} # dupliswift:nightly\n`);

      expect(await installCronLine({ profile: 'other', schedule: '1 1 * * *', script: '/x/backup.sh', user: user.name })).toBe('added');
      expect(await uninstallCronLine({ profile: 'other', user: user.name })).toBe('removed');

      // The restore drill: a second line of ours, idempotent, moved in place, dropped alone when off.
      const drillLine = `${DRILL} ${SCRIPT} drill # dupliswift:nightly:drill\n`;
      const withDrill = { profile: 'nightly', schedule: '45 23 * * 6', script: SCRIPT, drill: DRILL, user: user.name };
      expect(await installCronLine(withDrill)).toBe('replaced');
      const both = await crontabOf(user.name);
      expect(both).toBe(`${before ?? ''}45 23 * * 6 ${SCRIPT} # dupliswift:nightly\n${drillLine}`);
      expect(await installCronLine(withDrill)).toBe('unchanged');
      expect(await crontabOf(user.name)).toBe(both);
      expect(await installCronLine({ ...withDrill, drill: '0 5 15 * *' })).toBe('replaced');
      expect(await crontabOf(user.name)).toBe(`${before ?? ''}45 23 * * 6 ${SCRIPT} # dupliswift:nightly\n0 5 15 * * ${SCRIPT} drill # dupliswift:nightly:drill\n`);
      expect(await installCronLine({ ...withDrill, drill: undefined })).toBe('replaced');
      expect(await crontabOf(user.name)).toBe(`${before ?? ''}45 23 * * 6 ${SCRIPT} # dupliswift:nightly\n`);
      expect(await installCronLine(withDrill)).toBe('replaced');
      expect(await crontabOf(user.name)).toBe(both);

      expect(await uninstallCronLine({ profile: 'nightly', user: user.name })).toBe('removed');
      expect(await crontabOf(user.name)).toBe(before);
      expect(await uninstallCronLine({ profile: 'nightly', user: user.name })).toBe('absent');
      expect(await crontabOf(user.name)).toBe(before);
    });
  }

  it('cron.d: profiles a.b and a_b keep files of their own; a file whose markers name another profile is never overwritten or deleted', async () => {
    const { mkdtemp, readdir, readFile, rm, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const cronD = await mkdtemp('/tmp/dsw-crond-');
    const base = { schedule: '17 3 * * *', script: SCRIPT, uid: 0, env: { HOME: user.home }, user: user.name, cronDDir: cronD, unitDir: join(cronD, 'units'), method: 'cron.d' as const };
    try {
      await installSchedule({ ...base, profile: 'a.b' });
      await installSchedule({ ...base, profile: 'a_b', schedule: '1 1 * * *' });
      expect((await readdir(cronD)).sort()).toEqual(['dupliswift-a_-b', 'dupliswift-a__b']);
      const ab = await readFile(cronDPath('a.b', cronD), 'utf8');
      expect(ab).toContain('# dupliswift:a.b\n');
      // Taking a_b's schedule out leaves a.b's file as it was.
      await installSchedule({ ...base, profile: 'a_b', method: 'none' });
      expect(await readdir(cronD)).toEqual(['dupliswift-a_-b']);
      expect(await readFile(cronDPath('a.b', cronD), 'utf8')).toBe(ab);
      // A file under the old shared name that is a_b's (its markers say so) moves to the new name;
      // one that is someone else's is left alone, and one in the way of ours is refused, not overwritten.
      const legacy = join(cronD, 'dupliswift-a_b');
      await writeFile(legacy, `17 3 * * * root ${SCRIPT} # dupliswift:a_b\n`);
      await installSchedule({ ...base, profile: 'a_b' });
      expect((await readdir(cronD)).sort()).toEqual(['dupliswift-a_-b', 'dupliswift-a__b']);
      const admins = '# the admin\'s own job\n0 5 * * * root /usr/local/bin/report\n';
      await writeFile(join(cronD, 'dupliswift-x_-y'), admins);
      await expect(installSchedule({ ...base, profile: 'x.y' })).rejects.toThrow(/is not profile x\.y's/);
      await installSchedule({ ...base, profile: 'x.y', method: 'none' });
      expect(await readFile(join(cronD, 'dupliswift-x_-y'), 'utf8')).toBe(admins);
      await writeFile(legacy, `17 3 * * * root ${SCRIPT} # dupliswift:a.b\n`);
      await installSchedule({ ...base, profile: 'a_b', method: 'none' });
      expect(await readFile(legacy, 'utf8')).toContain('# dupliswift:a.b');
    } finally {
      await rm(cronD, { recursive: true, force: true });
    }
  });

  it('changing the install method moves the schedule: never two at once', async () => {
    const { mkdtemp, readdir, readFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const cronD = await mkdtemp('/tmp/dsw-crond-');
    // uid 0 (cron.d is offered), but every target is the test's own: a throwaway user's crontab and two folders.
    const base = { profile: 'nightly', schedule: '17 3 * * *', drill: DRILL, script: SCRIPT, uid: 0, env: { HOME: user.home }, user: user.name, cronDDir: cronD, unitDir: join(cronD, 'units') };
    const original = 'MAILTO=""\n0 1 * * * /usr/bin/true\n';
    await setCrontab(user.name, original);
    try {
      expect(await installSchedule({ ...base, method: 'crontab' })).toMatchObject({ method: 'crontab', changed: true });
      expect(await crontabOf(user.name)).toBe(`${original}17 3 * * * ${SCRIPT} # dupliswift:nightly\n${DRILL} ${SCRIPT} drill # dupliswift:nightly:drill\n`);
      expect(await readdir(cronD)).toEqual([]);
      expect(await installSchedule({ ...base, method: 'cron.d' })).toMatchObject({ method: 'cron.d', changed: true });
      expect(await crontabOf(user.name)).toBe(original);
      expect(await readdir(cronD)).toEqual(['dupliswift-nightly']);
      expect(await readFile(join(cronD, 'dupliswift-nightly'), 'utf8')).toMatch(new RegExp(`\n${DRILL.replace(/\*/g, '\\*')} ${user.name} ${SCRIPT} drill # dupliswift:nightly:drill\n$`));
      expect(await installSchedule({ ...base, method: 'cron.d' })).toMatchObject({ changed: false });
      expect(await installSchedule({ ...base, method: 'none' })).toMatchObject({ method: 'none', changed: true });
      expect(await readdir(cronD)).toEqual([]);
      expect(await crontabOf(user.name)).toBe(original);
    } finally {
      await rm(cronD, { recursive: true, force: true });
    }
  });
});
