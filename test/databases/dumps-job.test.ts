/**
 * Several folders and database dumps in one backup, with the real parts: a PostgreSQL 15 and a
 * MariaDB instance of the test's own, an SQLite file, the loopback Keystone+Swift, and the generated
 * job run as cron runs it. Each dump restored from Swift is loaded, with the very command dupliswift
 * prints, into a fresh server, and every row compared.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpPlan, loadCommand, type DumpItem } from '../../src/core/databases/plan';
import type { DatabaseSpec } from '../../src/core/databases/types';
import { writeBackupJob, type JobInput } from '../../src/core/schedule/job';
import { fakeMail, makeSource, makeTestKeys, pingServer, stackUp, swiftDelete, treeBytes, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { makeDbUser, startMariadb, startPostgres, type DbUser, type Mariadb, type Postgres } from '../helpers/databases';
import { cronRun, stackJobInput } from '../helpers/job-run';

let stack: StackEnv;
let keys: TestKeys;
let user: DbUser;
let pg: Postgres;
let my: Mariadb;
let sources: string[];
let root: string;
let sqlitePath: string;
let ping: Awaited<ReturnType<typeof pingServer>>;
let mail: Awaited<ReturnType<typeof fakeMail>>;
let input: JobInput;
let script: string;
let databases: DatabaseSpec[];
const container = `dsw-dumps-${process.pid}-${Date.now()}`;
const cleanups: Array<() => Promise<unknown>> = [];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const PG_ROWS = "select md5(string_agg(id || ':' || name || ':' || qty, ',' order by id)) from items";
const MY_ROWS = "SET SESSION group_concat_max_len = 100000000; SELECT SHA2(GROUP_CONCAT(CONCAT_WS(':', id, name, qty) ORDER BY id SEPARATOR ','), 256) FROM shop.items";
const sqliteRows = async (file: string) => sha((await execa('sqlite3', [file, "select id || ':' || name || ':' || qty from items order by id"])).stdout);

async function seed() {
  await pg.sql('create database shop');
  await pg.sql("create table items (id int primary key, name text, qty int); insert into items select g, 'item ' || g || ' é''\"', g * 7 from generate_series(1, 5000) g", 'shop');
  await pg.sql("create table notes (id serial primary key, body text); insert into notes (body) values ('kept in the all-databases dump')", 'postgres');
  await my.sql("CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(100), qty INT) ENGINE=InnoDB; INSERT INTO shop.items SELECT seq, CONCAT('item ', seq, ' é''\"'), seq * 3 FROM shop.seq_1_to_5000");
  await my.sql('CREATE PROCEDURE shop.total() SELECT SUM(qty) FROM shop.items');
  await execa('sqlite3', [sqlitePath, "create table items (id integer primary key, name text, qty int); with recursive s(g) as (select 1 union all select g+1 from s where g < 5000) insert into items select g, 'item ' || g, g * 5 from s;"]);
}

beforeAll(async () => {
  [stack, keys, ping, mail, user] = await Promise.all([stackUp(), makeTestKeys(), pingServer(), fakeMail(), makeDbUser()]);
  cleanups.push(() => user.remove());
  pg = await startPostgres(user);
  cleanups.unshift(() => pg.remove());
  my = await startMariadb(user);
  cleanups.unshift(() => my.remove());
  sources = [await makeSource(), await makeSource()];
  root = await mkdtemp(join(tmpdir(), 'dsw-dumps-cfg-'));
  sqlitePath = join(root, 'app data.db');
  await seed();
  databases = [
    { engine: 'postgresql', osUser: user.name, socketDir: pg.socketDir, port: pg.port },
    { engine: 'postgresql', names: ['shop'], osUser: user.name, socketDir: pg.socketDir, port: pg.port },
    { engine: 'mysql', socket: my.socket },
    { engine: 'sqlite', path: sqlitePath },
  ];
  const base = await stackJobInput({ stack, keys, source: sources[0]!, root, container, pingUrl: ping.url, mail: mail.path });
  input = {
    ...base,
    profile: {
      ...base.profile, source: '/', sources, databases, dumpDir: join(root, 'dumps'),
      hooks: { before: [`echo "before $DUPLISWIFT_PROFILE" >> '${root}/hooks.log'`], after: [`echo "after $DUPLISWIFT_RESULT $DUPLISWIFT_EXIT_CODE \${PASSPHRASE:-no-secret}" >> '${root}/hooks.log'`] },
    },
  };
  script = (await writeBackupJob(input)).script;
}, 180_000);

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  for (const c of cleanups) await c().catch(() => undefined);
  await Promise.all([keys?.cleanup(), ping?.close(), ...sources.map((s) => rm(s, { recursive: true, force: true })), rm(root, { recursive: true, force: true }), rm(mail.dir, { recursive: true, force: true })]);
});

/** Restores a path (relative to /, as in a profile of several folders) from the newest backup. */
async function restoreFromSwift(absolute: string, dest: string) {
  const r = await cronRun(script, ['restore', absolute.slice(1), dest]);
  expect(r.exitCode, r.stderr).toBe(0);
}

