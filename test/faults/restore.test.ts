/**
 * The restore rows of the fault matrix (issue 9): `dupliswift restore` and `backup.sh drill` against
 * the real Keystone and Swift, with a fault proxy in front of each (Keystone's catalog is rewritten to
 * send Swift calls through the second proxy, so duplicity itself meets the faults).
 *
 * | fault                                         | what the user sees                                         | left on disk / in Swift                           |
 * |-----------------------------------------------|------------------------------------------------------------|---------------------------------------------------|
 * | Swift 503 once on a volume, a reset part-way  | duplicity retries; exit 0, "Restored 3 files"              | the files, byte-identical; no temp; Swift as was  |
 * |   through another                             |                                                            |                                                   |
 * | a stall part-way through a volume             | exit 1 within the stall limit: "made no progress for 8 s"  | target absent; no staging, cache or temp; no      |
 * |                                               |                                                            |   duplicity left running; Swift as was            |
 * | a byte flipped in a volume on GET (restore)   | exit 1 at once: "…vol2.difftar.gpg in Swift is corrupt"    | target absent; no staging, cache or temp          |
 * | a byte flipped in a volume on GET (drill)     | exit 1 at once, /fail ping naming the volume, no file name | no drill folder; no duplicity left running        |
 * | a stall part-way through a volume (drill)     | exit 1 after the stall limit, /fail ping "no progress"     | no drill folder; no duplicity left running        |
 * | restore into a non-empty folder               | exit 1: "is not empty (1 entries); nothing was restored"   | the folder as it was; no request reached Swift    |
 * | restore onto a read-only path                 | exit 1: "read-only file system; nothing was restored"      | nothing written; no temp                          |
 * | Ctrl-C (SIGINT) mid-restore                   | exit 130: "Cancelled. Nothing half-done was written."      | target absent; no staging, cache or temp; no      |
 * |                                               |                                                            |   duplicity left running                          |
 * | SIGKILL mid-restore, then a normal restore    | the next restore removes the dead one's staging, cache and | only the new restore's files, byte-identical      |
 * |                                               |   temp folders, and succeeds                               |                                                   |
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDuplicity } from '../../src/core/duplicity/detect';
import { duplicitySwiftEnv } from '../../src/core/openstack/duplicity-env';
import { writeBackupJob, type JobInput } from '../../src/core/schedule/job';
import { binPath, runCli } from '../helpers/cli';
import { startFaultProxy, type FaultProxy, type Rule } from '../helpers/fault-proxy';
import { deleteContainers, machineA, plainDuplicity, snapshotTree, swiftEnvFor, uniqueContainer, type MachineA } from '../helpers/restore';
import { stack, type Stack } from '../helpers/stack';

let s: Stack;
let a: MachineA;
let work: string;
let source: string;
let container: string;
let keystone: FaultProxy;
let swift: FaultProxy;
let objectsBefore: string[];
const STALL = 8;

const setRules = (proxy: FaultProxy, rules: Rule[]) => {
  proxy.rules.splice(0, proxy.rules.length, ...rules);
  proxy.hits.length = 0;
};

/** A TMPDIR of the test's own, so "no temp left" is about this restore alone. */
async function freshTmp(): Promise<string> {
  const dir = join(work, `tmp-${randomBytes(3).toString('hex')}`);
  await mkdir(dir);
  return dir;
}

function cliEnv(tmp: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...s.demo.env, OS_AUTH_URL: `${keystone.url}/v3`, GNUPGHOME: a.gnupgHome, TMPDIR: tmp,
    DUPLISWIFT_ENCRYPT_PASSPHRASE: a.encrypt.passphrase, DUPLISWIFT_SIGN_PASSPHRASE: a.sign.passphrase, ...extra,
  };
}

/** duplicity processes still running on this test's container (an orphan would hold volumes and locks). */
async function duplicityLeft(): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    if (cmd.includes('duplicity') && cmd.includes(container)) out.push(cmd);
  }
  return out;
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Dot-files too: the staging folder beside a target is hidden. */
const entries = (dir: string) => readdir(dir).catch(() => [] as string[]);

const VOLUME2 = /\.vol2\.difftar\.gpg$/;
const VOLUME3 = /\.vol3\.difftar\.gpg$/;

