/**
 * MariaDB through a 0600 client config (user and password), never on a command line: the real job
 * against a MariaDB instance of the test's own and the loopback Swift, with every process's argv
 * watched while it runs. A defaults file others can read is refused at setup.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeBackupJob } from '../../src/core/schedule/job';
import { secretsInArgv, traceExecs } from '../helpers/exec-trace';
import { fakeMail, makeSource, makeTestKeys, pingServer, stackUp, swiftDelete, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { makeDbUser, startMariadb, type DbUser, type Mariadb } from '../helpers/databases';
import { cronRun, stackJobInput } from '../helpers/job-run';

let stack: StackEnv;
let keys: TestKeys;
let user: DbUser;
let my: Mariadb;
let root: string;
let source: string;
let ping: Awaited<ReturnType<typeof pingServer>>;
let mail: Awaited<ReturnType<typeof fakeMail>>;
const container = `dsw-mydef-${process.pid}-${Date.now()}`;
const password = `pw-${process.pid}-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  [stack, keys, source, ping, mail, user] = await Promise.all([stackUp(), makeTestKeys(), makeSource(), pingServer(), fakeMail(), makeDbUser()]);
  my = await startMariadb(user);
  root = await mkdtemp(join(tmpdir(), 'dsw-mydef-'));
  await my.sql(`CREATE DATABASE blog; CREATE TABLE blog.posts (id INT PRIMARY KEY, title TEXT); INSERT INTO blog.posts VALUES (1, 'hello'), (2, 'world');
    CREATE USER 'dumper'@'localhost' IDENTIFIED BY '${password}'; GRANT SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT ON *.* TO 'dumper'@'localhost'; GRANT SELECT ON mysql.proc TO 'dumper'@'localhost'`);
}, 120_000);

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await my?.remove().catch(() => undefined);
  await user?.remove();
  await Promise.all([keys?.cleanup(), ping?.close(), rm(root, { recursive: true, force: true }), rm(source, { recursive: true, force: true }), rm(mail.dir, { recursive: true, force: true })]);
});

it('dumps one database as a password user from a 0600 defaults file, and the password is never in any argv', async () => {
  const defaults = join(root, 'client.cnf');
  await writeFile(defaults, `[client]\nuser=dumper\npassword=${password}\nsocket=${my.socket}\n`, { mode: 0o644 });
  const base = await stackJobInput({ stack, keys, source, root, container, pingUrl: ping.url, mail: mail.path });
  const input = { ...base, profile: { ...base.profile, sources: [source], databases: [{ engine: 'mysql' as const, names: ['blog'], defaultsFile: defaults }], dumpDir: join(root, 'dumps') } };
  await expect(writeBackupJob(input)).rejects.toThrow(/readable by others \(mode 644\); it holds a password/);
  await chmod(defaults, 0o600);
  const { script } = await writeBackupJob(input);
  expect(await readFile(script, 'utf8')).not.toContain(password);

  const trace = await traceExecs();
  const run = await cronRun(script);
  expect(secretsInArgv(await trace.stop(), [password])).toEqual([]);
  expect(run.exitCode, run.stderr).toBe(0);
  const dump = await readFile(join(root, 'dumps', 'mysql-blog.sql'), 'utf8');
  expect(dump).toMatch(/CREATE DATABASE .*`blog`/);
  expect(dump).toMatch(/INSERT INTO `posts` VALUES\s*\(1,'hello'\),\s*\(2,'world'\)/);
  expect(await readFile(join(base.dir, 'backup.log'), 'utf8')).not.toContain(password);
}, 300_000);
