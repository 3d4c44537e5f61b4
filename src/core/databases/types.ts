/**
 * A database the job dumps before each backup (answers and profile.json: `"databases": [...]`).
 * Connection options (socket folder, port) are there so a test, or a second instance, can be named;
 * by default each engine is reached the way a server's admin reaches it: PostgreSQL as the `postgres`
 * OS user through peer authentication, MariaDB/MySQL as root through the unix socket.
 */
export type DatabaseSpec = PostgresSpec | MysqlSpec | SqliteSpec;

export interface PostgresSpec {
  engine: 'postgresql';
  /** Databases to dump with pg_dump, one file each; absent: everything with pg_dumpall (roles too). */
  names?: string[];
  /** The OS user the dump runs as (peer authentication maps it to the role of that name). Default postgres. */
  osUser?: string;
  /** The server's socket folder (libpq's host); default libpq's own (/var/run/postgresql on Debian). */
  socketDir?: string;
  port?: number;
}

export interface MysqlSpec {
  engine: 'mysql';
  /** Databases to dump, one file each; absent: --all-databases. */
  names?: string[];
  /** A 0600 client config ([client] user, password, socket): the only place a password may be. */
  defaultsFile?: string;
  /** The server's unix socket; default the client's own (its my.cnf). */
  socket?: string;
  port?: number;
}

export interface SqliteSpec {
  engine: 'sqlite';
  path: string;
}

export const ENGINES = ['postgresql', 'mysql', 'sqlite'] as const;
