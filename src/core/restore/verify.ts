import { resolve } from 'node:path';
import type { Action } from '../duplicity/flags';
import type { FlagFamily } from '../duplicity/version';
import { runDuplicity } from './duplicity-run';
import { duplicityFailure } from './failure';
import { backendUrl, commonArgs, duplicityEnv, type BackupSource } from './source';
import { normalizeBackupPath, pathFlag } from './restore';

export interface VerifyReport {
  /** The live folder compared against the backup. */
  against: string;
  time?: string;
  path?: string;
  compared: number;
  /** duplicity's own words per difference ("File a.txt has mtime …, expected …"). */
  differences: string[];
  ok: boolean;
}

/** "Verify complete: 8 files compared, 1 difference found." */
function parseSummary(line: string): { compared: number; differences: number } | undefined {
  const m = /Verify complete: (\d+) files? compared, (\d+) differences? found/.exec(line);
  return m ? { compared: Number(m[1]), differences: Number(m[2]) } : undefined;
}

/**
 * duplicity verify --compare-data: reads the backup back and compares it, file by file and byte by
 * byte, with the live folder. Exit 1 with differences is a result, not a failure.
 */
export async function verify(opts: {
  source: BackupSource;
  against: string;
  time?: string;
  path?: string;
  flagFamily: FlagFamily;
  signal?: AbortSignal;
}): Promise<VerifyReport> {
  const path = opts.path === undefined ? undefined : normalizeBackupPath(opts.path);
  const args: [Action, ...string[]] = ['verify', '--compare-data', ...commonArgs(opts.source)];
  if (path) args.push(pathFlag(opts.flagFamily), path);
  if (opts.time) args.push('--time', opts.time);
  args.push(backendUrl(opts.source), resolve(opts.against));
  const outcome = await runDuplicity({ args, env: duplicityEnv(opts.source), signal: opts.signal });
  const lines = outcome.notices.flatMap((r) => r.message);
  const differences = lines.filter((l) => l.startsWith('Difference found: ')).map((l) => l.slice('Difference found: '.length));
  const summary = lines.map(parseSummary).find(Boolean);
  if (!summary || (outcome.exitCode !== 0 && outcome.exitCode !== 1)) throw duplicityFailure('Verify', outcome);
  return { against: resolve(opts.against), time: opts.time, path, compared: summary.compared, differences, ok: differences.length === 0 && summary.differences === 0 };
}
