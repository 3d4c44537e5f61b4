import { backupBaseArgs, checked, cleanupArgs, commonArgs, retentionArgs, type CommonOptions } from '../duplicity/flags';
import type { FlagFamily } from '../duplicity/version';
import type { DumpItem } from '../databases/plan';
import { SECRET_SWIFT_VARS } from '../openstack/duplicity-env';
import drillFunction from './job-sh/drill.sh';
import alertsPart from './job-sh/alerts.sh';
import authPart from './job-sh/auth.sh';
import backupTemplate from './job-sh/backup.sh';
import dumpsPart from './job-sh/dumps.sh';
import hooksPart from './job-sh/hooks.sh';
import logPart from './job-sh/log.sh';
import modesPart from './job-sh/modes.sh';
import retryPart from './job-sh/retry.sh';
import runPart from './job-sh/run.sh';
import secretsPart from './job-sh/secrets.sh';
import verifyPart from './job-sh/verify.sh';
import watchdogPart from './job-sh/watchdog.sh';
import versionPart from './job-sh/version.sh';
import statePart from './job-sh/state.sh';
import { shArray, shq } from './shell-quote';
import { join } from 'node:path';
import { PROFILE_FILES } from '../profile/paths';

/** Where the job's secrets come from at run time; the script itself never holds one. */
export type SecretSource =
  | { kind: 'file'; dir: string }
  /** `secret-tool lookup service dupliswift:PROFILE account NAME`: only where a keyring is unlocked (not plain cron). */
  | { kind: 'keyring'; secretTool: string };

export type SecretFile = 'encrypt-passphrase' | 'sign-passphrase' | 'swift-password';

/** Which environment variable each stored secret becomes (duplicity's names). */
export const SECRET_VARIABLES: Record<SecretFile, string> = {
  'encrypt-passphrase': 'PASSPHRASE',
  'sign-passphrase': 'SIGN_PASSPHRASE',
  'swift-password': 'SWIFT_PASSWORD',
};

export interface ScriptInput {
  profile: string;
  profileDir: string;
  source: string;
  /** swift://container */
  target: string;
  gnupgHome: string;
  /** The home the job runs with when its environment has none (env -i). */
  home: string;
  /** Non-secret SWIFT_* variables (SWIFT_PASSWORD comes from the secrets). */
  swiftEnv: Record<string, string>;
  tools: { duplicity: string; duplicityVersion: string; family: FlagFamily; gpg: string; flock: string; curl?: string; mail?: string };
  keys: { encrypt: string; sign: string };
  fullEvery: string;
  keepFull: number;
  volsize?: number;
  numRetries?: number;
  parallelUploads?: number;
  archiveDir: string;
  excludeFile?: string;
  /** Several folders (or dumps): the +/- filelist, and `source` is "/". */
  includeFile?: string;
  /** Database dumps taken before each backup, into `dir`; the tools by absolute path. */
  dumps?: { dir: string; items: DumpItem[]; tools: DumpTools };
  hooks?: { before: string[]; after: string[] };
  logFile: string;
  lockFile: string;
  /** node_exporter's textfile folder: dupliswift-<profile>.prom is written there after each run. */
  metricsDir?: string;
  secrets: SecretSource;
  alert?: { mail?: string; pingUrl?: string };
  /** Where each run's own TMPDIR goes (run.PID inside; stale ones are cleared by the next run); default PROFILEDIR/tmp. */
  tmpRoot?: string;
  /** Bounds and retries (see JobLimits); each has a default. */
  limits?: Partial<JobLimits>;
  /** An application credential: the job gets a token with it before duplicity runs (job-sh/auth.sh). */
  appCredential?: { authUrl: string; id: string; region?: string; interface: string };
}

/** How long the job waits for anything, and how often it tries again. */
export interface JobLimits {
  /** A busy lock older than this alerts (default: the schedule's interval). */
  lockAlertAfterSeconds: number;
  /** The watchdog stops a duplicity run with no progress for this long. */
  stallSeconds: number;
  /** How often the watchdog looks. */
  watchEverySeconds: number;
  /** Tries of a duplicity step in all, after transient failures. */
  retryAttempts: number;
  /** The first wait before another try; doubled each time. */
  retryDelaySeconds: number;
  /** Bound of the job's own network calls (the Keystone check). */
  netTimeoutSeconds: number;
  /** How long a backup waits for a running restore drill. */
  drillWaitSeconds: number;
}

