/**
 * The fault matrix of the generated backup job (issue 9): the real job, the real duplicity 0.8.22,
 * the real Keystone and Swift on 127.0.0.1, with a fault proxy in front of each (Keystone's catalog
 * is rewritten to send Swift traffic through the second proxy). Every run is as cron runs it.
 *
 * | fault                                    | what the user sees                                          | left on disk / in Swift                                  |
 * |------------------------------------------|-------------------------------------------------------------|----------------------------------------------------------|
 * | SIGINT before upload (Keystone held)     | exit 130, FAILED line, /fail ping "stopped by SIGINT", mail | no duplicity, no tmp; lock free; next run backs up       |
 * | SIGTERM mid-upload (a PUT held)          | exit 143, same alerts                                       | no duplicity, no tmp; partial set: next run resumes      |
 * | SIGHUP during retention (a DELETE held)  | exit 129, same alerts                                       | old chain partly deleted; next run finishes retention    |
 * | SIGKILL mid-upload                       | (no trap can run) the watchdog stops duplicity              | tmp/run.PID left; next run clears it and backs up        |
 * | Swift 503 on one PUT, 6 times            | exit 0; log: FAILURE (unavailable), "trying again"          | whole backup; restore byte-identical                     |
 * | connection cut part-way through a PUT    | exit 0; log: FAILURE (network), retried                     | whole backup                                             |
 * | a PUT that stalls part-way               | exit 124, "no progress for 30 s", /fail ping, mail          | no duplicity, no tmp; next run backs up                  |
 * | 413 on PUT (quota)                       | exit 50, "quota is full (HTTP 413)" in log, ping, mail; no retry | partial set; status and restore work, byte-identical |
 * | 507 on PUT                               | exit 50, "no disk space left … (HTTP 507)"                  | partial set; next run resumes                            |
 * | a byte flipped in one PUT                | exit 0; Swift refused it (422), retried                     | every volume as uploaded; restore byte-identical         |
 * | Keystone down (connections cut)          | exit 38, "cannot reach Keystone", retried, /fail            | nothing                                                  |
 * | Keystone never answers                   | exit 38 within the bound, "did not answer within"          | nothing                                                  |
 * | Keystone 500 once / garbage once         | exit 0 after a retry                                        | whole backup                                             |
 * | profile folder full (tmpfs)              | exit ≠ 0, /fail ping and mail still sent                    | nothing half-done kept as good; next run backs up        |
 * | lock held longer than the interval       | exit 75 with /fail ping "held the lock"                     | nothing                                                  |
 * | a drill holding the locks past drillWait | exit 75 with /fail ping                                     | nothing                                                  |
 * | two runs at once (normal overlap)        | one exit 0, one exit 75 without an alert                    | one backup                                               |
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeBackupJob, type JobInput } from '../../src/core/schedule/job';
import {
  fakeMail, makeSource, makeTestKeys, pingServer, stackUp, swiftDelete, swiftList, treeBytes, type StackEnv, type TestKeys,
} from '../helpers/backup-job';
import { startFaultProxy, type FaultProxy, type Rule } from '../helpers/fault-proxy';
import { stackJobInput } from '../helpers/job-run';

let stack: StackEnv;
let keys: TestKeys;
let source: string;
let root: string;
let ping: Awaited<ReturnType<typeof pingServer>>;
let mail: Awaited<ReturnType<typeof fakeMail>>;
let keystone: FaultProxy;
let swift: FaultProxy;
let input: JobInput;
let script: string;
/** The source as of the last backup that succeeded. */
let lastGood: Map<string, Buffer>;
const container = `dsw-faults-${process.pid}-${Date.now()}`;

const setRules = (proxy: FaultProxy, rules: Rule[]) => { proxy.rules.splice(0, proxy.rules.length, ...rules); proxy.hits.length = 0; };
const noFaults = () => { setRules(keystone, []); setRules(swift, []); };

/** The job started as cron starts it; `pid` is bash's (setsid does not fork: execa's child is no group leader). */
function start(args: string[] = [], s = script) {
  return execa('/usr/bin/setsid', ['/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', '/bin/bash', s, ...args], { stdin: 'ignore', reject: false });
}

async function logText(dir = input.dir) { return readFile(join(dir, 'backup.log'), 'utf8').catch(() => ''); }
async function mailText() { return readFile(mail.log, 'utf8').catch(() => ''); }

