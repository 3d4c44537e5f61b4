import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROFILE_FILES } from '../profile/paths';

/** One run as the job records it (src/core/schedule/job-sh/state.sh). Figures only when duplicity printed them. */
export interface RunRecord {
  mode: 'backup' | 'drill' | 'restore';
  /** ISO 8601 with offset. */
  start: string;
  end: string;
  startEpoch: number;
  endEpoch: number;
  durationSeconds: number;
  exitCode: number;
  sourceFiles?: number;
  sourceBytes?: number;
  uploadedBytes?: number;
  errors?: number;
}

/** state.json: the last run, and the last of each kind (lastSuccess is the last successful backup). */
export interface JobState {
  version: 1;
  lastRun: RunRecord | null;
  lastSuccess: RunRecord | null;
  lastBackup: RunRecord | null;
  lastDrill: RunRecord | null;
  lastDrillSuccess: RunRecord | null;
  lastRestore: RunRecord | null;
  lastRestoreSuccess: RunRecord | null;
}

export type StateRead = { kind: 'none' } | { kind: 'found'; state: JobState } | { kind: 'unreadable'; problem: string };

const KEYS = ['lastRun', 'lastSuccess', 'lastBackup', 'lastDrill', 'lastDrillSuccess', 'lastRestore', 'lastRestoreSuccess'] as const;

function isRecord(v: unknown): v is RunRecord {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Partial<RunRecord>;
  return typeof r.mode === 'string' && typeof r.start === 'string' && typeof r.end === 'string' && typeof r.exitCode === 'number' && typeof r.endEpoch === 'number';
}

/** What a parsed state.json holds, or the problem in words. */
export function parseJobState(value: unknown): JobState | string {
  if (value === null || typeof value !== 'object') return 'it is not a JSON object';
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return `version ${JSON.stringify(v.version)} is not one this dupliswift reads (1)`;
  const state = { version: 1 } as JobState;
  for (const key of KEYS) {
    const r = v[key] ?? null;
    if (r !== null && !isRecord(r)) return `"${key}" is not a run record`;
    state[key] = r;
  }
  return state;
}

/** Reads <profile dir>/state.json: none before the first run, unreadable when it cannot be used. */
export async function readJobState(profileDir: string): Promise<StateRead> {
  const path = join(profileDir, PROFILE_FILES.state);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'none' };
    return { kind: 'unreadable', problem: `${path} cannot be read (${code ?? String(error)})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'unreadable', problem: `${path} is not valid JSON (${(error as Error).message})` };
  }
  const state = parseJobState(parsed);
  return typeof state === 'string' ? { kind: 'unreadable', problem: `${path}: ${state}` } : { kind: 'found', state };
}
