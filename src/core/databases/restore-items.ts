import { join } from 'node:path';
import type { Profile } from '../profile/types';
import { dumpPlan, loadCommand, type DumpItem } from './plan';

/** One thing a restore offers from a profile's backup: a folder it backs up, or one database dump. */
export interface RestoreItem {
  /** Relative to the backup's root, as duplicity names it (etc, var/backups/dupliswift/web/postgresql-all.sql). */
  path: string;
  label: string;
  dump?: DumpItem;
}

/** The folders and dumps of a profile of several folders; none for a one-folder profile (its files are the list). */
export function restoreItems(profile: Pick<Profile, 'source' | 'sources' | 'databases' | 'dumpDir'>): RestoreItem[] {
  if (!profile.sources?.length) return [];
  const rel = (p: string) => p.replace(/^\/+/, '');
  const folders = profile.sources.map((s) => ({ path: rel(s), label: `Folder ${s}` }));
  const dumps = profile.dumpDir ? dumpPlan(profile.databases ?? []).map((d) => ({ path: rel(join(profile.dumpDir!, d.file)), label: d.label, dump: d })) : [];
  return [...dumps, ...folders];
}

/** What to tell the person once a dump file is restored: where it is and the exact command that loads it. */
export function dumpRestoredLines(item: DumpItem, file: string): string[] {
  return [
    `The dump is ${file}; nothing was loaded into a database.`,
    'To load it (into a fresh or stopped-for-recovery server; it overwrites what it names):',
    `  ${loadCommand(item, file)}`,
  ];
}
