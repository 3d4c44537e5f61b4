import { runDuplicity } from './duplicity-run';
import { duplicityFailure } from './failure';
import { INFO, parseDuplicityTime, type LogRecord } from '../duplicity/logfd';
import { backendUrl, commonArgs, duplicityEnv, type BackupSource } from './source';

export interface BackupSet {
  type: 'full' | 'inc';
  /** When this set was made: a point in time one can restore to. */
  time: Date;
  volumes: number;
  encrypted: boolean;
}

export interface BackupChain {
  /** The chain duplicity restores from by default (the newest, with signatures). */
  primary: boolean;
  sets: BackupSet[];
  start: Date;
  end: Date;
}

export interface CollectionStatus {
  chains: BackupChain[];
  orphanedSets: number;
  incompleteSets: number;
}

/** Reads the control lines of collection-status's INFO 3 record (dup_collections.to_log_info). */
export function parseCollectionStatus(control: string[]): CollectionStatus {
  const chains: BackupChain[] = [];
  let current: BackupSet[] | undefined;
  let primary = false;
  let orphanedSets = 0;
  let incompleteSets = 0;
  const close = () => {
    if (current && current.length) chains.push({ primary, sets: current, start: current[0]!.time, end: current[current.length - 1]!.time });
    current = undefined;
  };
  for (const line of control) {
    const set = /^ (full|inc) (\S+) (\d+) (enc|noenc)$/.exec(line);
    if (set && current) {
      const time = parseDuplicityTime(set[2]!);
      if (time) current.push({ type: set[1] as 'full' | 'inc', time, volumes: Number(set[3]), encrypted: set[4] === 'enc' });
      continue;
    }
    if (line.startsWith('chain-no-sig') || line === 'chain-complete') {
      close();
      current = [];
      primary = line === 'chain-complete';
      continue;
    }
    const count = /^(orphaned|incomplete)-sets-num (\d+)$/.exec(line);
    if (count) {
      close();
      if (count[1] === 'orphaned') orphanedSets = Number(count[2]);
      else incompleteSets = Number(count[2]);
    }
  }
  close();
  chains.sort((a, b) => a.start.getTime() - b.start.getTime());
  return { chains, orphanedSets, incompleteSets };
}

/** Every point in time one can restore to, newest first. */
export function pointsInTime(status: CollectionStatus): Array<BackupSet & { chain: number }> {
  return status.chains
    .flatMap((chain, index) => chain.sets.map((set) => ({ ...set, chain: index })))
    .sort((a, b) => b.time.getTime() - a.time.getTime());
}

/** duplicity's own --time syntax for an exact point: epoch seconds, unambiguous in any time zone. */
export function timeArg(time: Date): string {
  return String(Math.round(time.getTime() / 1000));
}

export async function collectionStatus(source: BackupSource, signal?: AbortSignal): Promise<CollectionStatus> {
  let record: LogRecord | undefined;
  const outcome = await runDuplicity({
    args: ['collection-status', ...commonArgs(source), backendUrl(source)],
    env: duplicityEnv(source),
    signal,
    onRecord: (r) => {
      if (r.level === 'INFO' && r.code === INFO.collectionStatus) record = r;
    },
  });
  if (outcome.exitCode !== 0 || !record) throw duplicityFailure('Reading the backup chains', outcome);
  return parseCollectionStatus(record.control);
}
