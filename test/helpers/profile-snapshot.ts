import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file in the profile folder that setup writes (not the log, lock or duplicity's cache): path -> bytes, mode, mtime. */
export async function profileSnapshot(dir: string) {
  const out: Record<string, { bytes: string; mode: number; mtimeMs: number }> = {};
  async function walk(sub: string) {
    for (const e of await readdir(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (['backup.log', 'backup.lock', 'cache'].includes(rel)) continue;
      if (e.isDirectory()) await walk(rel);
      else {
        const s = await stat(join(dir, rel));
        out[rel] = { bytes: await readFile(join(dir, rel), 'utf8'), mode: s.mode & 0o777, mtimeMs: s.mtimeMs };
      }
    }
  }
  await walk('');
  return out;
}
