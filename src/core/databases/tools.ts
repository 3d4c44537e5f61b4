import { stat } from 'node:fs/promises';
import { requireTool } from '../duplicity/detect';
import { UserError } from '../errors';
import { which } from '../exec';
import { TOOL_PATH } from '../duplicity/detect';
import type { DumpTools } from '../schedule/script';
import type { DumpItem } from './plan';
import type { DatabaseSpec } from './types';

/** mariadb-dump where MariaDB ships it, mysqldump otherwise (MySQL, older MariaDB). */
async function firstOf(programs: string[], apt: string): Promise<string> {
  for (const p of programs) {
    const path = await which(p, { PATH: TOOL_PATH });
    if (path) return path;
  }
  throw new UserError(`${programs.join(' or ')} is not installed.`, { fix: `apt-get install ${apt}`, code: `${programs[0]}-missing` });
}

/** The absolute paths of the tools these dumps need (cron's PATH finds none of /usr/sbin); '' for the others. */
export async function dumpTools(items: readonly DumpItem[]): Promise<DumpTools> {
  const kinds = new Set(items.map((i) => i.kind));
  const pg = kinds.has('pg_dumpall') || kinds.has('pg_dump');
  const my = kinds.has('mysqldump');
  const tools: DumpTools = { pgDumpall: '', pgDump: '', psql: '', mysqldump: '', mysql: '', sqlite3: '', runuser: '' };
  if (pg) {
    [tools.pgDumpall, tools.pgDump, tools.psql, tools.runuser] = await Promise.all([
      requireTool('pg_dumpall', 'postgresql-client'), requireTool('pg_dump', 'postgresql-client'), requireTool('psql', 'postgresql-client'), requireTool('runuser', 'util-linux'),
    ]);
  }
  if (my) [tools.mysqldump, tools.mysql] = await Promise.all([firstOf(['mariadb-dump', 'mysqldump'], 'mariadb-client'), firstOf(['mariadb', 'mysql'], 'mariadb-client')]);
  if (kinds.has('sqlite')) tools.sqlite3 = await requireTool('sqlite3', 'sqlite3');
  return tools;
}

/** What is wrong with the databases' own files (a defaults file readable by others, a missing SQLite file), checked at setup. */
export async function databaseFilesProblem(specs: readonly DatabaseSpec[]): Promise<UserError | undefined> {
  for (const spec of specs) {
    if (spec.engine === 'mysql' && spec.defaultsFile) {
      const st = await stat(spec.defaultsFile).catch(() => undefined);
      if (!st?.isFile()) return new UserError(`The MySQL defaults file ${spec.defaultsFile} does not exist.`, { fix: 'Write it with a [client] section (user, password), mode 0600, or leave "defaultsFile" out to connect as root through the socket.', code: 'bad-defaults-file' });
      if ((st.mode & 0o077) !== 0) return new UserError(`The MySQL defaults file ${spec.defaultsFile} is readable by others (mode ${(st.mode & 0o777).toString(8)}); it holds a password.`, { fix: `chmod 600 ${spec.defaultsFile}`, code: 'bad-defaults-file' });
    }
    if (spec.engine === 'sqlite') {
      const st = await stat(spec.path).catch(() => undefined);
      if (!st?.isFile()) return new UserError(`The SQLite database ${spec.path} does not exist.`, { fix: 'Give the path of the database file ("path").', code: 'bad-sqlite-path' });
    }
  }
  return undefined;
}
