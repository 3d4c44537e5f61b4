/**
 * backup.sh's header lists the exit codes a person can meet: every code dupliswift explains from
 * duplicity (the ERROR table), duplicity's generic 1 and "not enough free space" 35, and every
 * `exit N` the job's own parts use. Read from the real files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR } from '../../src/core/duplicity/logfd';

const dir = join(__dirname, '../../src/core/schedule/job-sh');

function listedCodes(): Set<number> {
  const text = readFileSync(join(dir, 'backup.sh'), 'utf8');
  const start = text.indexOf('# Exit codes');
  expect(start, 'backup.sh has an "# Exit codes" comment').toBeGreaterThan(0);
  const block = text.slice(start).split('\n').filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('#'))).join(' ');
  const codes = new Set<number>();
  for (const m of block.matchAll(/\b(\d+)(?:-(\d+))?\b/g)) {
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    for (let n = lo; n <= hi; n++) codes.add(n);
  }
  return codes;
}

describe('backup.sh header', () => {
  it('names every exit code the job can end with', () => {
    const listed = listedCodes();
    const own = readdirSync(dir).filter((f) => f.endsWith('.sh'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\bexit (\d+)\b/g)].map((m) => Number(m[1])));
    const expected = new Set([0, 1, 30, 35, ...Object.values(ERROR), ...own]);
    expect([...expected].filter((c) => !listed.has(c))).toEqual([]);
  });
});
