import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keystoneStep } from '../../src/flows/setup/keystone';
import type { SetupState } from '../../src/flows/setup/state';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';
import { runCli } from '../helpers/cli';
import { stack } from '../helpers/stack';

describe('setup --openrc FILE', () => {
  it('prefills the Keystone step from the openrc (read, never run); the password still comes from OS_PASSWORD', async () => {
    const s = await stack();
    const dir = mkdtempSync(join(tmpdir(), 'ds-openrc-'));
    const openrc = join(dir, 'backup-b-openrc.sh');
    // A line that would run something if the file were sourced: it must only be skipped.
    writeFileSync(openrc, [
      '#!/usr/bin/env bash',
      `export OS_AUTH_URL=${s.keystone}`,
      'export OS_USERNAME="demo"',
      "export OS_USER_DOMAIN_NAME='Default'",
      'export OS_PROJECT_NAME=backup-b',
      'export OS_PROJECT_DOMAIN_NAME=Default',
      'export OS_REGION_NAME=RegionOne',
      'export OS_INTERFACE=public',
      `touch ${join(dir, 'ran')}`,
      '',
    ].join('\n'));
    const log: string[] = [];
    const env = { OS_PASSWORD: s.demo.password };
    const prompt = new AnswersPrompter({ answers: {}, env, yes: true, log: (l) => log.push(l), source: 'answers file' });
    const state: SetupState = { ctx: { prompt, env, signal: new AbortController().signal, openstackFrom: { openrc } } };
    await keystoneStep.run(state);
    expect(state.openstack?.target).toMatchObject({ username: 'demo', projectName: 'backup-b', region: 'RegionOne', interface: 'public' });
    expect(log.join('\n')).toContain(openrc);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('refuses a wrong --openrc path before anything is asked or written', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ds-openrc-home-'));
    const r = await runCli(['setup', '--openrc', join(home, 'no-such-openrc'), '--config-dir', join(home, 'cfg')], { env: { HOME: home, GNUPGHOME: join(home, 'gnupg') } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Cannot read the openrc file');
    expect(r.stderr).toContain('Fix: Check the path given to --openrc');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(home)).toEqual([]);
  });
});