export const DEFAULT_LIMITS: JobLimits = {
  lockAlertAfterSeconds: 86_400,
  // duplicity reads, writes or logs something every few seconds while it works (its longest quiet
  // spell is its own wait between retries: 30 s, 90 s after a 503); 5 minutes of nothing at all is a
  // hang, not a slow link.
  stallSeconds: 300,
  watchEverySeconds: 15,
  retryAttempts: 3,
  retryDelaySeconds: 60,
  netTimeoutSeconds: 30,
  drillWaitSeconds: 3600,
};

/** The dump tools by absolute path ('' where no dump needs it). */
export interface DumpTools { pgDumpall: string; pgDump: string; psql: string; mysqldump: string; mysql: string; sqlite3: string; runuser: string }

/**
 * Commands as double-quoted words (\$, \`, \" and \\ escaped): the same value as single quotes, but a
 * hook's `$HOME` is not mistaken by shellcheck for a missed expansion.
 */
function commandArray(values: readonly string[]): string {
  return `(${values.map((v) => `"${v.replace(/[$`"\\]/g, (c) => `\\${c}`)}"`).join(' ')})`;
}

/** The dumps' and hooks' values: parallel arrays, one index per dump file. */
function dumpValues(i: ScriptInput): string[] {
  const items = i.dumps?.items ?? [];
  const t = i.dumps?.tools;
  const col = (f: (d: DumpItem) => string) => shArray(items.map(f));
  return [
    `DUMP_DIR=${shq(i.dumps?.dir ?? '')}`,
    `DUMP_KIND=${col((d) => d.kind)}`,
    `DUMP_FILE=${col((d) => d.file)}`,
    `DUMP_LABEL=${col((d) => d.label)}`,
    `DUMP_NAME=${col((d) => d.name)}`,
    `DUMP_OSUSER=${col((d) => d.osUser)}`,
    `DUMP_SOCKET=${col((d) => d.socket)}`,
    `DUMP_PORT=${col((d) => d.port)}`,
    `DUMP_DEFAULTS=${col((d) => d.defaultsFile)}`,
    `DUMP_PATH=${col((d) => d.path)}`,
    `PG_DUMPALL=${shq(t?.pgDumpall ?? '')}`,
    `PG_DUMP=${shq(t?.pgDump ?? '')}`,
    `PSQL=${shq(t?.psql ?? '')}`,
    `MYSQLDUMP=${shq(t?.mysqldump ?? '')}`,
    `MYSQL=${shq(t?.mysql ?? '')}`,
    `SQLITE3=${shq(t?.sqlite3 ?? '')}`,
    `RUNUSER=${shq(t?.runuser ?? '')}`,
    `HOOKS_BEFORE=${commandArray(i.hooks?.before ?? [])}`,
    `HOOKS_AFTER=${commandArray(i.hooks?.after ?? [])}`,
  ];
}