/** duplicity processes still running for this profile (by their archive dir in argv). */
async function duplicities(dir = input.dir): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('duplicity') && cmd.includes(join(dir, 'cache'))) out.push(`${pid} ${cmd.replace(/\0/g, ' ').slice(0, 120)}`);
  }
  return out;
}

async function tmpLeft(dir = input.dir): Promise<string[]> {
  return (await readdir(join(dir, 'tmp')).catch(() => [] as string[])).filter((n) => n.startsWith('run.'));
}

async function lockFree(dir = input.dir): Promise<boolean> {
  const r = await execa('/usr/bin/flock', ['-n', join(dir, 'backup.lock'), 'true'], { reject: false });
  return r.exitCode === 0;
}

/** One process holding flocks on `files` in order (as a run holds them) until killed: no child keeps them. */
function holdLocks(files: string[]) {
  const script = files.map((_, i) => `exec ${5 + i}>>"$${i + 1}"; /usr/bin/flock ${5 + i}`).join('; ');
  return execa('/bin/bash', ['-c', `${script}; exec /bin/sleep 60`, 'hold', ...files], { reject: false });
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function change(name: string) {
  await writeFile(join(source, 'docs', name), `${name} ${randomBytes(8).toString('hex')}\n`);
}

/** A normal run succeeds, and a full restore from it is byte-identical to the source. */
async function normalRunRestores() {
  noFaults();
  const run = await start();
  expect(run.exitCode, `${run.stderr}\n${(await logText()).slice(-3000)}`).toBe(0);
  lastGood = await treeBytes(source, ['tmp']);
  await expectRestoreOf(lastGood);
  expect(await tmpLeft()).toEqual([]);
}

async function expectRestoreOf(expected: Map<string, Buffer>) {
  const dest = join(root, `restored-${Date.now()}`);
  const restored = await start(['restore', '.', dest]);
  expect(restored.exitCode, `${restored.stderr}\n${(await logText()).slice(-2000)}`).toBe(0);
  const got = await treeBytes(dest);
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [rel, bytes] of expected) expect(got.get(rel)?.equals(bytes), rel).toBe(true);
  await rm(dest, { recursive: true, force: true });
}

beforeAll(async () => {
  [stack, keys, source, ping, mail] = await Promise.all([stackUp(), makeTestKeys(), makeSource(), pingServer(), fakeMail()]);
  // Three 1 MB volumes, so faults can land part-way through an upload.
  await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
  swift = await startFaultProxy('http://127.0.0.1:8080');
  keystone = await startFaultProxy(stack.OS_AUTH_URL.replace(/\/v3\/?$/, ''), { rewrite: { from: 'http://127.0.0.1:8080', to: swift.url } });
  root = await mkdtemp(join(tmpdir(), 'dsw-faults-'));
  const base = await stackJobInput({ stack, keys, source, root, container, pingUrl: ping.url, mail: mail.path });
  input = {
    ...base,
    volsize: 1,
    numRetries: 1,
    swiftEnv: { ...base.swiftEnv, SWIFT_AUTHURL: `${keystone.url}/v3` },
    // 30 s: above swiftclient's own silent backoff between its retries (1, 2, 4, 8, 16 s), which a
    // 15 s bound mistook for a stall on a 507.
    profile: { ...base.profile, schedule: { ...base.profile.schedule, stallMinutes: 0.5, retries: 2, retryDelay: 1 } },
  };
  script = (await writeBackupJob(input)).script;
  await normalRunRestores();
}, 300_000);

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await Promise.all([keystone?.close(), swift?.close(), keys?.cleanup(), ping?.close(), rm(source, { recursive: true, force: true }), rm(root, { recursive: true, force: true }), rm(mail.dir, { recursive: true, force: true })]);
});

// Each case sets its own faults; none leaks into the next.
beforeEach(() => noFaults());

/** Starts a run, waits until the fault holds it, sends `signal` to bash; checks what a signal must leave. */
async function signalAt(proxy: FaultProxy, hit: RegExp, signal: NodeJS.Signals, code: number) {
  ping.hits.length = 0;
  const job = start();
  await proxy.waitForHit(hit, 120_000);
  await new Promise((r) => setTimeout(r, 500));
  job.kill(signal);
  const run = await job;
  expect(run.exitCode, run.stderr).toBe(code);
  const log = await logText();
  expect(log).toMatch(new RegExp(`stopped by ${signal}`));
  expect(log).toMatch(new RegExp(`backup FAILED with exit code ${code}`));
  expect(ping.hits).toContain('/ping/abc/fail');
  expect(await mailText()).toMatch(new RegExp(`failed on .* \\(exit ${code}\\)`));
  expect(await duplicities()).toEqual([]);
  expect(await tmpLeft()).toEqual([]);
  expect(await lockFree()).toBe(true);
}

