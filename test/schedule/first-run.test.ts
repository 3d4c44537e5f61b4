/**
 * Setup's first run (issue 9, items 5 and 9), against the real Keystone+Swift: the machine log of a
 * backup of 100 000 files is streamed, not kept (bounded memory, no BrokenPipeError, progress to the
 * end); the test restore compares only a file unchanged since before the backup; and a failed first
 * run is reported before any schedule is installed.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INFO } from '../../src/core/duplicity/logfd';
import { probeTestFile, runScript, verifyBackup } from '../../src/core/schedule/first-run';
import { writeBackupJob } from '../../src/core/schedule/job';
import type { FlowContext } from '../../src/flows/context';
import { scheduleStep } from '../../src/flows/setup/schedule';
import type { SetupState } from '../../src/flows/setup/state';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';
import { fakeMail, makeSource, makeTestKeys, stackUp, swiftDelete, targetOf, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { stackJobInput } from '../helpers/job-run';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let stack: StackEnv;
let keys: TestKeys;
let root: string;
let mail: Awaited<ReturnType<typeof fakeMail>>;
const containers: string[] = [];
const unique = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  [stack, keys, mail] = await Promise.all([stackUp(), makeTestKeys(), fakeMail()]);
  root = await mkdtemp(join(tmpdir(), 'dsw-first-run-'));
});

afterAll(async () => {
  for (const c of containers) await swiftDelete(stack, c).catch(() => undefined);
  await Promise.all([keys?.cleanup(), rm(root, { recursive: true, force: true }), rm(mail.dir, { recursive: true, force: true })]);
});

async function job(name: string, source: string) {
  const container = `dsw-first-${name}-${unique}`;
  containers.push(container);
  const input = await stackJobInput({ stack, keys, source, root: join(root, name), container, pingUrl: '', mail: mail.path });
  return { input, script: (await writeBackupJob({ ...input, profile: { ...input.profile, alert: undefined } })).script };
}

describe('the first backup streams duplicity\'s machine log', () => {
  it('100 000 files: progress to the last file, no BrokenPipeError, and memory that does not grow with the file count', async () => {
    // Outside the job's folder (root/many/…), which must not be backed up.
    const source = join(root, 'many-source');
    const N = 100_000;
    for (let d = 0; d < 100; d++) {
      const dir = join(source, `d${d}`);
      await mkdir(dir, { recursive: true });
      await Promise.all(Array.from({ length: N / 100 }, (_, f) => writeFile(join(dir, `f${f}`), String(f % 10))));
    }
    const { input, script } = await job('many', source);
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 100);
    let files = 0;
    let lastFile = '';
    const run = await runScript(script, [], {
      home: '/root',
      onRecord: (r) => {
        if (r.level === 'INFO' && r.code === INFO.fileNew) {
          files++;
          lastFile = r.control[0] ?? '';
        }
      },
    }).finally(() => clearInterval(sampler));
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    console.log(`first run of ${N} files: ${files} file records, heap retained ${(retained / 1e6).toFixed(1)} MB, peak +${((peak - before) / 1e6).toFixed(1)} MB`);
    expect(run.exitCode, run.stderr).toBe(0);
    // Every file went by (plus the 100 folders), up to the last one duplicity reads.
    expect(files).toBeGreaterThanOrEqual(N);
    expect(lastFile).toMatch(/d99\/f\d+'?$/);
    const log = await readFile(join(input.dir, 'backup.log'), 'utf8');
    expect(log).not.toMatch(/BrokenPipeError|Traceback/);
    // What the result holds is what it needs (errors, collection-status), not a record per file.
    expect(retained).toBeLessThan(8e6);
  }, 900_000);
});

describe('the first-run check', () => {
  let source: string;
  beforeAll(async () => {
    source = await makeSource();
  });
  afterAll(async () => {
    await rm(source, { recursive: true, force: true });
  });

  it('does not compare a file that changed after it was chosen (no false alarm), and compares one that did not', async () => {
    const { input, script } = await job('check', source);
    const probe = await probeTestFile(source, input.profile.exclude);
    expect(probe).toBeDefined();
    const run = await runScript(script, [], { home: '/root' });
    expect(run.exitCode, run.stderr).toBe(0);
    const unchanged = await verifyBackup({ script, source, exclude: input.profile.exclude, home: '/root', probe });
    expect(unchanged).toMatchObject({ chains: 1, testFile: probe!.rel, identical: true });
    // The live file moves on after the backup read it (a log file, a database).
    await writeFile(join(source, probe!.rel), 'written after the backup\n', { flag: 'a' });
    const moved = await verifyBackup({ script, source, exclude: input.profile.exclude, home: '/root', probe });
    expect(moved).toMatchObject({ chains: 1, testFile: probe!.rel, changed: true });
    expect(moved.identical).toBeUndefined();
  }, 300_000);

  it('a failed first backup stops setup before the schedule is installed, and says so', async () => {
    const logs: string[] = [];
    const configDir = join(root, 'setup-config');
    const answers = { profile: 'firstfail', source, exclude: [] as string[], secrets: 'file', install: 'none', firstRun: true, schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 2 } };
    const env = { ...process.env, HOME: '/root' };
    const ctx: FlowContext = { prompt: new AnswersPrompter({ answers, env, yes: true, log: (l) => logs.push(l), source: 'answers file test.json' }), env, signal: new AbortController().signal, configDir };
    const container = `dsw-first-fail-${unique}`;
    containers.push(container);
    const state: SetupState = {
      ctx,
      keys: { encrypt: keys.encrypt, sign: keys.sign, generated: false, gnupgHome: keys.home, encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase },
      // A wrong password: Keystone refuses the job's first run.
      openstack: { target: targetOf(stack), password: 'not the password' },
      container,
    };
    const error = await scheduleStep.run(state).then(() => undefined, (e: unknown) => e as Error & { fix?: string });
    expect(error?.message).toMatch(/The backup failed \(exit 38\)/);
    expect(error?.fix).toMatch(/The schedule was not installed/);
    expect(logs.join('\n')).not.toMatch(/Installing the schedule|Schedule installed/);
  }, 300_000);
});
