/**
 * A dump that would not fit is refused before it starts, with the numbers and the fix: the dump
 * folder here is a real 1 MiB tmpfs the test mounts (and unmounts), the database a 3 MB SQLite file.
 */
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeBackupJob } from '../../src/core/schedule/job';
import { fakeMail, makeSource, makeTestKeys, pingServer, stackUp, type TestKeys } from '../helpers/backup-job';
import { cronRun, stackJobInput } from '../helpers/job-run';

let root: string;
let source: string;
let keys: TestKeys;
let small: string;
let ping: Awaited<ReturnType<typeof pingServer>>;
let mail: Awaited<ReturnType<typeof fakeMail>>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dsw-room-'));
  small = join(root, 'small');
  await execa('mkdir', [small]);
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', small]);
  [keys, source, ping, mail] = await Promise.all([makeTestKeys(), makeSource(), pingServer(), fakeMail()]);
});

afterAll(async () => {
  await execa('umount', [small], { reject: false });
  await Promise.all([keys?.cleanup(), ping?.close(), rm(root, { recursive: true, force: true }), rm(source, { recursive: true, force: true }), rm(mail.dir, { recursive: true, force: true })]);
});

it('refuses a dump larger than the free room, names the numbers and the fix, alerts, and writes nothing there', async () => {
  const db = join(root, 'big.db');
  await execa('sqlite3', [db, "create table t (b blob); with recursive s(g) as (select 1 union all select g+1 from s where g < 3000) insert into t select randomblob(1000) from s;"]);
  const stack = await stackUp();
  const base = await stackJobInput({ stack, keys, source, root, container: `dsw-room-${process.pid}`, pingUrl: ping.url, mail: mail.path });
  const { script } = await writeBackupJob({ ...base, profile: { ...base.profile, sources: [source], databases: [{ engine: 'sqlite', path: db }], dumpDir: small } });
  const run = await cronRun(script);
  expect(run.exitCode).toBe(76);
  expect(run.stderr).toMatch(/not enough room in .*small: \d+ bytes free, the dump needs about \d{7} .*free some space or move the dump folder/);
  expect(ping.hits).toEqual(['/ping/abc/start', '/ping/abc/fail']);
  expect(await readFile(mail.log, 'utf8')).toMatch(/\(exit 76\)/);
  expect(await readdir(small)).toEqual([]);
});