describe('signals end the job loudly and stop duplicity first', () => {
  it('SIGINT before the upload (Keystone holds the login): exit 130, alerts, nothing left running', async () => {
    await change('sigint.txt');
    setRules(keystone, [{ method: 'POST', path: /\/auth\/tokens$/, fault: { kind: 'hang' } }]);
    await signalAt(keystone, /tokens hang/, 'SIGINT', 130);
    await normalRunRestores();
  }, 300_000);

  it('SIGTERM mid-upload (volume 2 held): exit 143, alerts; the next run resumes and restores byte-identical', async () => {
    await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
    setRules(swift, [{ method: 'PUT', path: /vol2\.difftar/, fault: { kind: 'hang' } }]);
    await signalAt(swift, /vol2.*hang/, 'SIGTERM', 143);
    await normalRunRestores();
  }, 300_000);

  it('SIGHUP during retention (a DELETE held): exit 129, alerts; the next run finishes retention', async () => {
    await change('sighup.txt');
    await writeBackupJob({ ...input, profile: { ...input.profile, schedule: { ...input.profile.schedule, fullEvery: '1s' } } });
    await new Promise((r) => setTimeout(r, 1100));
    setRules(swift, [{ method: 'DELETE', fault: { kind: 'hang' } }]);
    await signalAt(swift, /DELETE .* hang/, 'SIGHUP', 129);
    await writeBackupJob(input);
    await normalRunRestores();
    expect((await swiftList(stack, container)).filter((o) => /duplicity-full\..*manifest/.test(o))).toHaveLength(1);
  }, 300_000);

  it('SIGKILL mid-upload: duplicity does not outlive the job; the next run clears its temporary files and backs up', async () => {
    await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
    setRules(swift, [{ method: 'PUT', path: /vol2\.difftar/, fault: { kind: 'hang' } }]);
    const job = start();
    await swift.waitForHit(/vol2.*hang/, 120_000);
    expect(await tmpLeft()).toHaveLength(1);
    job.kill('SIGKILL');
    await job;
    await waitFor(async () => (await duplicities()).length === 0, 30_000, 'duplicity to stop after its job was killed');
    expect(await tmpLeft()).toHaveLength(1);
    await normalRunRestores();
    expect(await logText()).toMatch(/removing the temporary files of an earlier run/);
  }, 300_000);
});

