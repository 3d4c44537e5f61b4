/**
 * The generated script's restore drill (`backup.sh drill`) against the real Keystone+Swift, run as cron
 * runs it: env -i with PATH=/usr/bin:/bin, no terminal. After a real backup it passes quietly; when the
 * backup cannot be restored (a wrong passphrase, a volume gone from Swift) it exits non-zero and alerts
 * through the ping URL and mail, saying it was the drill.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackupJob, type JobInput } from '../../src/core/schedule/job';
import { fakeMail, makeSource, makeTestKeys, stackUp, swiftDelete, swiftEnvOf, swiftList, type StackEnv, type TestKeys } from '../helpers/backup-job';
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
    // The job's version check (job-sh/version.sh, no secret), then list-current-files and restore, each
    // with the secrets in its environment.
    const runs = execsOf(execs, 'duplicity');
    expect(runs.map((e) => e.argv[1])).toEqual(['--version', 'list-current-files', 'restore']);
    const hasPassphrase = (e: (typeof runs)[number]) => e.env.includes(`PASSPHRASE=${keys.encryptPassphrase}`);
    expect(runs.map(hasPassphrase)).toEqual([false, true, true]);
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
    // The verdict goes to the health-check service; which file was sampled stays in the local log.
    for (const name of ['readme', 'random.bin', 'spaces', 'empty']) expect(pings[0]!.body).not.toContain(name);
    expect(log).toMatch(/\] restore drill sample: \S/);
    expect(await mailed()).toBe('');
    // An empty cache of its own, as on a new machine: the job's cache is as it was.
    expect(await readdir(join(input.dir, 'cache'), { recursive: true })).toEqual(cacheBefore);
  });

  it('a backup that starts while a drill runs waits for it, rather than skipping the night', async () => {
    const lock = join(input.dir, 'backup.lock');
    // What a running drill holds: its own lock, then the job's, for a few seconds (the job checks
    // duplicity's version before it takes the lock, which takes a while on a busy machine).
    const holder = execa('/usr/bin/flock', [`${lock}.drill`, '/usr/bin/flock', lock, '/bin/sleep', '8'], { reject: false });
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

/**
 * What the drill must not let pass (issue 9, item 8): nothing to sample, names duplicity escapes, a
 * backup signed by another key, the job's own gpg binary ignored, file names sent to the ping service.
 * Each is the production path: the generated backup.sh, run as cron runs it.
 */