beforeAll(async () => {
  [s, a] = await Promise.all([stack(), machineA()]);
  work = await mkdtemp(join(tmpdir(), 'ds-faults-restore-'));
  source = join(work, 'source');
  await mkdir(join(source, 'sub'), { recursive: true });
  // Incompressible, in 1 MB volumes: five or so volumes, so faults can hit one part-way.
  await writeFile(join(source, 'a.bin'), randomBytes(1_600_000));
  await writeFile(join(source, 'sub', 'b.bin'), randomBytes(1_600_000));
  await writeFile(join(source, 'notes.txt'), 'small and plain\n');
  container = uniqueContainer('ds-faults');
  await plainDuplicity(['full', '--encrypt-key', a.encrypt.fpr, '--sign-key', a.sign.fpr, '--volsize', '1', '--archive-dir', join(work, 'cache-A'), source, `swift://${container}`], {
    ...swiftEnvFor(s), GNUPGHOME: a.gnupgHome, PASSPHRASE: a.encrypt.passphrase, SIGN_PASSPHRASE: a.sign.passphrase,
  });
  swift = await startFaultProxy(s.swift);
  keystone = await startFaultProxy(new URL(s.keystone).origin, { rewrite: [{ from: s.swift, to: swift.url }] });
  objectsBefore = await swiftObjects();
  expect(objectsBefore.filter((o) => /\.difftar\.gpg$/.test(o)).length).toBeGreaterThanOrEqual(3);
}, 180_000);

