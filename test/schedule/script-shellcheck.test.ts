import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateScript, type ScriptInput } from '../../src/core/schedule/script';
import type { FlagFamily } from '../../src/core/duplicity/version';
import { dumpPlan } from '../../src/core/databases/plan';

/** The backup job is a real bash file filled with values; shellcheck (Debian's package) reads every variant. */
function input(family: FlagFamily, secrets: ScriptInput['secrets'], extra: Partial<ScriptInput> = {}): ScriptInput {
  return {
    profile: 'web 1', profileDir: '/etc/dupliswift/web 1', source: "/srv/it's here", target: 'swift://backups',
    gnupgHome: '/root/.gnupg', home: '/root', swiftEnv: { SWIFT_AUTHURL: 'http://127.0.0.1:5000/v3', SWIFT_AUTHVERSION: '3', SWIFT_USERNAME: 'backup' },
    tools: { duplicity: '/usr/bin/duplicity', duplicityVersion: '0.8.22', family, gpg: '/usr/bin/gpg', flock: '/usr/bin/flock', curl: '/usr/bin/curl', mail: '/usr/bin/mail' },
    keys: { encrypt: 'A'.repeat(40), sign: 'B'.repeat(40) }, fullEvery: '30D', keepFull: 2, archiveDir: '/etc/dupliswift/web 1/cache',
    excludeFile: '/etc/dupliswift/web 1/exclude.txt', logFile: '/etc/dupliswift/web 1/backup.log', lockFile: '/etc/dupliswift/web 1/backup.lock',
    secrets, alert: { mail: 'root@example.org', pingUrl: 'https://hc.example/ping/abc/' }, ...extra,
  };
}

async function shellcheck(text: string) {
  const r = await execa('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: text, reject: false });
  if (r.exitCode === 127 || /ENOENT/.test(String(r.stderr))) throw new Error('shellcheck is missing: apt-get install shellcheck');
  return r;
}

describe('the generated backup script', () => {
  for (const family of ['0.8', '2.x', '3.x'] as const) {
    for (const secrets of [{ kind: 'file', dir: '/etc/dupliswift/secrets' }, { kind: 'keyring', secretTool: '/usr/bin/secret-tool' }] as const) {
      it(`passes shellcheck (duplicity ${family}, secrets in a ${secrets.kind})`, async () => {
        const r = await shellcheck(generateScript(input(family, secrets)));
        expect(r.stdout + r.stderr).toBe('');
        expect(r.exitCode).toBe(0);
      });
    }
  }

  for (const secrets of [{ kind: 'file', dir: '/etc/dupliswift/secrets' }, { kind: 'keyring', secretTool: '/usr/bin/secret-tool' }] as const) {
    it(`passes shellcheck with an application credential (secrets in a ${secrets.kind})`, async () => {
      const text = generateScript(input('0.8', secrets, {
        swiftEnv: { REQUESTS_CA_BUNDLE: '/etc/ssl/private-ca.pem' },
        appCredential: { authUrl: 'https://keystone.example:5000/v3', id: 'f'.repeat(32), region: 'RegionOne', interface: 'public' },
      }));
      expect(text).toMatch(/^AUTH_TYPE=v3applicationcredential$/m);
      const r = await shellcheck(text);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
    });
  }

  it('passes shellcheck with several folders, every kind of database dump and hooks', async () => {
    const items = dumpPlan([
      { engine: 'postgresql' }, { engine: 'postgresql', names: ['app', "it's"], osUser: 'pg', socketDir: '/run/pg x', port: 5433 },
      { engine: 'mysql', defaultsFile: '/root/my client.cnf' }, { engine: 'mysql', names: ['shop'], socket: '/run/mysqld/mysqld.sock' },
      { engine: 'sqlite', path: "/var/lib/app/it's.db" },
    ]);
    const tools = { pgDumpall: '/usr/bin/pg_dumpall', pgDump: '/usr/bin/pg_dump', psql: '/usr/bin/psql', mysqldump: '/usr/bin/mariadb-dump', mysql: '/usr/bin/mariadb', sqlite3: '/usr/bin/sqlite3', runuser: '/usr/sbin/runuser' };
    for (const family of ['0.8', '3.x'] as const) {
      const text = generateScript(input(family, { kind: 'file', dir: '/s' }, {
        source: '/', includeFile: '/etc/dupliswift/web 1/filelist.txt', excludeFile: undefined,
        dumps: { dir: '/var/backups/dupliswift/web 1', items, tools },
        hooks: { before: ['systemctl stop app', "echo 'quoted; $HOME'"], after: ['systemctl start app'] },
      }));
      expect(text).toContain('--include-filelist');
      const r = await shellcheck(text);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
    }
  });

  it('keeps a newline in a path or name out of the code: values stay values, comments stay comments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsw-values-'));
    try {
      const evil = `/etc/x\ntouch ${dir}/pwned\n`;
      const text = generateScript(input('0.8', { kind: 'file', dir: evil }, { profile: `a\ntouch ${dir}/pwned-too` }));
      const values = text.slice(text.indexOf('# --- values'), text.indexOf('# --- end of values'));
      expect(values.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(2);
      const r = await execa('bash', ['-c', `${values}\nprintf '%s\\0' "$SECRETS_DIR" "$PROFILE"`], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.split('\0').slice(0, 2)).toEqual([evil, `a\ntouch ${dir}/pwned-too`]);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fills every marker of the template', () => {
    expect(generateScript(input('3.x', { kind: 'file', dir: '/s' }))).not.toMatch(/^#@/m);
  });
});
