/**
 * Where the job's secrets go: duplicity's environment for its run, and nowhere else. Every exec of
 * the job is recorded (strace), curl and mail are PATH-free shims that dump the environment they got,
 * and the gpg-agent left running afterwards is read in /proc.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackupJob, type JobInput } from '../../src/core/schedule/job';
import { makeSource, makeTestKeys, pingServer, stackUp, swiftDelete, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { execa } from 'execa';
import { execRecorder, execsOf, runsUnder, secretsInArgv, type Exec } from '../helpers/exec-trace';
import { cronRun, stackJobInput } from '../helpers/job-run';

let stack: StackEnv;
let keys: TestKeys;
let source: string;
let root: string;
let shims: string;
let ping: Awaited<ReturnType<typeof pingServer>>;
let input: JobInput;
let script: string;
let secrets: string[];
const container = `dsw-jobsec-${process.pid}-${Date.now()}`;

/** A shim that writes its environment (NUL-separated) to DIR/NAME.env.PID, then does its job. */
async function envShim(name: string, then: string): Promise<string> {
  const path = join(shims, name);
  await writeFile(path, `#!/bin/sh\n/usr/bin/env -0 > '${shims}/${name}.env.'$$\n${then}\n`, { mode: 0o755 });
  return path;
}

async function dumpedEnvs(name: string): Promise<string[][]> {
  const files = (await readdir(shims)).filter((f) => f.startsWith(`${name}.env.`));
  return Promise.all(files.map(async (f) => (await readFile(join(shims, f), 'utf8')).split('\0').filter(Boolean)));
}

/** The gpg-agents serving this GnuPG home: their pid and environment, from /proc. */
async function agentsOf(home: string): Promise<Array<{ pid: number; env: string[] }>> {
  const out: Array<{ pid: number; env: string[] }> = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmd.split('\0');
    if (!args[0]?.endsWith('gpg-agent')) continue;
    const env = (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
    if (args.includes(home) || env.includes(`GNUPGHOME=${home}`)) out.push({ pid: Number(pid), env });
  }
  return out;
}

const holdsSecret = (env: string[]) => env.filter((kv) => secrets.some((s) => kv.includes(s)));

/** Every exec outside duplicity (and what duplicity itself started): none may see a secret in its environment. */
/** setsid (and setpriv) exec duplicity in the same process: that exec is duplicity's own start. */
const becomesDuplicity = (execs: Exec[], e: Exec) => execs.some((d) => d.pid === e.pid && d !== e && d.file.endsWith('/duplicity'));

function leaks(execs: Exec[]): string[] {
  return execs.filter((e) => !runsUnder(execs, e, 'duplicity') && !becomesDuplicity(execs, e)).flatMap((e) => holdsSecret(e.env).map((kv) => `${e.file}: ${kv.split('=')[0]}`));
}

beforeAll(async () => {
  [stack, keys, source, ping] = await Promise.all([stackUp(), makeTestKeys(), makeSource(), pingServer()]);
  // The suite runs with the stack's OS_* exported (test-all.sh): that is this test process's own
  // environment, which the tracing wrapper inherits, not the job's. Drop it here (this file's own
  // process), so only what the job itself hands on is judged.
  for (const k of Object.keys(process.env)) if (/^(OS_|DUPLISWIFT_|SWIFT_|PASSPHRASE$|SIGN_PASSPHRASE$)/.test(k)) delete process.env[k];
  root = await mkdtemp(join(tmpdir(), 'dsw-jobsec-'));
  shims = await mkdtemp(join(tmpdir(), 'dsw-jobsec-shims-'));
  const curl = await envShim('curl', 'exec /usr/bin/curl "$@"');
  const mail = await envShim('mail', `cat > '${shims}/mail.body.'$$`);
  input = await stackJobInput({ stack, keys, source, root, container, pingUrl: ping.url, mail });
  input.tools.curl = curl;
  script = (await writeBackupJob(input)).script;
  secrets = [keys.encryptPassphrase, keys.signPassphrase, stack.OS_PASSWORD];
}, 180_000);

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await Promise.all([keys?.cleanup(), ping?.close(), rm(source, { recursive: true, force: true }), rm(root, { recursive: true, force: true }), rm(shims, { recursive: true, force: true })]);
});

describe('the job hands its secrets to duplicity alone', () => {
  it('a backup: duplicity gets them; curl, every other child and the gpg-agent left running do not', async () => {
    const trace = await execRecorder({ ancestry: true });
    const run = await cronRun(script, [], trace);
    const execs = await trace.execs();
    await trace.cleanup();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(secretsInArgv(execs, secrets)).toEqual([]);
    // duplicity ran (backup, retention, cleanup) and had all three in its environment; the job's
    // version check (duplicity --version) gets none.
    const duplicity = execsOf(execs, 'duplicity').filter((d) => d.argv[1] !== '--version');
    for (const v of execsOf(execs, 'duplicity').filter((d) => d.argv[1] === '--version')) expect(holdsSecret(v.env)).toEqual([]);
    expect(duplicity.length).toBeGreaterThanOrEqual(3);
    for (const d of duplicity) expect(d.env.map((kv) => kv.split('=')[0])).toEqual(expect.arrayContaining(['PASSPHRASE', 'SIGN_PASSPHRASE', 'SWIFT_PASSWORD']));
    expect(execsOf(execs, 'curl').length).toBeGreaterThanOrEqual(2);
    expect(leaks(execs)).toEqual([]);
    const curlEnvs = await dumpedEnvs('curl');
    expect(curlEnvs.length).toBeGreaterThanOrEqual(2);
    for (const env of curlEnvs) expect(holdsSecret(env)).toEqual([]);
    const agents = await agentsOf(keys.home);
    expect(agents.length).toBeGreaterThan(0);
    for (const agent of agents) expect(holdsSecret(agent.env), `gpg-agent ${agent.pid}`).toEqual([]);
  });

  it('a failed backup: the alert mail and the /fail ping get no secret either', async () => {
    const file = join(input.dir, 'secrets', 'sign-passphrase');
    await writeFile(file, 'not the passphrase', { mode: 0o600 });
    // The agent caches the right passphrase from the first run: forget it, so the wrong one fails.
    await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: keys.home }, reject: false });
    const trace = await execRecorder({ ancestry: true });
    const run = await cronRun(script, [], trace);
    const execs = await trace.execs();
    await trace.cleanup();
    expect(run.exitCode).toBe(31);
    expect(secretsInArgv(execs, secrets)).toEqual([]);
    expect(execsOf(execs, 'mail')).toHaveLength(1);
    expect(leaks(execs)).toEqual([]);
    const mailEnvs = await dumpedEnvs('mail');
    expect(mailEnvs).toHaveLength(1);
    expect(holdsSecret(mailEnvs[0]!)).toEqual([]);
    expect(ping.hits).toContain('/ping/abc/fail');
  });
});
