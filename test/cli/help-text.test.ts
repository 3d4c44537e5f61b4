import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A user has the installed tool, not this repository: no message, help or question may send them
 * to one of its files. Scans the shipped bundle's strings, as a user would meet them.
 */
describe('user-facing text', () => {
  it('never points into the repository (bench/, scripts/, test/, src/)', async () => {
    const bundle = await readFile(join(__dirname, '../../dist/dupliswift.js'), 'utf8');
    const strings = bundle.match(/(["'`])(?:(?!\1)[^\\\n]|\\.){12,}\1/g) ?? [];
    const offenders = strings.filter((s) => /\b(bench|scripts|test|src)\/[\w.-]+\.(m?js|ts|tsx|sh)\b/.test(s));
    expect(offenders).toEqual([]);
    expect(strings.length).toBeGreaterThan(500);
  });

  it('the job template ships inside the bundle (a global install has no src/)', async () => {
    const bundle = await readFile(join(__dirname, '../../dist/dupliswift.js'), 'utf8');
    expect(bundle).toContain('dupliswift_restore_drill()');
    expect(await readdir(join(__dirname, '../../dist'))).not.toContain('job-sh');
  });
});