describe('backup.sh drill checks what it claims to check', () => {
  const odd = ['ünïcödé ïs fïne.txt', "it's \"quoted\".txt", 'tab\there', 'back\\slash', '-leading dash', 'trailing space '];
  let oddSource: string;
  let emptySource: string;
  let gpgLog: string;
  const containers: string[] = [];

  /** A job of its own for this source and container, with a gpg wrapper that records each call. */
  async function jobFor(name: string, src: string, extra: Partial<JobInput> = {}): Promise<{ input: JobInput; script: string }> {
    const c = `${container}-${name}`;
    containers.push(c);
    const base = await stackJobInput({ stack, keys, source: src, root, container: c, pingUrl: input.profile.alert!.pingUrl!, mail: mail.path, schedule: { drill: '41 4 1 * *' } });
    const i: JobInput = { ...base, dir: join(root, name), profile: { ...base.profile, name }, tools: { ...base.tools, gpg: gpgWrapper }, ...extra };
    return { input: i, script: (await writeBackupJob(i)).script };
  }
  let gpgWrapper: string;

  beforeAll(async () => {
    oddSource = await mkdtemp(join(tmpdir(), 'dsw-drill-odd-'));
    for (const n of odd) await writeFile(join(oddSource, n), `content of ${n}\n`);
    emptySource = await mkdtemp(join(tmpdir(), 'dsw-drill-empty-'));
    await mkdir(join(emptySource, 'only', 'folders'), { recursive: true });
    gpgLog = join(root, 'gpg-calls.log');
    gpgWrapper = join(root, 'gpg-wrapper');
    await writeFile(gpgWrapper, `#!/bin/sh\necho "$$" >> '${gpgLog}'\nexec /usr/bin/gpg "$@"\n`, { mode: 0o755 });
  });

  afterAll(async () => {
    for (const c of containers) await swiftDelete(stack, c).catch(() => undefined);
    await Promise.all([rm(oddSource, { recursive: true, force: true }), rm(emptySource, { recursive: true, force: true })]);
  });

  it('samples names duplicity escapes (non-ASCII, quotes, tab, backslash, dash), compares them, runs the job\'s gpg, and pings no file name', async () => {
    const job = await jobFor('odd', oddSource);
    const backup = await cronRunScript(job.script);
    expect(backup.exitCode, backup.stderr).toBe(0);
    await rm(gpgLog, { force: true });
    pings.length = 0;
    const run = await cronRunScript(job.script, ['drill']);
    expect(run.exitCode, run.stderr).toBe(0);
    const log = await readFile(join(job.input.dir, 'backup.log'), 'utf8');
    expect(log).toMatch(/\] restore drill OK: a sample file restored \(\d+ bytes\), identical to the live file$/m);
    // The job's --gpg-binary was used, not whatever gpg duplicity finds.
    expect((await readFile(gpgLog, 'utf8').catch(() => '')).trim()).not.toBe('');
    expect(pings.map((p) => p.url)).toEqual(['/ping/abc/log']);
    for (const n of odd) expect(pings[0]!.body).not.toContain(n.trim().slice(0, 6));
    expect(pings[0]!.body).toMatch(/restore drill OK: a sample file restored/);
  });

  it('with nothing to sample: exit 1, "nothing to check", and the alerts fire', async () => {
    const job = await jobFor('empty', emptySource);
    expect((await cronRunScript(job.script)).exitCode).toBe(0);
    pings.length = 0;
    const run = await cronRunScript(job.script, ['drill']);
    expect(run.exitCode).toBe(1);
    expect(pings.map((p) => p.url)).toEqual(['/ping/abc/fail']);
    expect(pings[0]!.body).toMatch(/restore drill FAILED: nothing to check/);
  });

  it('a backup signed by another key than the profile\'s fails the drill, naming the signer', async () => {
    // A third key, on this machine only, signs a backup made by hand into the job's container.
    const otherPass = 'other signer';
    await execa('gpg', ['--homedir', keys.home, '--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--quick-gen-key', 'Other Signer <other@test.invalid>', 'ed25519', 'sign', 'never'], { input: otherPass });
    const fpr = (await execa('gpg', ['--homedir', keys.home, '--with-colons', '--list-keys', 'other@test.invalid'])).stdout.split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9]!;
    const job = await jobFor('signer', source);
    const made = await execa('duplicity', ['full', '--encrypt-key', keys.encrypt, '--sign-key', fpr, '--archive-dir', join(root, 'signer-cache'), source, `swift://${job.input.profile.container}`], {
      env: { PATH: '/usr/bin:/bin', HOME: '/root', GNUPGHOME: keys.home, PASSPHRASE: keys.encryptPassphrase, SIGN_PASSPHRASE: otherPass, ...swiftEnvOf(stack), SWIFT_PASSWORD: stack.OS_PASSWORD },
      extendEnv: false, reject: false, stdin: 'ignore',
    });
    expect(made.exitCode, made.stderr).toBe(0);
    pings.length = 0;
    const started = Date.now();
    const run = await cronRunScript(job.script, ['drill']);
    expect(run.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(pings.map((p) => p.url)).toEqual(['/ping/abc/fail']);
    expect(pings[0]!.body).toMatch(new RegExp(`signed by another key .*${fpr.slice(-16)}.*not by the signing key ${keys.sign}`));
  });
});
