import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDatabases, parseDatabases } from '../../src/core/databases/answers';
import { findDatabaseServers } from '../../src/core/databases/detect';
import { dumpPlan, loadCommand } from '../../src/core/databases/plan';
import { restoreItems } from '../../src/core/databases/restore-items';
import { estimateSize, folderCandidates } from '../../src/core/sources/candidates';
import { backupSetProblems } from '../../src/core/sources/answers-check';
import { normaliseRoots, selectionFilelist } from '../../src/core/sources/selection';
import { validateSetupAnswers } from '../../src/prompt/answers/schema';

const good = {
  profile: 'web', sources: ['/etc', '/srv/www'], exclude: ['/srv/www/cache'],
  keys: { encrypt: 'A'.repeat(40), sign: 'B'.repeat(40) }, container: 'backups',
  databases: [{ engine: 'postgresql' }, { engine: 'postgresql', names: ['shop'], osUser: 'pg', socketDir: '/run/pg', port: 5433 }, { engine: 'mysql', defaultsFile: '/root/.my.cnf' }, { engine: 'sqlite', path: '/var/lib/app/app.db' }],
  dumpDir: '/var/backups/dupliswift/web', hooks: { before: ['systemctl stop app'], after: ['systemctl start app'] },
};

describe('what a profile backs up: answers', () => {
  it('the schema takes sources, every database engine, dumpDir and hooks; and refuses an engine\'s wrong key', () => {
    expect(() => validateSetupAnswers(good, 'a.json')).not.toThrow();
    expect(() => validateSetupAnswers({ ...good, databases: [{ engine: 'sqlite' }] }, 'a.json')).toThrow(/path/);
    expect(() => validateSetupAnswers({ ...good, databases: [{ engine: 'mysql', osUser: 'x' }] }, 'a.json')).toThrow(/osUser/);
    expect(() => validateSetupAnswers({ ...good, sources: ['etc'] }, 'a.json')).toThrow(/sources/);
  });

  it('the semantic checks name each problem and its fix', () => {
    expect(backupSetProblems(good)).toEqual([]);
    expect(backupSetProblems({ source: '/a', sources: ['/b'] })).toEqual([expect.stringMatching(/both given; keep "sources"/)]);
    expect(backupSetProblems({ databases: [{ engine: 'oracle' }] })).toEqual([expect.stringMatching(/engine must be one of "postgresql", "mysql", "sqlite"/)]);
    expect(backupSetProblems({ databases: [{ engine: 'mysql', names: [] }] })).toEqual([expect.stringMatching(/names must be a non-empty list/)]);
    expect(backupSetProblems({ hooks: { before: ['a\nb'] } })).toEqual([expect.stringMatching(/one-line commands/)]);
  });

  it('a person types databases in a short form; JSON keeps what it cannot say', () => {
    expect(parseDatabases('postgresql, mysql:shop, mariadb:blog, sqlite:/var/lib/a.db')).toEqual({
      specs: [{ engine: 'postgresql' }, { engine: 'mysql', names: ['shop', 'blog'] }, { engine: 'sqlite', path: '/var/lib/a.db' }],
    });
    expect(parseDatabases('none')).toEqual({ specs: [] });
    expect(parseDatabases('oracle')).toEqual({ problem: expect.stringMatching(/not a database kind/) });
    expect(parseDatabases('sqlite:app.db')).toEqual({ problem: expect.stringMatching(/absolute path/) });
    expect(formatDatabases([{ engine: 'postgresql', names: ['a'] }, { engine: 'mysql' }])).toBe('postgresql:a, mysql');
    const withSocket = [{ engine: 'postgresql' as const, socketDir: '/run/x', port: 5433 }];
    expect(parseDatabases(formatDatabases(withSocket))).toEqual({ specs: withSocket });
  });
});

