/**
 * What the job leaves behind after each run (issue 13): state.json in the profile folder and, with a
 * metrics folder, node_exporter's dupliswift-<profile>.prom. Real runs of the generated script against
 * the local Keystone+Swift, as cron runs it; the metrics are read by Prometheus' own parsers (promtool
 * from Debian's prometheus, and python3-prometheus-client).
 */
import { execa } from 'execa';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackupJob, type JobInput } from '../../src/core/schedule/job';
import { makeSource, makeTestKeys, stackUp, swiftDelete, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { cronRun as cronRunScript, stackJobInput } from '../helpers/job-run';
import { parseJson, runCli } from '../helpers/cli';

let stack: StackEnv;
let keys: TestKeys;
let source: string;
let root: string;
let metrics: string;
let input: JobInput;
let script: string;
const container = `dsw-state-${process.pid}-${Date.now()}`;

interface RunRecord {
  mode: string; start: string; end: string; startEpoch: number; endEpoch: number; durationSeconds: number; exitCode: number;
  sourceFiles?: number; sourceBytes?: number; uploadedBytes?: number;
}
type State = Record<'lastRun' | 'lastSuccess' | 'lastBackup' | 'lastDrill' | 'lastDrillSuccess' | 'lastRestore', RunRecord | null> & { version: number };

const cronRun = (args: string[] = []) => cronRunScript(script, args);
const readState = async () => JSON.parse(await readFile(join(input.dir, 'state.json'), 'utf8')) as State;
const promFile = () => join(metrics, 'dupliswift-nightly.prom');

/** Samples as prometheus_client's own text parser reads them: "name{labels}" -> value. */
async function parseWithPythonClient(file: string): Promise<Record<string, number>> {
  const code = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        out[f"{s.name}{{{labels}}}"] = s.value
print(json.dumps(out))`;
  const r = await execa('/usr/bin/python3', ['-c', code, file], { reject: false });
  if (r.exitCode !== 0) throw new Error(`python3-prometheus-client could not parse ${file} (apt-get install python3-prometheus-client): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

async function promtoolCheck(file: string): Promise<{ exitCode: number; output: string }> {
  const r = await execa('promtool', ['check', 'metrics'], { input: await readFile(file, 'utf8'), reject: false });
  if (r.exitCode === undefined || /ENOENT/.test(String(r.stderr)) || r.exitCode === 127) throw new Error('promtool is missing: apt-get install prometheus');
  return { exitCode: r.exitCode, output: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  [stack, keys, source] = await Promise.all([stackUp(), makeTestKeys(), makeSource()]);
  root = await mkdtemp(join(tmpdir(), 'dsw-state-cfg-'));
  metrics = await mkdtemp(join(tmpdir(), 'dsw-textfile-'));
  input = await stackJobInput({ stack, keys, source, root, container, pingUrl: '', mail: '', schedule: { drill: '41 4 1 * *', metricsDir: metrics } });
  input.profile.alert = undefined;
  // Recorded as installed by crontab (nothing is installed here): status derives its thresholds from the schedule.
  input.profile.install = 'crontab';
  input.tools.mail = undefined;
  script = (await writeBackupJob(input)).script;
});

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await Promise.all([keys?.cleanup(), rm(source, { recursive: true, force: true }), rm(root, { recursive: true, force: true }), rm(metrics, { recursive: true, force: true })]);
});

