/**
 * Throwaway database servers for the dump tests: PostgreSQL 15 and MariaDB from Debian's packages,
 * each its own instance (own data folder, socket and port) run by a dedicated OS user made for the
 * test; never the machine's own servers. A missing server binary fails the test loudly.
 */
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_BIN = '/usr/lib/postgresql/15/bin';

function need(path: string, apt: string) {
  if (!existsSync(path)) throw new Error(`${path} is missing; the test needs the real server: apt-get install ${apt} (scripts/install-system-deps.sh --test)`);
}

export interface DbUser { name: string; uid: number; gid: number; remove(): Promise<void> }

/** A system user of our own (dsw-db-PID-N) to run the servers as, removed after. */
export async function makeDbUser(): Promise<DbUser> {
  const name = `dswdb${process.pid}${Math.floor(Math.random() * 1000)}`.slice(0, 30);
  await execa('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  const uid = Number((await execa('id', ['-u', name])).stdout);
  const gid = Number((await execa('id', ['-g', name])).stdout);
  return { name, uid, gid, remove: async () => { await execa('userdel', [name], { reject: false }); } };
}

async function ownedDir(prefix: string, user: DbUser): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chown(dir, user.uid, user.gid);
  return dir;
}

const freePort = () => 20000 + Math.floor(Math.random() * 20000);

export interface Postgres {
  socketDir: string;
  port: number;
  /** psql as the instance's superuser (the OS user, peer authentication); tuples only, unaligned. */
  sql(query: string, db?: string): Promise<string>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export async function startPostgres(user: DbUser): Promise<Postgres> {
  need(`${PG_BIN}/initdb`, 'postgresql-15');
  const root = await ownedDir('dsw-pg-', user);
  const data = join(root, 'data');
  const as = (cmd: string, args: string[], input?: string) => execa('runuser', ['-u', user.name, '--', cmd, ...args], { cwd: '/', input, reject: false });
  const init = await as(`${PG_BIN}/initdb`, ['-D', data, '-U', user.name, '--auth-local=peer', '--auth-host=reject', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  let port = 0;
  let started = false;
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = freePort();
    const r = await as(`${PG_BIN}/pg_ctl`, ['-D', data, '-w', '-l', join(root, 'log'), '-o', `-k ${root} -p ${port} -c listen_addresses=''`, 'start']);
    started = r.exitCode === 0;
  }
  if (!started) throw new Error(`the test's PostgreSQL did not start: see ${root}/log`);
  const pg: Postgres = {
    socketDir: root, port,
    async sql(query, db = 'postgres') {
      const r = await as(`${PG_BIN}/psql`, ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', root, '-p', String(port), '-d', db], query);
      if (r.exitCode !== 0) throw new Error(`psql: ${r.stderr}`);
      return r.stdout.trim();
    },
    async stop() { await as(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'fast', '-w', 'stop']); },
    async remove() { await pg.stop(); await rm(root, { recursive: true, force: true }); },
  };
  return pg;
}

export interface Mariadb {
  socket: string;
  /** The client as root through the socket (unix_socket authentication); batch output, no column names. */
  sql(query: string): Promise<string>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export async function startMariadb(user: DbUser): Promise<Mariadb> {
  need('/usr/sbin/mariadbd', 'mariadb-server');
  need('/usr/bin/mariadb-install-db', 'mariadb-server');
  const root = await ownedDir('dsw-my-', user);
  const data = join(root, 'data');
  const socket = join(root, 'mysqld.sock');
  const install = await execa('/usr/bin/mariadb-install-db', ['--no-defaults', `--datadir=${data}`, `--user=${user.name}`, '--auth-root-authentication-method=socket', '--skip-test-db'], { reject: false });
  if (install.exitCode !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  let child: ChildProcess | undefined;
  const start = () => {
    child = spawn('/usr/sbin/mariadbd', ['--no-defaults', `--datadir=${data}`, `--socket=${socket}`, '--skip-networking', `--user=${user.name}`,
      `--pid-file=${join(root, 'pid')}`, `--log-error=${join(root, 'error.log')}`, '--innodb-buffer-pool-size=16M', '--skip-log-bin'], { stdio: 'ignore' });
  };
  const client = (query: string) => execa('/usr/bin/mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-B', '-e', query], { reject: false });
  const waitUp = async () => {
    for (let i = 0; i < 150; i++) {
      if ((await client('SELECT 1')).exitCode === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the test's MariaDB did not start: see ${root}/error.log`);
  };
  start();
  await waitUp();
  const db: Mariadb = {
    socket,
    async sql(query) {
      const r = await client(query);
      if (r.exitCode !== 0) throw new Error(`mariadb: ${r.stderr}`);
      return r.stdout.trim();
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
    async remove() { await db.stop(); await rm(root, { recursive: true, force: true }); },
  };
  return db;
}