describe('Swift failing part-way through an upload', () => {
  // swiftclient itself retries a request 5 times (1+2+4+8+16 s); a 503 that outlasts that fails
  // duplicity's step (--num-retries 1 here), and the job retries the step.
  it('a 503 on one PUT that outlasts swiftclient\'s own retries: the job retries the step; exit 0, restore byte-identical', async () => {
    await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
    setRules(swift, [{ method: 'PUT', path: /vol2\.difftar/, times: 6, fault: { kind: 'status', status: 503, body: 'Service Unavailable' } }]);
    const run = await start();
    expect(run.exitCode, (await logText()).slice(-3000)).toBe(0);
    expect(swift.hits.length).toBe(6);
    expect(await logText()).toMatch(/FAILURE \(unavailable\)[\s\S]*trying again/);
    lastGood = await treeBytes(source, ['tmp']);
    await expectRestoreOf(lastGood);
  }, 300_000);

  it('a connection cut part-way through a PUT is retried: exit 0', async () => {
    await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
    // swiftclient retries some cuts itself (seeking the volume back), not others ("Remote end closed
    // connection without response": duplicity gives up, FAILURE (network), the job retries the step).
    setRules(swift, [{ method: 'PUT', path: /vol2\.difftar/, times: 2, fault: { kind: 'cut', after: 300_000 } }]);
    const run = await start();
    expect(run.exitCode, (await logText()).slice(-3000)).toBe(0);
    expect(swift.hits.length).toBe(2);
    lastGood = await treeBytes(source, ['tmp']);
    await expectRestoreOf(lastGood);
  }, 300_000);

  it('a PUT that stalls part-way: the watchdog stops duplicity (exit 124) and alerts in its own words', async () => {
    await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
    ping.hits.length = 0;
    setRules(swift, [{ method: 'PUT', path: /vol2\.difftar/, fault: { kind: 'stall', after: 200_000 } }]);
    // One try only: the exit code is the watchdog's, not a second attempt's.
    await writeBackupJob({ ...input, profile: { ...input.profile, schedule: { ...input.profile.schedule, retries: 1 } } });
    const started = Date.now();
    const run = await start();
    await writeBackupJob(input);
    expect(run.exitCode, (await logText()).slice(-3000)).toBe(124);
    expect(Date.now() - started).toBeLessThan(150_000);
    const log = await logText();
    expect(log).toMatch(/STALLED: backup made no progress/);
    expect(ping.hits).toContain('/ping/abc/fail');
    expect(await mailText()).toMatch(/no progress/);
    expect(await duplicities()).toEqual([]);
    expect(await tmpLeft()).toEqual([]);
    await normalRunRestores();
  }, 300_000);

  it('413 (quota) on PUT: exit 50, the quota named in log, ping and mail, not retried; then status and restore work', async () => {
    await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
    ping.hits.length = 0;
    setRules(swift, [{ method: 'PUT', path: /vol2\.difftar/, fault: { kind: 'status', status: 413, body: 'Request Entity Too Large' } }]);
    const before = await logText();
    const run = await start();
    expect(run.exitCode).toBe(50);
    const log = (await logText()).slice(before.length);
    expect(log).toMatch(/FAILURE \(quota\): Swift refused the upload: the project's storage quota is full \(HTTP 413\)/);
    expect(log).not.toMatch(/trying again/);
    expect(await mailText()).toMatch(/quota is full/);
    noFaults();
    const status = await start(['status']);
    expect(status.exitCode, status.stderr).toBe(0);
    await expectRestoreOf(lastGood);
    const one = join(root, 'one-file');
    const single = await start(['restore', 'docs/readme.txt', one]);
    expect(single.exitCode, single.stderr).toBe(0);
    expect((await readFile(one)).equals(lastGood.get('docs/readme.txt')!)).toBe(true);
    await normalRunRestores();
  }, 300_000);

  it('507 on PUT: its own words (the cloud is full, not the quota)', async () => {
    await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
    setRules(swift, [{ method: 'PUT', path: /vol1\.difftar/, fault: { kind: 'status', status: 507, body: 'Insufficient Storage' } }]);
    const before = await logText();
    const run = await start();
    expect(run.exitCode).toBe(50);
    expect((await logText()).slice(before.length)).toMatch(/FAILURE \(insufficient-storage\): Swift has no disk space left/);
    await normalRunRestores();
  }, 300_000);

  it('a byte flipped in an upload is never a success: Swift refuses it (422), the job retries, the restore is byte-identical', async () => {
    await writeFile(join(source, 'big.bin'), randomBytes(2_600_000));
    setRules(swift, [{ method: 'PUT', path: /vol1\.difftar/, times: 1, fault: { kind: 'flip', offset: 100_000 } }]);
    const run = await start();
    expect(run.exitCode, (await logText()).slice(-3000)).toBe(0);
    expect(swift.hits).toHaveLength(1);
    expect(await logText()).toMatch(/422 Unprocessable Entity[\s\S]*FAILURE \(corrupt-upload\)/);
    lastGood = await treeBytes(source, ['tmp']);
    await expectRestoreOf(lastGood);
  }, 300_000);
});

describe('Keystone failing', () => {
  it('down (every connection cut): exit 38, "cannot reach Keystone", retried, /fail', async () => {
    ping.hits.length = 0;
    setRules(keystone, [{ fault: { kind: 'reset' } }]);
    const run = await start();
    expect(run.exitCode).toBe(38);
    expect(await logText()).toMatch(/FAILURE \(network\): cannot reach Keystone[\s\S]*failed before duplicity started|cannot reach Keystone/);
    expect(ping.hits).toContain('/ping/abc/fail');
  }, 300_000);

  it('accepting and never answering: the job ends within its bound, naming the wait', async () => {
    setRules(keystone, [{ fault: { kind: 'hang' } }]);
    const started = Date.now();
    const run = await start();
    expect(run.exitCode).toBe(38);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(await logText()).toMatch(/did not answer within 30 s/);
  }, 300_000);

  it('a 500 once, and garbage once, on the login: retried, exit 0', async () => {
    await change('keystone-500.txt');
    setRules(keystone, [{ method: 'POST', path: /\/auth\/tokens$/, times: 1, fault: { kind: 'status', status: 500, body: '{"error": {"code": 500, "title": "Internal Server Error", "message": "boom"}}', contentType: 'application/json' } }]);
    let run = await start();
    expect(run.exitCode, (await logText()).slice(-3000)).toBe(0);
    expect(keystone.hits).toHaveLength(1);
    setRules(keystone, [{ method: 'POST', path: /\/auth\/tokens$/, times: 1, fault: { kind: 'malformed' } }]);
    await change('keystone-garbage.txt');
    run = await start();
    expect(run.exitCode, (await logText()).slice(-3000)).toBe(0);
    lastGood = await treeBytes(source, ['tmp']);
  }, 300_000);
});

describe('locks', () => {
  it('a lock held longer than the threshold makes the skipped run alert; a normal overlap does not', async () => {
    ping.hits.length = 0;
    const holder = holdLocks([join(input.dir, 'backup.lock')]);
    try {
      await new Promise((r) => setTimeout(r, 500));
      // The default threshold (the schedule's interval, a day): a normal overlap, no alert.
      let run = await start();
      expect(run.exitCode).toBe(75);
      expect(ping.hits).toEqual([]);
      // A threshold of a second, and a lock held since longer.
      const tight = { ...input, profile: { ...input.profile, schedule: { ...input.profile.schedule, lockAlertAfter: 1 / 60 } } };
      await writeBackupJob(tight);
      await execa('/usr/bin/touch', ['-d', '-5 seconds', join(input.dir, 'backup.lock')]);
      run = await start();
      expect(run.exitCode).toBe(75);
      expect(ping.hits).toEqual(['/ping/abc/fail']);
      expect(await mailText()).toMatch(/held the lock/);
    } finally {
      holder.kill();
      await holder;
      await writeBackupJob(input);
    }
  }, 120_000);

  it('a backup that finds a restore drill running waits for it, and alerts when the wait runs out', async () => {
    ping.hits.length = 0;
    // A drill as the job runs one: the drill lock, then the main lock.
    const drill = holdLocks([`${join(input.dir, 'backup.lock')}.drill`, join(input.dir, 'backup.lock')]);
    try {
      await new Promise((r) => setTimeout(r, 700));
      await writeBackupJob({ ...input, profile: { ...input.profile, schedule: { ...input.profile.schedule, drillWait: 2 / 60 } } });
      const run = await start();
      expect(run.exitCode).toBe(75);
      const log = await logText();
      expect(log).toMatch(/a restore drill is running; the backup waits for it\n/);
      expect(log).toMatch(/the restore drill still holds the lock after 2 s/);
      expect(ping.hits).toEqual(['/ping/abc/fail']);
    } finally {
      drill.kill();
      await drill;
      await writeBackupJob(input);
    }
  }, 120_000);

  it('two runs at once: one backs up, the other leaves with 75 and no alert', async () => {
    await change('concurrent.txt');
    ping.hits.length = 0;
    const [a, b] = await Promise.all([start(), start()]);
    expect([a.exitCode, b.exitCode].sort()).toEqual([0, 75]);
    expect(ping.hits.filter((h) => h.endsWith('/fail'))).toEqual([]);
    lastGood = await treeBytes(source, ['tmp']);
  }, 300_000);
});

describe('a full disk under the profile folder', () => {
  it('still alerts (ping and mail) though the log cannot be written; the next run backs up', async () => {
    const mount = await mkdtemp(join(tmpdir(), 'dsw-full-'));
    const small = `${container}-full`;
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=700', 'dsw-full', mount]);
    try {
      const job = { ...input, dir: join(mount, 'nightly'), profile: { ...input.profile, container: small } };
      const fullScript = (await writeBackupJob(job)).script;
      await mkdir(join(mount, 'nightly', 'tmp'), { recursive: true });
      // Fill what is left.
      await execa('sh', ['-c', `dd if=/dev/zero of=${mount}/filler bs=64k 2>/dev/null; true`]);
      ping.hits.length = 0;
      const run = await start([], fullScript);
      expect(run.exitCode).not.toBe(0);
      expect(ping.hits).toContain('/ping/abc/fail');
      expect(await mailText()).toMatch(/could not be written|No space left/);
      expect(run.stderr).not.toMatch(/printf: write error/);
      await rm(join(mount, 'filler'));
      const next = await start([], fullScript);
      expect(next.exitCode, next.stderr).toBe(0);
      expect(await tmpLeft(job.dir)).toEqual([]);
    } finally {
      await execa('umount', [mount], { reject: false });
      await rm(mount, { recursive: true, force: true });
      await swiftDelete(stack, small).catch(() => undefined);
    }
  }, 300_000);
});
