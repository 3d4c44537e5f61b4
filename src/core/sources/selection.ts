import { isAbsolute, normalize } from 'node:path';

/**
 * What a profile backs up. One folder (the layout of every profile from before several folders):
 * duplicity backs that folder up, paths inside the backup are relative to it. Several roots, or any
 * database dump: duplicity backs up `/` through a filelist (`+ /etc`, `+ /srv/www`, then `- **`),
 * so all of it is one chain and paths inside the backup are relative to / (etc/hosts).
 */
export type Selection =
  | { layout: 'folder'; source: string; exclude: string[] }
  | { layout: 'roots'; roots: string[]; exclude: string[]; alwaysExclude: string[] };

/** Roots as given, normalised, without duplicates or a root inside another one. */
export function normaliseRoots(roots: readonly string[]): string[] {
  const clean = [...new Set(roots.map((r) => normalize(r.trim()).replace(/(.)\/+$/, '$1')))].sort();
  return clean.filter((r) => !clean.some((o) => o !== r && (o === '/' || r.startsWith(`${o}/`))));
}

/** What is wrong with a list of folders to back up, or undefined. */
export function rootsProblem(roots: readonly string[]): string | undefined {
  if (!roots.length) return 'Name at least one folder to back up.';
  const bad = roots.find((r) => !isAbsolute(r.trim()));
  if (bad !== undefined) return `"${bad}" is not an absolute path; give folders like /etc or /srv/www.`;
  const odd = roots.find((r) => /[\n\r]/.test(r));
  if (odd !== undefined) return 'A folder name holds a line break; duplicity\'s filelist cannot name it.';
  return undefined;
}

/** A literal path as a duplicity glob: *, ? and [ stand for themselves. */
function literalGlob(path: string): string {
  return path.replace(/[*?[]/g, (c) => `[${c}]`);
}

/**
 * The include/exclude filelist (`--include-filelist`) of a roots selection. The first line that
 * matches decides, so excludes come first; the final `- **` leaves out everything else.
 */
export function selectionFilelist(s: Extract<Selection, { layout: 'roots' }>): string {
  const lines = [
    ...s.alwaysExclude.map((p) => `- ${p}`),
    ...s.exclude.map((p) => `- ${literalGlob(p)}`),
    ...s.roots.map((p) => `+ ${literalGlob(p)}`),
    '- **',
  ];
  return `${lines.join('\n')}\n`;
}

/** The folders a profile backs up, whichever its layout. */
export function rootsOf(p: { source: string; sources?: string[] }): string[] {
  return p.sources?.length ? p.sources : [p.source];
}
