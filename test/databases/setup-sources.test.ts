/**
 * Setup with several folders, an SQLite database and hooks, through the answers front end (real gpg,
 * duplicity and the loopback Swift): the first run is checked by a test restore from one of the
 * folders, `dupliswift restore --profile` gives a dump back with the command that loads it, and an
 * answers file of today ("source", one folder) still makes a one-folder job.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/core/profile/load';
import type { FlowContext } from '../../src/flows/context';
import { scheduleStep } from '../../src/flows/setup/schedule';
import type { SetupState } from '../../src/flows/setup/state';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';
import { makeSource, makeTestKeys, stackUp, swiftDelete, targetOf, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { parseJson, runCli } from '../helpers/cli';
import { cronRun } from '../helpers/job-run';

let stack: StackEnv;
let keys: TestKeys;
let sources: string[];
let configDir: string;
let work: string;
const containers = [`dsw-multi-${process.pid}-${Date.now()}`, `dsw-legacy-${process.pid}-${Date.now()}`];
const logs: string[] = [];

function stateFor(answers: Record<string, unknown>, container: string): SetupState {
  const env = { ...process.env, HOME: '/root' };
  const ctx: FlowContext = { prompt: new AnswersPrompter({ answers, env, yes: true, log: (l) => logs.push(l), source: 'answers file test.json' }), env, signal: new AbortController().signal, configDir };
  return {
    ctx, container,
    keys: { encrypt: keys.encrypt, sign: keys.sign, generated: false, gnupgHome: keys.home, encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase },
    openstack: { target: targetOf(stack), password: stack.OS_PASSWORD },
  };
}

const base = { exclude: [] as string[], secrets: 'file', install: 'none', schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 2 } };

beforeAll(async () => {
  [stack, keys] = await Promise.all([stackUp(), makeTestKeys()]);
  sources = [await makeSource(), await makeSource()];
  configDir = await mkdtemp(join(tmpdir(), 'dsw-multi-cfg-'));
  work = await mkdtemp(join(tmpdir(), 'dsw-multi-work-'));
  await execa('sqlite3', [join(work, 'app.db'), "create table t (id integer primary key, v text); insert into t (v) values ('one'), ('two');"]);
}, 120_000);

afterAll(async () => {
  for (const c of containers) await swiftDelete(stack, c).catch(() => undefined);
  await Promise.all([keys?.cleanup(), ...sources.map((s) => rm(s, { recursive: true, force: true })), rm(configDir, { recursive: true, force: true }), rm(work, { recursive: true, force: true })]);
});

describe('setup of several folders with a database', () => {
  it('writes a job of several roots, runs it, and checks it with a test restore from one of the folders', async () => {
    const dumpDir = join(work, 'dumps');
    const state = stateFor({
      ...base, profile: 'multi', sources, exclude: [join(sources[0]!, 'tmp')], firstRun: true,
      databases: [{ engine: 'sqlite', path: join(work, 'app.db') }], dumpDir,
      hooks: { after: [`echo "$DUPLISWIFT_RESULT" > '${work}/after'`] },
    }, containers[0]!);
    await scheduleStep.run(state);
    expect(state.result).toMatchObject({ firstRun: { exitCode: 0, identical: true, chains: 1 } });
    const testFile = (state.result!.firstRun as { testFile: string }).testFile;
    expect(sources.some((s) => testFile.startsWith(s.slice(1)))).toBe(true);
    const profile = await loadProfile('multi', configDir);
    expect(profile).toMatchObject({ source: '/', sources: [...sources].sort(), dumpDir, databases: [{ engine: 'sqlite' }] });
    expect((await stat(dumpDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(work, 'after'), 'utf8')).toBe('success\n');
    const note = await readFile(join(configDir, 'multi', 'RESTORE.txt'), 'utf8');
    expect(note).toContain(`What is backed up: ${[...sources].sort().join(', ')}`);
    expect(note).toMatch(new RegExp(`SQLite, ${join(work, 'app.db')}: ${join(work, 'dumps').slice(1)}/sqlite-app\\.db`));
    // The restore drill samples a file from any of the folders (paths relative to /) and compares it with the live one.
    const drill = await cronRun(join(configDir, 'multi', 'backup.sh'), ['drill']);
    expect(drill.exitCode, drill.stderr).toBe(0);
    expect(await readFile(join(configDir, 'multi', 'backup.log'), 'utf8')).toMatch(/restore drill OK: a sample file restored/);
    const filelist = await readFile(join(configDir, 'multi', 'filelist.txt'), 'utf8');
    expect(filelist.split('\n')).toEqual(expect.arrayContaining([`- ${join(sources[0]!, 'tmp')}`, `+ ${dumpDir}`, `+ ${sources[1]}`, '- **']));
  }, 300_000);

  it('dupliswift restore --profile gives the dump back as a file, with the exact command that loads it', async () => {
    const target = join(work, 'restored');
    const path = `${join(work, 'dumps').slice(1)}/sqlite-app.db`;
    const r = await runCli(['restore', '--profile', 'multi', '--config-dir', configDir, '--path', path, '--target', target, '--json'], { cleanEnv: true });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = parseJson<{ dump: { label: string; file: string; load: string } }>(r);
    expect(out.dump).toEqual({ label: `SQLite, ${join(work, 'app.db')}`, file: join(target, path), load: expect.stringContaining('.restore') });
    expect(r.stderr).toMatch(/nothing was loaded into a database/);
    // The printed command, run as printed against a new file, gives the rows back.
    const fresh = join(work, 'fresh.db');
    const load = out.dump.load.replace(/^sqlite3 \S+/, `sqlite3 '${fresh}'`).replace(/\s+#.*$/, '');
    await execa('bash', ['-c', load]);
    expect((await execa('sqlite3', [fresh, 'select v from t order by id'])).stdout).toBe('one\ntwo');
  }, 120_000);

  it('an answers file of today ("source", one folder) makes the one-folder job it always made', async () => {
    const state = stateFor({ ...base, profile: 'legacy', source: sources[1], firstRun: false }, containers[1]!);
    await scheduleStep.run(state);
    const profile = await loadProfile('legacy', configDir);
    expect(profile.source).toBe(sources[1]);
    expect(profile).not.toHaveProperty('sources');
    expect(profile).not.toHaveProperty('databases');
    const script = await readFile(join(configDir, 'legacy', 'backup.sh'), 'utf8');
    expect(script).toContain(`SOURCE=${sources[1]}`);
    expect(script).not.toContain('--include-filelist');
    expect(script).toMatch(/^DUMP_KIND=\(\)$/m);
  }, 120_000);
});
