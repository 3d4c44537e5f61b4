import type { GlobalOptions } from '../cli';
import { UserError } from '../core/errors';
import { listProfiles, loadProfile } from '../core/profile/load';
import { configRoot } from '../core/profile/paths';
import type { Profile } from '../core/profile/types';
import { worse, type HealthLevel } from '../core/status/health';
import { formatDuration } from '../core/status/interval';
import { profileStatus, type ProfileStatus } from '../core/status/report';
import { formatBytes } from '../core/words';
import { printJson } from './output';

export interface StatusOptions extends GlobalOptions {
  profile?: string;
  configDir?: string;
  check?: boolean;
  remote?: boolean;
}

/** The monitoring-plugin exit codes (Nagios, Icinga, Zabbix's plugins, `|| mail` in cron). */
const EXIT: Record<HealthLevel, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/** One monitoring-plugin line: the worst health, each profile's reasons, perfdata for graphs. */
export function checkLine(statuses: ProfileStatus[], noneFound?: string): { line: string; exitCode: number } {
  if (statuses.length === 0) return { line: `DUPLISWIFT UNKNOWN - ${noneFound ?? 'no profile found'}`, exitCode: 3 };
  const level = statuses.reduce<HealthLevel>((l, s) => worse(l, s.health), 'ok');
  const text = statuses.map((s) => `${s.profile}: ${s.health === 'ok' ? 'ok' : s.reasons.join('; ')}`).join(', ');
  const perf = statuses.filter((s) => s.lastSuccessAgeSeconds !== null).map((s) => {
    const t = s.thresholds;
    return `'${s.profile}_last_success_age'=${s.lastSuccessAgeSeconds}s;${t ? Math.round(t.warnSeconds) : ''};${t ? Math.round(t.critSeconds) : ''};0;`;
  });
  return { line: `DUPLISWIFT ${level.toUpperCase()} - ${text}${perf.length ? ` | ${perf.join(' ')}` : ''}`, exitCode: EXIT[level] };
}

const COLOURS: Record<HealthLevel, string> = { ok: '32', warning: '33', critical: '31', unknown: '36' };

function when(iso: string | null, now: Date): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  const delta = (now.getTime() - t) / 1000;
  const local = new Date(t).toLocaleString('sv-SE').slice(0, 16);
  return delta >= 0 ? `${local} (${formatDuration(delta)} ago)` : `${local} (in ${formatDuration(-delta)})`;
}

/** One readable block per profile; colour only where asked for (a terminal, no NO_COLOR). */
export function formatStatus(s: ProfileStatus, now: Date, colour: boolean): string[] {
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const mark = { ok: '●', warning: '▲', critical: '✖', unknown: '?' }[s.health];
  const row = (label: string, value: string) => `  ${paint('2', label.padEnd(13))}${value}`;
  const last = s.lastRun
    ? `${s.lastRun.mode}, ${when(s.lastRun.end, now)}, ${s.lastRun.exitCode === 0 ? 'exit 0' : paint(COLOURS.critical, `exit ${s.lastRun.exitCode}`)}`
    : 'none yet';
  const figures = s.lastBackupFigures?.sourceBytes !== undefined
    ? `${s.lastBackupFigures.sourceFiles ?? '?'} files and folders, ${formatBytes(s.lastBackupFigures.sourceBytes)}; ${formatBytes(s.lastBackupFigures.uploadedBytes)} uploaded`
    : '';
  const lines = [
    `${paint(`1;${COLOURS[s.health]}`, `${mark} ${s.profile}: ${s.health.toUpperCase()}`)}`,
    ...s.reasons.map((reason, i) => row(i === 0 ? 'why' : '', reason)),
    row('last run', last),
    row('last success', when(s.lastSuccess, now)),
    ...(figures ? [row('its size', figures)] : []),
    row('next run', s.nextRun ? when(s.nextRun, now) : s.schedule.method === 'none' ? 'no schedule installed' : 'unknown'),
    row('last drill', s.drill.last ? `${when(s.drill.last, now)}, ${s.drill.ok ? 'passed' : paint(COLOURS.critical, 'FAILED')}` : s.schedule.drill === 'off' ? 'off' : 'none yet'),
    row('container', s.container),
    row('schedule', `${s.schedule.method}${s.schedule.method === 'none' ? '' : ` "${s.schedule.cron}"`}${s.schedule.drill !== 'off' ? `, drill "${s.schedule.drill}"` : ''}`),
    ...(s.thresholds ? [row('alerts', `warning after ${formatDuration(s.thresholds.warnSeconds)}, critical after ${formatDuration(s.thresholds.critSeconds)} without a success`)] : []),
  ];
  if (s.remote) {
    const r = s.remote;
    lines.push(row('in Swift', [
      r.chains !== undefined ? `${r.chains} chain${r.chains === 1 ? '' : 's'}, ${r.pointsInTime!.length} points in time${r.pointsInTime![0] ? ` (newest ${when(r.pointsInTime![0], now)})` : ''}` : undefined,
      r.storedBytes !== undefined ? `${formatBytes(r.storedBytes)} in ${r.objects} objects` : undefined,
      ...r.problems,
    ].filter(Boolean).join('; ')));
  }
  return lines;
}

async function profilesFor(opts: StatusOptions): Promise<Array<Profile & { dir: string }>> {
  if (opts.profile) return [await loadProfile(opts.profile, opts.configDir)];
  return listProfiles({ configDir: opts.configDir });
}

export async function statusCommand(opts: StatusOptions, hooks: { signal: AbortSignal }): Promise<number> {
  const now = new Date();
  let profiles: Array<Profile & { dir: string }>;
  try {
    profiles = await profilesFor(opts);
  } catch (error) {
    // A monitoring plugin must always answer with its one line and a plugin exit code.
    if (opts.check && error instanceof UserError) {
      process.stdout.write(`DUPLISWIFT UNKNOWN - ${error.message}\n`);
      return 3;
    }
    throw error;
  }
  const statuses = await Promise.all(profiles.map((p) => profileStatus(p, now)));
  if (opts.remote) {
    const { remoteStatus } = await import('../core/status/remote');
    for (const [i, p] of profiles.entries()) statuses[i]!.remote = await remoteStatus(p, process.env, hooks.signal);
  }
  const root = configRoot({ configDir: opts.configDir });
  if (opts.check) {
    const { line, exitCode } = checkLine(statuses, `no profile found in ${root}`);
    process.stdout.write(`${line}\n`);
    return exitCode;
  }
  if (opts.json) {
    printJson({ profiles: statuses });
    return 0;
  }
  if (statuses.length === 0) {
    process.stdout.write(`No profile found in ${root}. Run dupliswift setup to make one${opts.configDir ? '' : ', or pass --config-dir where they live'}.\n`);
    return 0;
  }
  const colour = Boolean(process.stdout.isTTY) && process.env.FORCE_COLOR !== '0';
  process.stdout.write(`${statuses.map((s) => formatStatus(s, now, colour).join('\n')).join('\n\n')}\n`);
  return 0;
}
