/**
 * The generated script's restore drill (`backup.sh drill`) against the real Keystone+Swift, run as cron
 * runs it: env -i with PATH=/usr/bin:/bin, no terminal. After a real backup it passes quietly; when the
 * backup cannot be restored (a wrong passphrase, a volume gone from Swift) it exits non-zero and alerts
 * through the ping URL and mail, saying it was the drill.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackupJob, type JobInput } from '../../src/core/schedule/job';
import { fakeMail, makeSource, makeTestKeys, stackUp, swiftDelete, swiftList, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { execRecorder, execsOf, secretsInArgv } from '../helpers/exec-trace';
import { cronRun as cronRunScript, stackJobInput } from '../helpers/job-run';

let stack: StackEnv;
let keys: TestKeys;
let source: string;
let root: string;
let mail: Awaited<ReturnType<typeof fakeMail>>;
let input: JobInput;
let script: string;
const container = `dsw-drill-${process.pid}-${Date.now()}`;

/** healthchecks-style pings with their method and body: the drill's say what they are in the body. */
const pings: Array<{ method: string; url: string; body: string }> = [];
const pingServer = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    pings.push({ method: req.method ?? '', url: req.url ?? '', body });
    res.end('OK');
  });
});

const cronRun = (args: string[] = []) => cronRunScript(script, args);

/** Overwrites an object in Swift with junk of the same size, as a bad disk or a bad upload would. */
async function swiftCorruptObject(name: string): Promise<void> {
  const junk = join(root, 'junk');
  await writeFile(junk, randomBytes(4096));
  const r = await execa('/usr/bin/python3', ['/usr/bin/swift', 'upload', '--object-name', name, container, junk], { env: { ...stack, PATH: '/usr/bin:/bin', OS_IDENTITY_API_VERSION: '3' }, extendEnv: false, reject: false });
  if (r.exitCode !== 0) throw new Error(`swift upload ${container} ${name}: ${r.stderr}`);
}

const mailed = () => readFile(mail.log, 'utf8').catch(() => '');

beforeAll(async () => {
  await new Promise<void>((resolve) => pingServer.listen(0, '127.0.0.1', resolve));
  const pingUrl = `http://127.0.0.1:${(pingServer.address() as { port: number }).port}/ping/abc`;
  [stack, keys, source, mail] = await Promise.all([stackUp(), makeTestKeys(), makeSource(), fakeMail()]);
  root = await mkdtemp(join(tmpdir(), 'dsw-drill-cfg-'));
  input = await stackJobInput({ stack, keys, source, root, container, pingUrl, mail: mail.path, schedule: { drill: '41 4 1 * *' } });
  script = (await writeBackupJob(input)).script;
  const backup = await cronRun();
  if (backup.exitCode !== 0) throw new Error(`the backup the drill needs failed (exit ${backup.exitCode}): ${backup.stderr}`);
  pings.length = 0;
});

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await new Promise((resolve) => pingServer.close(resolve));
  await Promise.all([keys?.cleanup(), rm(source, { recursive: true, force: true }), rm(root, { recursive: true, force: true }), rm(mail.dir, { recursive: true, force: true })]);
});

