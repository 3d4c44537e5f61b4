import { join } from 'node:path';
import { groupedFingerprint } from '../../core/keys/fingerprint';
import { PROFILE_FILES } from '../../core/profile/paths';
import type { SetupState } from './state';

/** What the person needs to know when setup is done, as screen lines and as JSON. */
export interface SetupSummary {
  title: string;
  lines: string[];
  json: {
    keys: { encrypt: string; sign: string; exportDir: string | null; mustLeaveServer: boolean };
    schedule: { method: string; cron: string | null; inWords: string | null; drill: string };
    restoreCommand: string;
    restoreNote: string;
    checkCommand: string;
    logFile: string;
  };
}

const pad = (n: string) => n.padStart(2, '0');

/** The few cron shapes people use, in words; anything else is shown as written. */
export function cronInWords(cron: string): string {
  const [min, hour, dom, month, dow, ...rest] = cron.trim().split(/\s+/);
  if (rest.length || !/^\d+$/.test(min ?? '') || !/^\d+$/.test(hour ?? '')) return `cron "${cron}"`;
  const at = `at ${pad(hour!)}:${pad(min!)}`;
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  if (dom === '*' && month === '*' && dow === '*') return `every day ${at}`;
  if (dom === '*' && month === '*' && /^[0-7]$/.test(dow ?? '')) return `every ${days[Number(dow)]} ${at}`;
  if (/^\d+$/.test(dom ?? '') && month === '*' && dow === '*') return `on day ${dom} of every month ${at}`;
  return `cron "${cron}"`;
}

/**
 * The closing summary: where the keys are and that they must leave this server now, when the job
 * runs, how to restore and how to check on it. Pure: from what the steps put in the state.
 */
export function setupSummary(state: SetupState): SetupSummary | undefined {
  const result = state.result as (SetupState['result'] & { profile?: string; cron?: string; drill?: string; install?: { method: string } }) | undefined;
  if (!result || !state.keys) return undefined;
  const profile = result.profile ?? 'nightly';
  const method = result.install?.method ?? 'none';
  const cron = method === 'none' ? null : (result.cron ?? null);
  const inWords = cron ? cronInWords(cron) : null;
  const drill = result.drill ?? 'off';
  const note = join(result.profileDir, PROFILE_FILES.note);
  const logFile = join(result.profileDir, PROFILE_FILES.log);
  const exportDir = state.exportDir ?? null;
  const restoreCommand = `dupliswift restore --profile ${profile}`;
  const checkCommand = `${result.script} status`;
  const lines = [
    `Keys: encryption ${groupedFingerprint(state.keys.encrypt)}`,
    `      signing    ${groupedFingerprint(state.keys.sign)}`,
    exportDir
      ? `Exported to ${exportDir}: copy that folder off this server now (a USB stick, a password manager), then delete it here. Without it and the passphrases, a lost server means lost backups.`
      : 'The keys were not exported here: make sure a copy of both exists somewhere other than this server.',
    cron ? `Backups run ${inWords} (${method}); the restore drill ${drill === 'off' ? 'is off' : `runs on "${drill}"`}.` : `No schedule installed: run ${result.script} yourself.`,
    `Restore: ${restoreCommand} (on a new machine: dupliswift restore, with the exported keys). ${note} says it in plain words.`,
    `Check on it: ${checkCommand}; the log is ${logFile}.`,
  ];
  return {
    title: `Setup of ${profile} is done.`,
    lines,
    json: { keys: { encrypt: state.keys.encrypt, sign: state.keys.sign, exportDir, mustLeaveServer: exportDir !== null }, schedule: { method, cron, inWords, drill }, restoreCommand, restoreNote: note, checkCommand, logFile },
  };
}