describe('what a profile backs up: the job\'s selection and dumps', () => {
  it('roots are normalised; the filelist puts excludes first, literal names stay literal, and ends with - **', () => {
    expect(normaliseRoots(['/srv/www/', '/etc', '/srv', '/etc'])).toEqual(['/etc', '/srv']);
    expect(selectionFilelist({ layout: 'roots', roots: ['/etc', '/srv/we[ird]*'], exclude: ['/etc/ssl/private'], alwaysExclude: ['/etc/dupliswift/web/cache'] }))
      .toBe('- /etc/dupliswift/web/cache\n- /etc/ssl/private\n+ /etc\n+ /srv/we[[]ird][*]\n- **\n');
  });

  it('each database becomes dump files with distinct names, labels, and a load command that reads the file on stdin', () => {
    const items = dumpPlan(good.databases as never);
    expect(items.map((i) => [i.kind, i.file, i.label])).toEqual([
      ['pg_dumpall', 'postgresql-all.sql', 'PostgreSQL, all databases'],
      ['pg_dump', 'postgresql-5433-shop.pgdump', 'PostgreSQL, database shop'],
      ['mysqldump', 'mysql-all.sql', 'MariaDB/MySQL, all databases'],
      ['sqlite', 'sqlite-app.db', 'SQLite, /var/lib/app/app.db'],
    ]);
    expect(dumpPlan([{ engine: 'sqlite', path: '/a/app.db' }, { engine: 'sqlite', path: '/b/app.db' }]).map((i) => i.file)).toEqual(['sqlite-app.db', 'sqlite-app-2.db']);
    expect(loadCommand(items[0]!, '/tmp/r/postgresql-all.sql')).toBe('runuser -u postgres -- psql -X -d postgres < /tmp/r/postgresql-all.sql');
    expect(loadCommand(items[1]!, '/tmp/r/x.pgdump')).toBe('runuser -u pg -- createdb -h /run/pg -p 5433 shop && runuser -u pg -- pg_restore -h /run/pg -p 5433 --exit-on-error -d shop < /tmp/r/x.pgdump');
    expect(loadCommand(items[2]!, '/tmp/r/mysql-all.sql')).toBe('mariadb --defaults-file=/root/.my.cnf < /tmp/r/mysql-all.sql');
    expect(restoreItems({ source: '/', sources: ['/etc'], databases: [{ engine: 'postgresql' }], dumpDir: '/var/backups/d' }))
      .toEqual([{ path: 'var/backups/d/postgresql-all.sql', label: 'PostgreSQL, all databases', dump: expect.objectContaining({ kind: 'pg_dumpall' }) }, { path: 'etc', label: 'Folder /etc' }]);
    expect(restoreItems({ source: '/srv/data' })).toEqual([]);
  });
});

describe('what a profile backs up: what the wizard finds here', () => {
  it('proposes the usual folders that exist, each with a size; a walk cut short says "at least"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsw-cand-'));
    try {
      await mkdir(join(dir, 'etc', 'deep'), { recursive: true });
      await writeFile(join(dir, 'etc', 'a'), 'x'.repeat(1000));
      await writeFile(join(dir, 'etc', 'deep', 'b'), 'y'.repeat(500));
      const found = await folderCandidates({ folders: [join(dir, 'etc'), join(dir, 'missing')] });
      expect(found).toEqual([{ path: join(dir, 'etc'), size: { bytes: 1500, partial: false }, preselected: false }]);
      expect(await estimateSize(join(dir, 'etc'), { deadline: Date.now() - 1 })).toEqual({ bytes: 0, partial: true });
      // /usr is big: a 200 ms budget ends the walk early, and says so.
      const started = Date.now();
      const usr = await estimateSize('/usr', { deadline: Date.now() + 200 });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(usr.partial).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds a PostgreSQL by its socket and a MariaDB by its socket file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsw-sock-'));
    try {
      // Real unix sockets, as the servers make them.
      const pgSock = join(dir, '.s.PGSQL.5544');
      const mySock = join(dir, 'mysqld.sock');
      const servers = [pgSock, mySock].map((p) => execa('python3', ['-c', `import socket,time;s=socket.socket(socket.AF_UNIX);s.bind(${JSON.stringify(p)});s.listen();time.sleep(30)`]));
      for (let i = 0; i < 50 && !(await readFile(pgSock).catch((e: NodeJS.ErrnoException) => e.code !== 'ENOENT')); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300));
      const found = await findDatabaseServers({ postgresql: [dir], mysql: ['/nonexistent/mysqld.sock', '/nonexistent2', mySock] });
      expect(found.map((f) => f.spec)).toEqual([{ engine: 'postgresql', socketDir: dir, port: 5544 }, { engine: 'mysql', socket: mySock }]);
      for (const s of servers) s.kill();
      await Promise.allSettled(servers);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