afterAll(async () => {
  await Promise.all([keystone?.close(), swift?.close()]);
  if (s && container) await deleteContainers(s, [container]).catch(() => undefined);
  await a?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

async function swiftObjects(): Promise<string[]> {
  const r = await execa('/usr/bin/python3', ['/usr/bin/swift', 'list', container], { env: { ...s.demo.env, PATH: '/usr/bin:/bin', OS_IDENTITY_API_VERSION: '3' }, extendEnv: false, reject: false });
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('dupliswift restore meets a misbehaving Swift', () => {
  it('a 503 on one volume and a reset part-way through another: duplicity retries, and the files arrive byte-identical', async () => {
    setRules(swift, [
      { method: 'GET', path: VOLUME2, fault: { kind: 'status', status: 503 }, times: 1 },
      { method: 'GET', path: VOLUME3, fault: { kind: 'cut-response', after: 100_000, then: 'reset' }, times: 1 },
    ]);
    const tmp = await freshTmp();
    const target = join(work, 'retried');
    const r = await runCli(['restore', '--container', container, '--target', target], { cleanEnv: true, env: cliEnv(tmp), timeoutMs: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(swift.hits.map((h) => h.split(' ').pop())).toEqual(expect.arrayContaining(['status', 'cut-response']));
    expect(await snapshotTree(target)).toEqual(await snapshotTree(source));
    expect(await entries(tmp)).toEqual([]);
    expect((await entries(work)).filter((n) => n.includes('dupliswift-restore'))).toEqual([]);
    expect(await swiftObjects()).toEqual(objectsBefore);
  }, 300_000);

  it('a stall part-way through a volume: stopped after the stall limit, with words for it, and nothing left', async () => {
    setRules(swift, [{ method: 'GET', path: VOLUME2, fault: { kind: 'cut-response', after: 50_000, then: 'stall' } }]);
    const tmp = await freshTmp();
    const target = join(work, 'stalled');
    const started = Date.now();
    const r = await runCli(['restore', '--container', container, '--target', target], { cleanEnv: true, env: cliEnv(tmp, { DUPLISWIFT_STALL_SECONDS: String(STALL) }), timeoutMs: 200_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`duplicity made no progress for ${STALL} s \\(Swift or the network stopped answering\\), so it was stopped`));
    expect(r.stderr).toMatch(/Fix: Check the network and Swift/);
    // duplicity's own socket timeout is 30 s and it would then retry 5 times: the watchdog is first.
    expect(seconds).toBeLessThan(60);
    expect(await entries(target)).toEqual([]);
    expect(await entries(tmp)).toEqual([]);
    expect((await entries(work)).filter((n) => n.includes('dupliswift-restore'))).toEqual([]);
    expect(await duplicityLeft()).toEqual([]);
    expect(await swiftObjects()).toEqual(objectsBefore);
  }, 200_000);

  it('a byte flipped in a volume on the way: stopped at once, the corrupt volume named, nothing left', async () => {
    setRules(swift, [{ method: 'GET', path: VOLUME2, fault: { kind: 'flip-response' } }]);
    const tmp = await freshTmp();
    const target = join(work, 'flipped');
    const started = Date.now();
    // Without the watchdog this hangs for ever (duplicity 0.8 after "Calculated hash … Manifest hash …").
    const r = await runCli(['restore', '--container', container, '--target', target], { cleanEnv: true, env: cliEnv(tmp), timeoutMs: 150_000 });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/✖ Restore failed: duplicity-full\.\d{8}T\d{6}Z\.vol2\.difftar\.gpg in Swift is corrupt \(its hash differs from the backup's manifest\); duplicity was stopped\./);
    expect(r.stderr).toMatch(/Fix: Try again/);
    expect((Date.now() - started) / 1000).toBeLessThan(120);
    expect(await entries(target)).toEqual([]);
    expect(await entries(tmp)).toEqual([]);
    expect((await entries(work)).filter((n) => n.includes('dupliswift-restore'))).toEqual([]);
    expect(await duplicityLeft()).toEqual([]);
  }, 150_000);
});

describe('dupliswift restore where it cannot or must not write', () => {
  it('into a non-empty folder: refused before any request, the folder as it was', async () => {
    setRules(swift, []);
    setRules(keystone, []);
    const target = join(work, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'mine.txt'), 'do not touch\n');
    const tmp = await freshTmp();
    const r = await runCli(['restore', '--container', container, '--target', target], { cleanEnv: true, env: cliEnv(tmp) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/The restore target .*occupied is not empty \(1 entries\); nothing was restored or changed\./);
    expect(await readdir(target)).toEqual(['mine.txt']);
    expect(await readFile(join(target, 'mine.txt'), 'utf8')).toBe('do not touch\n');
    expect(keystone.hits).toEqual([]);
    expect(swift.hits).toEqual([]);
    expect(await entries(tmp)).toEqual([]);
  });

  it('onto a read-only file system: words, not a stack trace, and nothing written', async () => {
    const ro = join(work, 'ro');
    await mkdir(ro);
    await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    try {
      const tmp = await freshTmp();
      const r = await runCli(['restore', '--container', container, '--target', join(ro, 'restored')], { cleanEnv: true, env: cliEnv(tmp) });
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/✖ Cannot write to the restore target .*ro\/restored: .*read-only.*; nothing was restored\./);
      expect(r.stderr).not.toMatch(/Unexpected error|at .*\.js:\d+/);
      expect(await readdir(ro)).toEqual([]);
      expect(await entries(tmp)).toEqual([]);
    } finally {
      await execa('umount', [ro], { reject: false });
    }
  });
});

describe('dupliswift restore stopped part-way', () => {
  /** The CLI mid-restore: a volume download held back by the proxy until the test has acted. */
  async function midRestore(target: string, tmp: string) {
    setRules(swift, [{ method: 'GET', path: VOLUME2, fault: { kind: 'slow', ms: 120_000 } }]);
    const child = execa(process.execPath, [binPath, 'restore', '--container', container, '--target', target], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME, ...cliEnv(tmp) }, extendEnv: false, stdin: 'ignore', reject: false, timeout: 200_000,
    });
    await waitFor(() => swift.hits.some((h) => VOLUME2.test(h.split(' ')[1]!)), 120_000, 'the volume 2 download');
    // Volume 1 is on disk by now: staging, cache and duplicity's temp folder all exist.
    await new Promise((r) => setTimeout(r, 500));
    // Wrapped: the subprocess is a promise, and an async function returning it would wait for its end.
    return { child };
  }

  it('Ctrl-C (SIGINT): exit 130, the promise kept, nothing left behind, no duplicity left running', async () => {
    const tmp = await freshTmp();
    const target = join(work, 'interrupted');
    const { child } = await midRestore(target, tmp);
    expect((await entries(tmp)).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toMatch(/Cancelled\. Nothing half-done was written\./);
    expect(await entries(target)).toEqual([]);
    expect(await entries(tmp)).toEqual([]);
    expect((await entries(work)).filter((n) => n.includes('dupliswift-restore'))).toEqual([]);
    await waitFor(async () => (await duplicityLeft()).length === 0, 10_000, 'duplicity to be gone');
  }, 200_000);

  it('SIGKILL, then a normal restore: the dead one\'s staging, cache and temp folders are removed, and the restore succeeds', async () => {
    const tmp = await freshTmp();
    const target = join(work, 'killed');
    const { child } = await midRestore(target, tmp);
    child.kill('SIGKILL');
    await child;
    // Nothing could clean up: these are what a killed restore leaves.
    const left = [...(await entries(tmp)), ...(await entries(work)).filter((n) => n.includes('dupliswift-restore'))];
    expect(left.some((n) => /^dupliswift-restore-cache-/.test(n))).toBe(true);
    expect(left.some((n) => /^\.killed\.dupliswift-restore-/.test(n))).toBe(true);
    // The kernel ends duplicity with its parent (setpriv --pdeathsig): no orphan restores on.
    await waitFor(async () => (await duplicityLeft()).length === 0, 10_000, 'duplicity to die with its parent');
    setRules(swift, []);
    const r = await runCli(['restore', '--container', container, '--target', target], { cleanEnv: true, env: cliEnv(tmp), timeoutMs: 200_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await snapshotTree(target)).toEqual(await snapshotTree(source));
    expect(await entries(tmp)).toEqual([]);
    expect((await entries(work)).filter((n) => n.includes('dupliswift-restore'))).toEqual([]);
  }, 300_000);
});

describe('backup.sh drill meets a corrupt volume and a stall', () => {
  const pings: Array<{ url: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      pings.push({ url: req.url ?? '', body });
      res.end('OK');
    });
  });
  let script: string;
  let jobDir: string;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const target = { authUrl: `${keystone.url}/v3`, identityVersion: '3' as const, username: s.demo.username, userDomainName: 'Default', projectName: 'backup-a', projectDomainName: 'Default', region: s.region, interface: 'public' as const };
    const { SWIFT_PASSWORD: _secret, ...swiftEnv } = duplicitySwiftEnv(target, '');
    const input: JobInput = {
      dir: join(work, 'job', 'faults'),
      profile: {
        version: 1, name: 'faults', source, exclude: [], gnupgHome: a.gnupgHome, keys: { encrypt: a.encrypt.fpr, sign: a.sign.fpr },
        openstack: target, container, schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 2, drill: '41 4 1 * *' }, secrets: 'file', install: 'none',
        alert: { pingUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/ping/x` },
      },
      swiftEnv,
      secrets: { encryptPassphrase: a.encrypt.passphrase, signPassphrase: a.sign.passphrase, swiftPassword: s.demo.password },
      tools: { duplicity: await detectDuplicity(), gpg: '/usr/bin/gpg', flock: '/usr/bin/flock', curl: '/usr/bin/curl' },
      home: process.env.HOME ?? '/root',
    };
    jobDir = input.dir;
    script = (await writeBackupJob(input)).script;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  /** As cron runs it, with a TMPDIR of the test's own (and a short stall limit when given). */
  const drill = (tmp: string, extra: string[] = []) =>
    execa('/usr/bin/setsid', ['-w', '/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', `TMPDIR=${tmp}`, ...extra, '/bin/bash', script, 'drill'], { stdin: 'ignore', reject: false, timeout: 150_000 });

  it('a byte flipped on GET: exit 1 at once, the volume named in the log and the /fail ping, no file name sent, nothing left', async () => {
    // Every volume flipped: whichever file the drill samples meets one.
    setRules(swift, [{ method: 'GET', path: /\.difftar\.gpg$/, fault: { kind: 'flip-response' } }]);
    pings.length = 0;
    const tmp = await freshTmp();
    const started = Date.now();
    const r = await drill(tmp);
    expect(r.exitCode, r.stderr).toBe(1);
    expect((Date.now() - started) / 1000).toBeLessThan(120);
    const log = await readFile(join(jobDir, 'backup.log'), 'utf8');
    expect(log).toMatch(/\] restore drill FAILED: the sample file did not restore: volume duplicity-full\.\d{8}T\d{6}Z\.vol\d+\.difftar\.gpg is corrupt \(its hash differs from the manifest\)(; duplicity was stopped)?$/m);
    expect(pings.map((p) => p.url)).toEqual(['/ping/x/fail']);
    expect(pings[0]!.body).toMatch(/vol\d+\.difftar\.gpg is corrupt/);
    for (const name of ['a.bin', 'b.bin', 'notes.txt']) expect(pings[0]!.body).not.toContain(name);
    expect(await entries(tmp)).toEqual([]);
    expect(await duplicityLeft()).toEqual([]);
  }, 150_000);

  it('a stall part-way through a volume: stopped after the stall limit, a /fail ping that says so, nothing left', async () => {
    setRules(swift, [{ method: 'GET', path: /\.difftar\.gpg$/, fault: { kind: 'cut-response', after: 50_000, then: 'stall' } }]);
    pings.length = 0;
    const tmp = await freshTmp();
    const started = Date.now();
    const r = await drill(tmp, [`DUPLISWIFT_STALL_SECONDS=${STALL}`]);
    expect(r.exitCode, r.stderr).toBe(1);
    // duplicity's own socket timeout (30 s) and its retries would come later.
    expect((Date.now() - started) / 1000).toBeLessThan(60);
    expect(pings.map((p) => p.url)).toEqual(['/ping/x/fail']);
    expect(pings[0]!.body).toMatch(new RegExp(`duplicity made no progress for ${STALL} s and was stopped`));
    expect(await entries(tmp)).toEqual([]);
    expect(await duplicityLeft()).toEqual([]);
    setRules(swift, []);
  }, 150_000);
});
