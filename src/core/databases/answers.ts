import { isAbsolute } from 'node:path';
import { ENGINES, type DatabaseSpec } from './types';

/**
 * The databases answer in words: JSON (what an answers file holds, `[{"engine": "postgresql"}]`) or
 * a short form a person can type: `postgresql, postgresql:app, mysql, mysql:shop, sqlite:/var/lib/app/app.db`
 * (one name per item; names of one engine are gathered into one entry).
 */
export function parseDatabases(text: string): { specs: DatabaseSpec[] } | { problem: string } {
  const t = text.trim();
  if (!t || t.toLowerCase() === 'none') return { specs: [] };
  if (t.startsWith('[') || t.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (error) {
      return { problem: `The databases are not valid JSON (${(error as Error).message}).` };
    }
    const list = Array.isArray(value) ? value : [value];
    const problem = databasesProblem(list);
    return problem ? { problem } : { specs: list as DatabaseSpec[] };
  }
  const specs: DatabaseSpec[] = [];
  for (const word of t.split(/\n|,\s*/).map((w) => w.trim()).filter(Boolean)) {
    const [engine, ...rest] = word.split(':');
    const arg = rest.join(':');
    const e = engine!.toLowerCase() === 'mariadb' ? 'mysql' : engine!.toLowerCase();
    if (e === 'sqlite') {
      if (!isAbsolute(arg)) return { problem: `"${word}": give the SQLite file's absolute path, e.g. sqlite:/var/lib/app/app.db.` };
      specs.push({ engine: 'sqlite', path: arg });
    } else if (e === 'postgresql' || e === 'postgres' || e === 'mysql') {
      const engineName = e === 'mysql' ? 'mysql' : 'postgresql';
      const found = specs.find((s) => s.engine === engineName) as Extract<DatabaseSpec, { engine: 'postgresql' | 'mysql' }> | undefined;
      const spec: { engine: typeof engineName; names?: string[] } = found ?? { engine: engineName };
      if (!found) specs.push(spec as DatabaseSpec);
      if (arg) spec.names = [...(spec.names ?? []), arg];
    } else {
      return { problem: `"${word}" is not a database kind here; use postgresql, mysql (MariaDB too) or sqlite:/path.` };
    }
  }
  return { specs };
}

/** The short form when it says everything, JSON otherwise (a socket, a port, a defaults file). */
export function formatDatabases(specs: readonly DatabaseSpec[]): string {
  const short: string[] = [];
  for (const s of specs) {
    if (s.engine === 'sqlite') short.push(`sqlite:${s.path}`);
    else if (Object.keys(s).every((k) => k === 'engine' || k === 'names')) short.push(...(s.names?.length ? s.names.map((n) => `${s.engine}:${n}`) : [s.engine]));
    else return JSON.stringify(specs);
  }
  return short.join(', ');
}

const KEYS: Record<string, string[]> = {
  postgresql: ['engine', 'names', 'osUser', 'socketDir', 'port'],
  mysql: ['engine', 'names', 'defaultsFile', 'socket', 'port'],
  sqlite: ['engine', 'path'],
};

/** What is wrong with a `databases` list, in words (the fix included); undefined when it is usable. */
export function databasesProblem(list: unknown): string | undefined {
  if (!Array.isArray(list)) return '"databases" must be a list, e.g. [{"engine": "postgresql"}].';
  for (const [i, item] of list.entries()) {
    const at = `databases[${i}]`;
    if (!item || typeof item !== 'object') return `${at} must be an object such as {"engine": "postgresql"}.`;
    const o = item as Record<string, unknown>;
    if (!ENGINES.includes(o.engine as never)) return `${at}.engine must be one of ${ENGINES.map((e) => `"${e}"`).join(', ')}.`;
    const unknown = Object.keys(o).find((k) => !KEYS[o.engine as string]!.includes(k));
    if (unknown) return `${at} (${String(o.engine)}) has no key "${unknown}"; it takes ${KEYS[o.engine as string]!.join(', ')}.`;
    if (o.names !== undefined && (!Array.isArray(o.names) || !o.names.length || !o.names.every((n) => typeof n === 'string' && n && !/[\n\0]/.test(n)))) return `${at}.names must be a non-empty list of database names.`;
    for (const key of ['socketDir', 'socket', 'defaultsFile', 'path']) {
      if (o[key] !== undefined && (typeof o[key] !== 'string' || !isAbsolute(o[key] as string))) return `${at}.${key} must be an absolute path.`;
    }
    if (o.engine === 'sqlite' && typeof o.path !== 'string') return `${at} needs "path", the SQLite file (absolute).`;
    if (o.port !== undefined && !(Number.isInteger(o.port) && (o.port as number) > 0 && (o.port as number) < 65536)) return `${at}.port must be a port number.`;
    if (o.osUser !== undefined && (typeof o.osUser !== 'string' || !/^[a-z_][a-z0-9_.-]*\$?$/i.test(o.osUser))) return `${at}.osUser must be an OS user name.`;
  }
  return undefined;
}