/** A value for a comment line: one line, no control characters, whatever the path or name holds. */
function commentSafe(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

/** The values block: every profile-specific fact the template reads, each one shell word. */
function valuesBlock(i: ScriptInput): string {
  const common: CommonOptions = { archiveDir: i.archiveDir, name: i.profile, gpgBinary: i.tools.gpg, numRetries: i.numRetries };
  // What depends on duplicity's version (the restore flag, the backup action, parallel uploads) is
  // chosen by the job itself at run time (job-sh/version.sh), so a duplicity upgrade never breaks it.
  const backup = backupBaseArgs({
    ...common, encryptKey: i.keys.encrypt, signKey: i.keys.sign, fullIfOlderThan: i.fullEvery, volsize: i.volsize,
    excludeFile: i.excludeFile, includeFile: i.includeFile,
  });
  const swiftEnv = Object.keys(i.swiftEnv).sort().filter((k) => !(SECRET_SWIFT_VARS as readonly string[]).includes(k)).map((k) => `export ${k}=${shq(i.swiftEnv[k]!)}`);
  const limits = resolveLimits(i.limits);
  const secrets = i.secrets.kind === 'file'
    ? [`SECRETS_KIND='file'`, `SECRETS_DIR=${shq(i.secrets.dir)}`, `SECRET_TOOL=''`]
    : [`SECRETS_KIND='keyring'`, `SECRETS_DIR=''`, `SECRET_TOOL=${shq(i.secrets.secretTool)}`];
  return [
    `# --- values for profile ${commentSafe(i.profile)}, written by \`dupliswift setup\` for duplicity ${commentSafe(i.tools.duplicityVersion)}.`,
    `# Re-run setup to change them; edits here are overwritten. Secrets are read at run time from ${i.secrets.kind === 'file' ? `0600 files in ${commentSafe(i.secrets.dir)}` : 'the keyring (secret-tool)'}.`,
    `PROFILE=${shq(i.profile)}`,
    `SOURCE=${shq(i.source)}`,
    `TARGET=${shq(i.target)}`,
    `JOB_HOME=${shq(i.home)}`,
    `GNUPGHOME=${shq(i.gnupgHome)}`,
    `DUPLICITY=${shq(i.tools.duplicity)}`,
    `SETUP_DUPLICITY_VERSION=${shq(i.tools.duplicityVersion)}`,
    `FLOCK=${shq(i.tools.flock)}`,
    `CURL=${shq(i.tools.curl ?? '')}`,
    `MAIL=${shq(i.tools.mail ?? '')}`,
    `LOG_FILE=${shq(i.logFile)}`,
    `LOCK_FILE=${shq(i.lockFile)}`,
    `STATE_FILE=${shq(join(i.profileDir, PROFILE_FILES.state))}`,
    `METRICS_DIR=${shq(i.metricsDir ?? '')}`,
    `PING_URL=${shq((i.alert?.pingUrl ?? '').replace(/\/+$/, ''))}`,
    `MAIL_TO=${shq(i.alert?.mail ?? '')}`,
    `TMP_ROOT=${shq(i.tmpRoot ?? `${i.profileDir}/tmp`)}`,
    `LOCK_ALERT_AFTER=${limits.lockAlertAfterSeconds}`,
    `STALL_SECONDS=${limits.stallSeconds}`,
    `WATCH_EVERY=${limits.watchEverySeconds}`,
    `RETRY_ATTEMPTS=${limits.retryAttempts}`,
    `RETRY_DELAY=${limits.retryDelaySeconds}`,
    `NET_TIMEOUT=${limits.netTimeoutSeconds}`,
    `DRILL_WAIT=${limits.drillWaitSeconds}`,
    ...secrets,
    `AUTH_TYPE=${i.appCredential ? 'v3applicationcredential' : 'password'}`,
    `AUTH_URL=${shq(i.appCredential?.authUrl ?? '')}`,
    `APP_CREDENTIAL_ID=${shq(i.appCredential?.id ?? '')}`,
    `AUTH_REGION=${shq(i.appCredential?.region ?? '')}`,
    `AUTH_INTERFACE=${shq(i.appCredential?.interface ?? 'public')}`,
    `PYTHON=${shq(i.appCredential ? '/usr/bin/python3' : '')}`,
    ...swiftEnv,
    `COMMON=${shArray(checked('collection-status', checked('restore', commonArgs(common))))}`,
    `BACKUP=${shArray(backup)}`,
    `RETENTION=${shArray(retentionArgs(i.keepFull, common))}`,
    `CLEANUP=${shArray(cleanupArgs(common))}`,
    `PARALLEL_UPLOADS=${Math.max(0, Math.floor(i.parallelUploads ?? 0))}`,
    ...dumpValues(i),
    '# --- end of values',
  ].join('\n');
}

/** Defaults filled in, each a whole number of seconds at least 1 (the bash does integer arithmetic). */
export function resolveLimits(given: Partial<JobLimits> = {}): JobLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(out) as (keyof JobLimits)[]) {
    const v = given[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = Math.max(1, Math.round(v));
  }
  return out;
}

/** The bash backup job for one profile: the template with its values filled in. Pure: same input, same bytes. */
export function generateScript(i: ScriptInput): string {
  // Parts first, then the values: a marker inside a part (modes' #@drill) is filled too, and nothing
  // a value holds is ever read as a marker.
  const body = fillTemplate(backupTemplate, { values: '#@values', log: logPart, secrets: secretsPart, auth: authPart, alerts: alertsPart, run: runPart, watchdog: watchdogPart, retry: retryPart, verify: verifyPart, version: versionPart, state: statePart, hooks: hooksPart, dumps: dumpsPart, modes: fillTemplate(modesPart, { drill: drillFunction }) });
  return fillTemplate(body, { values: valuesBlock(i) });
}

/** Replaces each `#@name` marker line with its text; a marker left unfilled is a bug, not output. */
export function fillTemplate(template: string, parts: Record<string, string>): string {
  return template.replace(/^#@([a-z]+)$/gm, (_, name: string) => {
    const part = parts[name];
    if (part === undefined) throw new Error(`template marker #@${name} has no value`);
    return part;
  });
}
