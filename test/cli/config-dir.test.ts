/**
 * --config-dir is made absolute when it is parsed: cron starts jobs in $HOME, so a relative profile
 * folder in backup.sh or its crontab line would point nowhere. A line break in it is refused (cron
 * tables and unit files are line based). The built CLI, run from a scratch folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { absoluteConfigDir } from '../../src/commands/config-dir';
import { configRoot, profileDir } from '../../src/core/profile/paths';
import { cronLine } from '../../src/core/schedule/crontab';
import { runCli } from '../helpers/cli';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'dsw-cfgdir-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('--config-dir', () => {
  it('is absolute from the moment it is parsed', async () => {
    const r = await runCli(['restore', '--config-dir', 'rel/../cfg', '--profile', 'nope', '--target', join(cwd, 'out'), '--json'], { cwd });
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'no-profile', message: expect.stringContaining(`(${join(cwd, 'cfg', 'nope', 'profile.json')} does not exist)`) } });
    expect(absoluteConfigDir('cfg', '/srv/x')).toBe('/srv/x/cfg');
    expect(absoluteConfigDir('~/cfg', '/srv/x', '/home/h')).toBe('/home/h/cfg');
    expect(absoluteConfigDir('/a/./b/', '/srv/x')).toBe('/a/b');
    // The core makes it absolute too, whoever calls it: the script and its crontab line name it.
    expect(configRoot({ configDir: 'cfg' })).toBe(join(process.cwd(), 'cfg'));
    const script = join(profileDir('p', { configDir: 'cfg' }), 'backup.sh');
    expect(cronLine('17 3 * * *', script, 'p')).toBe(`17 3 * * * ${join(process.cwd(), 'cfg', 'p', 'backup.sh')} # dupliswift:p`);
  });

  it('with a line break is refused before anything runs, naming the problem', async () => {
    const r = await runCli(['setup', '--config-dir', `${cwd}/a\n* * * * * /tmp/x`, '--answers', join(cwd, 'none.json'), '--yes'], { cwd });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/--config-dir.*is invalid/s);
    expect(r.stderr).toMatch(/line break/);
    expect(() => absoluteConfigDir('/tmp/a\tb')).toThrow(/control character/);
  });
});
