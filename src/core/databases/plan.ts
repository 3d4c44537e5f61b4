import { basename } from 'node:path';
import type { DatabaseSpec } from './types';

/**
 * One dump file the job writes before each backup: what the bash part runs (`kind` and its
 * options) and what a restore shows and prints. Derived from the specs alone (pure), so setup, the
 * job, `dupliswift restore` and RESTORE.txt all agree on the file names.
 */
export interface DumpItem {
  kind: 'pg_dumpall' | 'pg_dump' | 'mysqldump' | 'sqlite';
  /** File name inside the dump folder. */
  file: string;
  /** "PostgreSQL, all databases": the restore's item. */
  label: string;
  /** The database name (pg_dump, mysqldump with a name); '' for all. */
  name: string;
  osUser: string;
  /** PostgreSQL socket folder, or the MySQL socket path. */
  socket: string;
  port: string;
  defaultsFile: string;
  /** SQLite: the live database file. */
  path: string;
}

/** A file-name-safe word: what the name says, never a path separator or a leading dot. */
function slug(text: string): string {
  const s = text.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.]+/, '_');
  return s.slice(0, 80) || 'db';
}

function instance(spec: { port?: number; socketDir?: string; socket?: string }): string {
  return spec.port ? `-${spec.port}` : '';
}

/** The dump items for a profile's databases, with unique file names. */
export function dumpPlan(specs: readonly DatabaseSpec[]): DumpItem[] {
  const items: DumpItem[] = [];
  const base = { name: '', osUser: '', socket: '', port: '', defaultsFile: '', path: '' };
  for (const spec of specs) {
    if (spec.engine === 'postgresql') {
      const common = { ...base, osUser: spec.osUser ?? 'postgres', socket: spec.socketDir ?? '', port: spec.port ? String(spec.port) : '' };
      if (!spec.names?.length) items.push({ ...common, kind: 'pg_dumpall', file: `postgresql${instance(spec)}-all.sql`, label: 'PostgreSQL, all databases' });
      for (const name of spec.names ?? []) {
        items.push({ ...common, kind: 'pg_dump', name, file: `postgresql${instance(spec)}-${slug(name)}.pgdump`, label: `PostgreSQL, database ${name}` });
      }
    } else if (spec.engine === 'mysql') {
      const common = { ...base, socket: spec.socket ?? '', port: spec.port ? String(spec.port) : '', defaultsFile: spec.defaultsFile ?? '' };
      if (!spec.names?.length) items.push({ ...common, kind: 'mysqldump', file: `mysql${instance(spec)}-all.sql`, label: 'MariaDB/MySQL, all databases' });
      for (const name of spec.names ?? []) {
        items.push({ ...common, kind: 'mysqldump', name, file: `mysql${instance(spec)}-${slug(name)}.sql`, label: `MariaDB/MySQL, database ${name}` });
      }
    } else {
      items.push({ ...base, kind: 'sqlite', path: spec.path, file: `sqlite-${slug(basename(spec.path).replace(/\.(db|sqlite3?)$/i, ""))}.db`, label: `SQLite, ${spec.path}` });
    }
  }
  // Two specs that would write the same file (two SQLite files both called app.db) get -2, -3...
  const seen = new Map<string, number>();
  for (const item of items) {
    const n = (seen.get(item.file) ?? 0) + 1;
    seen.set(item.file, n);
    if (n > 1) item.file = item.file.replace(/(\.[a-z]+)$/, `-${n}$1`);
  }
  return items;
}

const q = (s: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The exact command that loads a restored dump file, for a person to run. It is printed, never run
 * by dupliswift: loading into a running database is the admin's decision.
 */
export function loadCommand(item: DumpItem, file: string): string {
  const pgConn = [item.socket && `-h ${q(item.socket)}`, item.port && `-p ${item.port}`].filter(Boolean).join(' ');
  const asUser = (cmd: string) => (item.osUser && item.osUser !== 'root' ? `runuser -u ${q(item.osUser)} -- ${cmd}` : cmd);
  const pg = pgConn ? ` ${pgConn}` : '';
  const my = [item.defaultsFile && `--defaults-file=${q(item.defaultsFile)}`, item.socket && `--socket=${q(item.socket)}`, item.port && `--port=${item.port}`].filter(Boolean).join(' ');
  switch (item.kind) {
    // The file goes in on stdin: the OS user the server runs as need not be able to read it.
    case 'pg_dumpall':
      // Not ON_ERROR_STOP: a fresh cluster already has the role postgres, and that one error is expected.
      return `${asUser(`psql${pg} -X -d postgres`)} < ${q(file)}`;
    case 'pg_dump':
      return `${asUser(`createdb${pg} ${q(item.name)}`)} && ${asUser(`pg_restore${pg} --exit-on-error -d ${q(item.name)}`)} < ${q(file)}`;
    case 'mysqldump':
      // The dump names its databases (--databases / --all-databases): it creates them itself.
      return `mariadb${my ? ` ${my}` : ''} < ${q(file)}`;
    case 'sqlite':
      return `sqlite3 ${q(item.path)} ${q(`.restore '${file.replace(/'/g, "''")}'`)}   # with the application stopped`;
  }

}