describe('backup.sh drill, run as cron runs it', () => {
  it('after a real backup: exit 0, its own log lines, a /log ping, no mail, the job\'s cache untouched, no secret in argv', async () => {
    const cacheBefore = await readdir(join(input.dir, 'cache'), { recursive: true });
    const trace = await execRecorder();
    const run = await cronRunScript(script, ['drill'], trace);
    const execs = await trace.execs().finally(() => trace.cleanup());
    expect(secretsInArgv(execs, [keys.encryptPassphrase, keys.signPassphrase, stack.OS_PASSWORD])).toEqual([]);
    // list-current-files and restore, each with the secrets in its environment only.
    expect(execsOf(execs, 'duplicity').map((e) => e.argv[1])).toEqual(['list-current-files', 'restore']);
    expect(run.exitCode, run.stderr).toBe(0);
    // Quiet without a terminal, as cron wants (it would mail any output).
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('');
    const log = await readFile(join(input.dir, 'backup.log'), 'utf8');
    expect(log).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4} \\[\\d+\\] restore drill of swift://${container} started`, 'm'));
    expect(log).toMatch(/\] restore drill OK: \S.* restored/);
    expect(log).toMatch(/\] restore drill finished with exit code 0$/m);
    // A success never counts as a backup run: it is logged at the check, not pinged as success.
    expect(pings).toEqual([{ method: 'POST', url: '/ping/abc/log', body: expect.stringMatching(/^dupliswift nightly on .*: restore drill OK: /) }]);
    expect(await mailed()).toBe('');
    // An empty cache of its own, as on a new machine: the job's cache is as it was.
    expect(await readdir(join(input.dir, 'cache'), { recursive: true })).toEqual(cacheBefore);
  });

  it('a backup that starts while a drill runs waits for it, rather than skipping the night', async () => {
    const lock = join(input.dir, 'backup.lock');
    // What a running drill holds: its own lock, then the job's, for a second.
    const holder = execa('/usr/bin/flock', [`${lock}.drill`, '/usr/bin/flock', lock, '/bin/sleep', '1'], { reject: false });
    const held = async (file: string) => (await execa('/usr/bin/flock', ['-n', file, '/bin/true'], { reject: false })).exitCode !== 0;
    while (!(await held(lock))) await new Promise((r) => setTimeout(r, 20));
    const backup = await cronRun();
    await holder;
    expect(backup.exitCode, backup.stderr).toBe(0);
    const log = await readFile(join(input.dir, 'backup.log'), 'utf8');
    expect(log).toMatch(/\] a restore drill is running; the backup waits for it\n.*\] backup of .* started/);
  });

  it('with a wrong passphrase in the secrets: non-zero, a /fail ping and a mail that both say it was the drill', async () => {
    pings.length = 0;
    await writeBackupJob({ ...input, secrets: { ...input.secrets, encryptPassphrase: 'not the passphrase' } });
    // A passphrase gpg-agent still holds from the last run would hide the wrong one.
    await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: keys.home } });
    try {
      const run = await cronRun(['drill']);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/^dupliswift nightly: restore drill failed \(exit 1\); see .*backup\.log$/m);
      expect(pings).toEqual([{ method: 'POST', url: '/ping/abc/fail', body: expect.stringMatching(/restore drill failed \(exit 1\): restore drill FAILED: cannot list the newest backup/) }]);
      const mail = await mailed();
      expect(mail).toMatch(/ARGS: \[-s\] \[dupliswift: restore drill nightly failed on .* \(exit 1\)\] \[ops@example\.invalid\]/);
      expect(mail).toMatch(/restore drill FAILED with exit code 1/);
      expect(mail).not.toContain('not the passphrase');
    } finally {
      await writeBackupJob(input);
    }
  });

  it('when a volume in Swift is corrupt: non-zero, the sample named as not restored, and the alerts fire', async () => {
    pings.length = 0;
    await rm(mail.log, { force: true });
    const volumes = (await swiftList(stack, container)).filter((o) => /\.difftar\.gpg$/.test(o));
    expect(volumes.length).toBeGreaterThan(0);
    for (const v of volumes) await swiftCorruptObject(v);
    const run = await cronRun(['drill']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/restore drill failed \(exit 1\)/);
    const log = await readFile(join(input.dir, 'backup.log'), 'utf8');
    expect(log).toMatch(/\] restore drill FAILED: \S.* did not restore/);
    expect(pings.map((p) => p.url)).toEqual(['/ping/abc/fail']);
    expect(pings[0]!.body).toMatch(/did not restore/);
    expect(await mailed()).toMatch(/\[dupliswift: restore drill nightly failed on .* \(exit 1\)\]/);
  });
});