describe('the state a run leaves', () => {
  it('a backup records mode, ISO times, exit 0 and duplicity\'s figures in state.json (0600), atomically', async () => {
    const before = Date.now();
    const run = await cronRun();
    expect(run.exitCode, run.stderr).toBe(0);
    const file = join(input.dir, 'state.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const state = await readState();
    const last = state.lastRun!;
    expect(last).toMatchObject({ mode: 'backup', exitCode: 0 });
    expect(last.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(Date.parse(last.start)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(last.end)).toBeGreaterThanOrEqual(Date.parse(last.start));
    expect(Date.parse(last.end)).toBeLessThanOrEqual(Date.now());
    // The source (tmp/ excluded): readme 6500 B + random 300000 B + odd name 9 B + empty; 4 files, 3 folders.
    expect(last.sourceFiles).toBe(7);
    expect(last.sourceBytes).toBeGreaterThanOrEqual(306_500);
    expect(last.sourceBytes).toBeLessThan(320_000);
    // Random bytes do not compress: at least that much went to Swift.
    expect(last.uploadedBytes).toBeGreaterThan(300_000);
    expect(state.lastSuccess).toEqual(last);
    expect(state.lastBackup).toEqual(last);
    expect(state.lastDrill).toBeNull();
    expect((await readdir(input.dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('writes the textfile metrics with the contract\'s names and labels, valid for promtool and prometheus_client', async () => {
    const text = await readFile(promFile(), 'utf8');
    expect((await stat(promFile())).mode & 0o777).toBe(0o644);
    const check = await promtoolCheck(promFile());
    expect(check.output).toBe('');
    expect(check.exitCode).toBe(0);
    const samples = await parseWithPythonClient(promFile());
    const state = await readState();
    expect(samples['dupliswift_last_run_timestamp_seconds{mode="backup",profile="nightly"}']).toBe(state.lastBackup!.endEpoch);
    expect(samples['dupliswift_last_success_timestamp_seconds{mode="backup",profile="nightly"}']).toBe(state.lastSuccess!.endEpoch);
    expect(samples['dupliswift_last_run_exit_code{mode="backup",profile="nightly"}']).toBe(0);
    expect(samples['dupliswift_last_run_duration_seconds{mode="backup",profile="nightly"}']).toBe(state.lastBackup!.durationSeconds);
    expect(samples['dupliswift_last_run_source_bytes{profile="nightly"}']).toBe(state.lastBackup!.sourceBytes);
    expect(samples['dupliswift_last_run_uploaded_bytes{profile="nightly"}']).toBe(state.lastBackup!.uploadedBytes);
    expect(text).not.toMatch(/mode="drill"/);
    expect((await readdir(metrics))).toEqual(['dupliswift-nightly.prom']);
  });

  it('status reads it: ok with the last success and the next run, --check exits 0, --remote adds what Swift holds', async () => {
    const json = await runCli(['status', '--config-dir', root, '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const { profiles } = parseJson<{ profiles: Array<Record<string, unknown>> }>(json);
    const state = await readState();
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({
      profile: 'nightly', health: 'ok', container,
      lastRun: { mode: 'backup', start: state.lastRun!.start, end: state.lastRun!.end, exitCode: 0 },
      lastSuccess: state.lastSuccess!.end, drill: { last: null, ok: null }, schedule: { method: 'crontab', cron: '17 3 * * *' },
    });
    expect(profiles[0]!.lastSuccessAgeSeconds).toBeLessThan(600);
    const next = Date.parse(profiles[0]!.nextRun as string);
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect(new Date(next).getMinutes()).toBe(17);

    const check = await runCli(['status', '--config-dir', root, '--check']);
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toMatch(/^DUPLISWIFT OK - nightly: ok \| 'nightly_last_success_age'=\d+s;93600;180000;0;$/);

    const people = await runCli(['status', '--config-dir', root, '--profile', 'nightly']);
    expect(people.exitCode).toBe(0);
    expect(people.stdout).toMatch(/nightly: OK/);
    expect(people.stdout).not.toMatch(/\u001b\[/);

    const remote = await runCli(['status', '--config-dir', root, '--json', '--remote'], { env: { HOME: '/root' } });
    expect(remote.exitCode, remote.stderr).toBe(0);
    const r = parseJson<{ profiles: Array<{ remote: { chains: number; pointsInTime: string[]; storedBytes: number; problems: string[] } }> }>(remote).profiles[0]!.remote;
    expect(r.problems).toEqual([]);
    expect(r.chains).toBe(1);
    expect(r.pointsInTime).toHaveLength(1);
    expect(Math.abs(Date.parse(r.pointsInTime[0]!) - Date.parse(state.lastRun!.start))).toBeLessThan(120_000);
    expect(r.storedBytes).toBeGreaterThan(300_000);
  });

  it('a drill and a restore are recorded beside the backup; the last success stays the backup\'s', async () => {
    const drill = await cronRun(['drill']);
    expect(drill.exitCode, drill.stderr).toBe(0);
    let state = await readState();
    expect(state.lastRun).toMatchObject({ mode: 'drill', exitCode: 0 });
    expect(state.lastDrill).toEqual(state.lastRun);
    expect(state.lastDrillSuccess).toEqual(state.lastRun);
    expect(state.lastSuccess!.mode).toBe('backup');

    const dest = join(root, 'restored');
    const restore = await cronRun(['restore', 'docs/readme.txt', dest]);
    expect(restore.exitCode, restore.stderr).toBe(0);
    state = await readState();
    expect(state.lastRun).toMatchObject({ mode: 'restore', exitCode: 0 });
    expect(state.lastDrill!.mode).toBe('drill');
    const samples = await parseWithPythonClient(promFile());
    expect(samples['dupliswift_last_run_exit_code{mode="drill",profile="nightly"}']).toBe(0);
    expect(samples['dupliswift_last_run_exit_code{mode="restore",profile="nightly"}']).toBe(0);
    expect((await promtoolCheck(promFile())).exitCode).toBe(0);

    // collection-status changes nothing, and neither does a run that found the lock taken.
    const bytes = await readFile(join(input.dir, 'state.json'), 'utf8');
    expect((await cronRun(['status'])).exitCode).toBe(0);
    expect(await readFile(join(input.dir, 'state.json'), 'utf8')).toBe(bytes);
  });

  it('a failed backup records its exit code and keeps the last success', async () => {
    const good = (await readState()).lastSuccess!;
    await writeBackupJob({ ...input, secrets: { ...input.secrets, swiftPassword: 'wrong-password' } });
    try {
      const failed = await cronRun();
      expect(failed.exitCode).toBe(38);
    } finally {
      await writeBackupJob(input);
    }
    const state = await readState();
    expect(state.lastRun).toMatchObject({ mode: 'backup', exitCode: 38 });
    expect(state.lastBackup).toEqual(state.lastRun);
    expect(state.lastSuccess).toEqual(good);
    const samples = await parseWithPythonClient(promFile());
    expect(samples['dupliswift_last_run_exit_code{mode="backup",profile="nightly"}']).toBe(38);
    expect(samples['dupliswift_last_success_timestamp_seconds{mode="backup",profile="nightly"}']).toBe(good.endEpoch);
    expect(JSON.stringify(state)).not.toContain('wrong-password');

    const check = await runCli(['status', '--config-dir', root, '--check']);
    expect(check.exitCode).toBe(2);
    expect(check.stdout).toMatch(/^DUPLISWIFT CRITICAL - nightly: the last backup failed \(exit 38\) at \S+ \| 'nightly_last_success_age'=/);
    const json = parseJson<{ profiles: Array<{ health: string; reasons: string[]; lastRun: { exitCode: number } }> }>(await runCli(['status', '--config-dir', root, '--json']));
    expect(json.profiles[0]).toMatchObject({ health: 'critical', lastRun: { exitCode: 38 } });
  });

  it('a backup killed with SIGTERM while duplicity runs still records its failure (the exit code comes from the hardening issue\'s signal trap)', async () => {
    // Enough new data that duplicity is still busy when the signal comes.
    await writeFile(join(source, 'big.bin'), Buffer.alloc(40_000_000, 7));
    try {
      const run = cronRun();
      const log = join(input.dir, 'backup.log');
      const startedAt = (await readFile(log, 'utf8')).length;
      for (let i = 0; i < 200; i++) {
        if ((await readFile(log, 'utf8')).slice(startedAt).includes('backup started')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      process.kill(run.pid!, 'SIGTERM');
      const done = await run;
      expect(done.exitCode).not.toBe(0);
      const state = await readState();
      expect(state.lastRun!.mode).toBe('backup');
      expect(state.lastRun!.exitCode).toBeGreaterThan(0);
      expect(state.lastSuccess!.exitCode).toBe(0);
    } finally {
      await rm(join(source, 'big.bin'), { force: true });
    }
  });
});
