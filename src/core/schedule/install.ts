import { rm } from 'node:fs/promises';
import type { Profile } from '../profile/types';
import { installCronD, installCronLine, uninstallCronD, uninstallCronLine } from './crontab';
import { enableTimer, generateUnits, unitDir, unitName, verifyUnits, writeUnits } from './systemd';
import { join } from 'node:path';

export interface InstallResult {
  method: Profile['install'];
  /** What changed, in words, for the summary. */
  detail: string;
  changed: boolean;
  files?: string[];
  warning?: string;
}

export interface InstallOptions {
  profile: string;
  method: Profile['install'];
  schedule: string;
  script: string;
  uid: number;
  env: NodeJS.ProcessEnv;
  /** Root only: install into this user's crontab (`crontab -u`). */
  user?: string;
  cronDDir?: string;
  signal?: AbortSignal;
}

/**
 * Installs the schedule the chosen way and takes it out of the other ways, so changing your mind
 * (crontab -> systemd) never leaves two schedules running. Nothing is written when nothing changes.
 */
export async function installSchedule(o: InstallOptions): Promise<InstallResult> {
  let result: InstallResult = { method: 'none', detail: 'No schedule installed: run the script yourself.', changed: false };
  if (o.method === 'crontab') {
    const change = await installCronLine({ profile: o.profile, schedule: o.schedule, script: o.script, user: o.user, signal: o.signal });
    result = { method: 'crontab', detail: `crontab line ${change} (${o.schedule})`, changed: change !== 'unchanged' };
  } else if (o.method === 'cron.d') {
    const outcome = await installCronD({ profile: o.profile, schedule: o.schedule, script: o.script, user: o.user, dir: o.cronDDir });
    result = { method: 'cron.d', detail: `/etc/cron.d file ${outcome}`, changed: outcome !== 'unchanged' };
  } else if (o.method === 'systemd') {
    const dir = unitDir(o.uid, o.env);
    const written = await writeUnits(dir, o.profile, generateUnits({ profile: o.profile, script: o.script, schedule: o.schedule }));
    const verified = await verifyUnits([written.service, written.timer], o.signal);
    const enabled = await enableTimer(o.profile, o.uid, o.signal);
    const warning = [verified && !verified.ok ? `systemd-analyze verify: ${verified.output}` : undefined, enabled.enabled ? undefined : enabled.reason].filter(Boolean).join('; ') || undefined;
    result = { method: 'systemd', detail: `timer ${unitName(o.profile)}.timer ${enabled.enabled ? 'enabled' : 'written'}`, changed: written.outcome.some((x) => x !== 'unchanged'), files: [written.service, written.timer], warning };
  }
  if (o.method !== 'crontab') {
    const removed = await uninstallCronLine({ profile: o.profile, user: o.user, signal: o.signal }).catch(() => 'absent');
    if (removed === 'removed') result.changed = true;
  }
  if (o.method !== 'cron.d' && o.uid === 0) {
    if (await uninstallCronD(o.profile, o.cronDDir)) result.changed = true;
  }
  if (o.method !== 'systemd') {
    const dir = unitDir(o.uid, o.env);
    for (const ext of ['service', 'timer']) await rm(join(dir, `${unitName(o.profile)}.${ext}`), { force: true });
  }
  return result;
}
