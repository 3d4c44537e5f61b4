/**
 * The generated backup script against the real Keystone+Swift, run as cron runs it: env -i with
 * PATH=/usr/bin:/bin, no terminal, stdin from /dev/null.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackupJob, type JobInput } from '../../src/core/schedule/job';
import { failureOf, runScript, verifyBackup } from '../../src/core/schedule/first-run';
import type { LogRecord } from '../../src/core/duplicity/logfd';
import {
  fakeMail, makeSource, makeTestKeys, pingServer, stackUp, swiftDelete, swiftList, treeBytes,
  type StackEnv, type TestKeys,
} from '../helpers/backup-job';
import { cronRun as cronRunScript, stackJobInput } from '../helpers/job-run';
import { execsOf, secretsInArgv, traceExecs } from '../helpers/exec-trace';

let stack: StackEnv;
let keys: TestKeys;
let source: string;
let root: string;
let ping: Awaited<ReturnType<typeof pingServer>>;
let mail: Awaited<ReturnType<typeof fakeMail>>;
const container = `dsw-job-${process.pid}-${Date.now()}`;
let input: JobInput;
let script: string;

const cronRun = (args: string[] = []) => cronRunScript(script, args);

beforeAll(async () => {
  [stack, keys, source, ping, mail] = await Promise.all([stackUp(), makeTestKeys(), makeSource(), pingServer(), fakeMail()]);
  root = await mkdtemp(join(tmpdir(), 'dsw-cfg-'));
  input = await stackJobInput({ stack, keys, source, root, container, pingUrl: ping.url, mail: mail.path });
  script = (await writeBackupJob(input)).script;
});

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await Promise.all([keys?.cleanup(), ping?.close(), rm(source, { recursive: true, force: true }), rm(root, { recursive: true, force: true }), rm(mail.dir, { recursive: true, force: true })]);
});

describe('the generated backup script, run as cron runs it', () => {
  it('holds no secret, and backs up to Swift with progress on --log-fd; no secret ever in argv', async () => {
    const text = await readFile(script, 'utf8');
    for (const secret of [keys.encryptPassphrase, keys.signPassphrase, stack.OS_PASSWORD]) expect(text).not.toContain(secret);
    expect(text).toContain(`GNUPGHOME=${keys.home}`);

    // runScript starts the job from this process: trace this process and all it starts.
    const trace = await traceExecs();
    const seen: LogRecord[] = [];
    const first = await runScript(script, [], { home: '/root', onRecord: (r) => seen.push(r) });
    const execs = await trace.stop();
    expect(secretsInArgv(execs, [keys.encryptPassphrase, keys.signPassphrase, stack.OS_PASSWORD])).toEqual([]);
    expect(execsOf(execs, 'duplicity').length).toBeGreaterThanOrEqual(3);
    expect(first.exitCode, first.stderr).toBe(0);
    // Machine-readable progress: "Processed volume" records with the bytes read so far.
    expect(seen.some((r) => r.level === 'INFO' && r.code === 2 && Number(r.control[0]?.split(' ')[0]) > 300_000)).toBe(true);
    const objects = await swiftList(stack, container);
    expect(objects.some((o) => /duplicity-full\..*\.vol1\.difftar\.gpg$/.test(o))).toBe(true);
    expect(ping.hits).toEqual(['/ping/abc/start', '/ping/abc']);
    const log = await readFile(join(input.dir, 'backup.log'), 'utf8');
    expect(log).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \[\d+\] backup of /m);
  });

  it('makes the second run an incremental, and restores the source byte for byte', async () => {
    await writeFile(join(source, 'docs', 'added-later.txt'), 'second run\n');
    const second = await cronRun();
    expect(second.exitCode, second.stderr).toBe(0);
    const objects = await swiftList(stack, container);
    expect(objects.filter((o) => /duplicity-inc\..*\.vol1\.difftar\.gpg$/.test(o))).toHaveLength(1);

    const verified = await verifyBackup({ script, source, exclude: input.profile.exclude, home: '/root' });
    expect(verified).toMatchObject({ identical: true });
    const dest = join(root, 'restored-all');
    const restored = await cronRun(['restore', '.', dest]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    const expected = await treeBytes(source, ['tmp']);
    const got = await treeBytes(dest);
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [rel, bytes] of expected) expect(got.get(rel)?.equals(bytes), rel).toBe(true);
    await rm(dest, { recursive: true, force: true });
  });

  it('never lets two runs overlap: one backs up, the other leaves at once and the backup stays whole', async () => {
    await writeFile(join(source, 'docs', 'concurrent.txt'), 'third run\n');
    const [a, b] = await Promise.all([cronRun(), cronRun()]);
    expect([a.exitCode, b.exitCode].sort()).toEqual([0, 75]);
    const status = await cronRun(['status']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Incremental/);
    const dest = join(root, 'restored-one');
    expect((await cronRun(['restore', 'docs/concurrent.txt', dest])).exitCode).toBe(0);
    expect(await readFile(dest, 'utf8')).toBe('third run\n');
  });

  it('removes old chains: a new full with keepFull 1 leaves only the newest chain in Swift', async () => {
    const before = await swiftList(stack, container);
    const oldFull = before.find((o) => /duplicity-full\./.test(o))!;
    // Setup again with "full if older than 1 second": the next run starts a new chain.
    await writeBackupJob({ ...input, profile: { ...input.profile, schedule: { ...input.profile.schedule, fullEvery: '1s' } } });
    await new Promise((r) => setTimeout(r, 1100));
    const run = await cronRun();
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await swiftList(stack, container);
    expect(after).not.toContain(oldFull);
    expect(after.filter((o) => /duplicity-inc\./.test(o))).toEqual([]);
    expect(after.filter((o) => /duplicity-full\..*manifest/.test(o))).toHaveLength(1);
    await writeBackupJob(input);
  });

  it('a failing run (wrong OpenStack password) exits non-zero, pings /fail and mails the log tail', async () => {
    ping.hits.length = 0;
    await writeBackupJob({ ...input, secrets: { ...input.secrets, swiftPassword: 'wrong-password' } });
    const failed = await cronRun();
    expect(failed.exitCode).toBe(38);
    expect(failed.stderr).toMatch(/backup failed \(exit 38\)/);
    expect(ping.hits).toEqual(['/ping/abc/start', '/ping/abc/fail']);
    const mailed = await readFile(mail.log, 'utf8');
    expect(mailed).toMatch(/ARGS: \[-s\] \[dupliswift: backup nightly failed on .* \(exit 38\)\] \[ops@example\.invalid\]/);
    expect(mailed).not.toContain('wrong-password');
    await writeBackupJob(input);
  });

  it('a wrong signing passphrase: exit 31, nothing uploaded, and the first-run explanation names the passphrase', async () => {
    const before = await swiftList(stack, container);
    await writeFile(join(source, 'docs', 'never-uploaded.txt'), 'x\n');
    await writeBackupJob({ ...input, secrets: { ...input.secrets, signPassphrase: 'not the passphrase' } });
    await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: keys.home } });
    const run = await runScript(script, [], { home: '/root' });
    expect(run.exitCode).toBe(31);
    const error = failureOf(run, 'backup.log');
    expect(error.message).toMatch(/passphrase/i);
    expect(error.fix).toMatch(/sign-passphrase/);
    expect(await swiftList(stack, container)).toEqual(before);
    await writeBackupJob(input);
  });
});
