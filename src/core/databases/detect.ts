import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { DatabaseSpec } from './types';

export interface FoundServer {
  spec: DatabaseSpec;
  /** "PostgreSQL (socket /var/run/postgresql/.s.PGSQL.5432)". */
  description: string;
}

/** Where Debian's servers put their sockets; a test passes its own. */
export const SOCKET_PLACES = { postgresql: ['/var/run/postgresql', '/run/postgresql', '/tmp'], mysql: ['/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock', '/var/lib/mysql/mysql.sock'] };

/**
 * The database servers that run here, found by their sockets (a server that runs listens on one; a
 * stale socket file of a stopped server shows up too, and its dump would fail at the first run).
 */
export async function findDatabaseServers(places = SOCKET_PLACES): Promise<FoundServer[]> {
  const found: FoundServer[] = [];
  const seenPg = new Set<string>();
  for (const dir of places.postgresql) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names.sort()) {
      const m = /^\.s\.PGSQL\.(\d+)$/.exec(n);
      if (!m || seenPg.has(m[1]!)) continue;
      seenPg.add(m[1]!);
      const port = Number(m[1]);
      const isDefault = port === 5432 && /^\/(var\/)?run\/postgresql$/.test(dir);
      found.push({
        spec: isDefault ? { engine: 'postgresql' } : { engine: 'postgresql', socketDir: dir, port },
        description: `PostgreSQL (socket ${dir}/${n}), all databases with pg_dumpall as the postgres user`,
      });
    }
  }
  const mysql = places.mysql.find((s) => existsSync(s));
  if (mysql) {
    const isDefault = mysql === places.mysql[0] || mysql === places.mysql[1];
    found.push({ spec: isDefault ? { engine: 'mysql' } : { engine: 'mysql', socket: mysql }, description: `MariaDB/MySQL (socket ${mysql}), all databases as root through the socket` });
  }
  return found;
}