describe('a backup of several folders and the databases that run here', () => {
  let items: DumpItem[];
  const before: Record<string, string> = {};

  it('dumps every database into the 0700 dump folder, backs it all up in one chain, runs the hooks', async () => {
    before.pg = await pg.sql(PG_ROWS, 'shop');
    before.my = await my.sql(MY_ROWS);
    before.sqlite = await sqliteRows(sqlitePath);
    const run = await cronRun(script);
    expect(run.exitCode, `${run.stderr}\n${await readFile(join(input.dir, 'backup.log'), 'utf8').catch(() => '')}`).toBe(0);
    const dumpDir = input.profile.dumpDir!;
    expect((await stat(dumpDir)).mode & 0o777).toBe(0o700);
    items = dumpPlan(databases);
    expect((await readdir(dumpDir)).sort()).toEqual(items.map((i) => i.file).sort());
    const hooks = await readFile(join(root, 'hooks.log'), 'utf8');
    expect(hooks).toBe('before nightly\nafter success 0 no-secret\n');
    expect(ping.hits).toEqual(['/ping/abc/start', '/ping/abc']);
    const log = await readFile(join(input.dir, 'backup.log'), 'utf8');
    expect(log).toMatch(/dump of PostgreSQL, all databases finished \(\d+ bytes\)/);
  });

  it('restores both folders byte for byte from Swift', async () => {
    for (const [n, src] of sources.entries()) {
      const dest = join(root, `restored-folder-${n}`);
      await restoreFromSwift(src, dest);
      const expected = await treeBytes(src, n === 0 ? ['tmp'] : []);
      const got = await treeBytes(dest);
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [rel, bytes] of expected) expect(got.get(rel)?.equals(bytes), rel).toBe(true);
    }
  });

  it('after the data changes, each dump restored from Swift loads into a fresh server with every row as it was', async () => {
    await pg.sql("delete from items where id % 2 = 0; update items set qty = 0", 'shop');
    await my.sql('DELETE FROM shop.items WHERE id > 10');
    await execa('sqlite3', [sqlitePath, 'delete from items where id > 3']);
    expect(await pg.sql(PG_ROWS, 'shop')).not.toBe(before.pg);

    const restored = join(root, 'restored-dumps');
    await restoreFromSwift(input.profile.dumpDir!, restored);
    const fresh = await startPostgres(user);
    cleanups.unshift(() => fresh.remove());
    const freshMy = await startMariadb(user);
    cleanups.unshift(() => freshMy.remove());
    const load = async (item: DumpItem, over: Partial<DumpItem>) => {
      const cmd = loadCommand({ ...item, ...over }, join(restored, item.file));
      const r = await execa('bash', ['-c', cmd], { reject: false, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
      expect(r.exitCode, `${cmd}\n${r.stderr}`).toBe(0);
    };
    const [all, shop, mysql, sqlite] = items;
    // pg_dumpall into one fresh cluster, pg_dump of one database into another.
    await load(all!, { socket: fresh.socketDir, port: String(fresh.port) });
    expect(await fresh.sql(PG_ROWS, 'shop')).toBe(before.pg);
    expect(await fresh.sql('select body from notes')).toBe('kept in the all-databases dump');
    await fresh.sql('drop database shop');
    await load(shop!, { socket: fresh.socketDir, port: String(fresh.port) });
    expect(await fresh.sql(PG_ROWS, 'shop')).toBe(before.pg);

    await load(mysql!, { socket: freshMy.socket });
    expect(await freshMy.sql(MY_ROWS)).toBe(before.my);
    expect(await freshMy.sql('SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = "shop"')).toBe('1');

    const target = join(root, 'fresh.db');
    await load(sqlite!, { path: target });
    expect(await sqliteRows(target)).toBe(before.sqlite);
  }, 180_000);

  it('a dump that fails (wrong database name) fails the run with exit 76 and the alert; no backup is made', async () => {
    ping.hits.length = 0;
    await writeFile(join(root, 'hooks.log'), '');
    const wrong = { ...input, profile: { ...input.profile, databases: [{ engine: 'postgresql' as const, names: ['no_such_db'], osUser: user.name, socketDir: pg.socketDir, port: pg.port }] } };
    await writeBackupJob(wrong);
    const run = await cronRun(script);
    expect(run.exitCode).toBe(76);
    expect(run.stderr).toMatch(/dump of PostgreSQL, database no_such_db failed: .*no_such_db.*does not exist/);
    expect(ping.hits).toEqual(['/ping/abc/start', '/ping/abc/fail']);
    expect(await readFile(mail.log, 'utf8')).toMatch(/failed on .* \(exit 76\)/);
    expect(await readFile(join(root, 'hooks.log'), 'utf8')).toBe('before nightly\nafter failure 76 no-secret\n');
    expect((await readdir(input.profile.dumpDir!)).filter((f) => f.endsWith('.partial'))).toEqual([]);
    const log = await readFile(join(input.dir, 'backup.log'), 'utf8');
    expect(log.slice(log.lastIndexOf('backup of '))).not.toMatch(/backup started/);
  });

  it('a stopped server fails the run (76) and leaves the last good dump in place, never half-written', async () => {
    await writeBackupJob(input);
    const file = join(input.profile.dumpDir!, items[2]!.file);
    const good = await readFile(file);
    await my.stop();
    const run = await cronRun(script);
    expect(run.exitCode).toBe(76);
    expect(run.stderr).toMatch(/dump of MariaDB\/MySQL, all databases failed/);
    expect((await readFile(file)).equals(good)).toBe(true);
    expect((await readdir(input.profile.dumpDir!)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a before hook that fails stops the run (77) with the alert, before any dump', async () => {
    ping.hits.length = 0;
    await writeBackupJob({ ...input, profile: { ...input.profile, databases: [], dumpDir: undefined, hooks: { before: ['exit 3'] } } });
    const run = await cronRun(script);
    expect(run.exitCode).toBe(77);
    expect(run.stderr).toMatch(/before hook 1 failed \(exit 3\)/);
    expect(ping.hits).toEqual(['/ping/abc/start', '/ping/abc/fail']);
  });
});
