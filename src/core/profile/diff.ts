import type { Profile } from './types';

/** The settings a person chose, flattened to dotted names (tools and paths setup fills in are left out). */
function settings(p: Profile): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (prefix: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) out[prefix] = value.join(', ');
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) put(prefix ? `${prefix}.${k}` : k, v);
    else out[prefix] = String(value);
  };
  // `dir` is where loadProfile found it, not a setting.
  const { tools: _tools, script: _script, archiveDir: _archive, version: _version, dir: _dir, ...chosen } = p as Profile & { dir?: string };
  put('', chosen);
  return out;
}

/** What setup again changes in a profile, one line per setting ("schedule.cron: 17 3 * * * → 5 4 * * *"); empty when nothing. */
export function profileChanges(before: Profile, after: Profile): string[] {
  const a = settings(before);
  const b = settings(after);
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.filter((n) => a[n] !== b[n]).map((n) => `${n}: ${a[n] ?? '(none)'} → ${b[n] ?? '(none)'}`);
}
