import { mkdir, chmod, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Duplicity } from '../duplicity/detect';
import { UserError } from '../errors';
import { ensureOwnerOnlyDir, writeFileAtomic, type WriteOutcome } from '../fs/atomic-write';
import { serializeProfile } from '../profile/load';
import { PROFILE_FILES } from '../profile/paths';
import { restoreNote } from '../profile/restore-note';
import type { Profile } from '../profile/types';
import { FileSecretStore } from '../secrets/file-store';
import type { SecretStore } from '../secrets/store';
import { APP_CREDENTIAL_SECRET } from '../restore/resolve';
import { cronIntervalSeconds } from './cron-interval';
import { dumpPlan } from '../databases/plan';
import { databaseFilesProblem, dumpTools } from '../databases/tools';
import { normaliseRoots, selectionFilelist } from '../sources/selection';
import { generateScript, SECRET_VARIABLES, type DumpTools, type JobLimits, type SecretFile } from './script';

export interface JobSecrets {
  encryptPassphrase: string;
  signPassphrase: string;
  swiftPassword: string;
  /** Only for a target that logs in with an application credential (auth.sh reads it). */
  applicationCredentialSecret?: string;
}

export interface JobTools {
  duplicity: Duplicity;
  gpg: string;
  flock: string;
  curl?: string;
  mail?: string;
  secretTool?: string;
  /** The dump tools; found on this machine when absent. */
  dumps?: DumpTools;
}

export interface JobInput {
  /** The settings; `tools`, `script` and `archiveDir` are filled in here. */
  profile: Omit<Profile, 'tools' | 'script' | 'archiveDir'> & { archiveDir?: string };
  dir: string;
  /** Non-secret SWIFT_* variables for duplicity (from the Keystone step's target). */
  swiftEnv: Record<string, string>;
  secrets: JobSecrets;
  /** Where secrets go when profile.secrets is 'keyring'; the file store is used otherwise. */
  keyring?: SecretStore;
  tools: JobTools;
  home: string;
  volsize?: number;
  parallelUploads?: number;
  /** duplicity's --num-retries (per request; the job also retries whole steps). */
  numRetries?: number;
}

export interface JobResult {
  profile: Profile;
  profileDir: string;
  script: string;
  files: Record<string, WriteOutcome>;
}

const SECRET_VALUES: Record<SecretFile, 'encryptPassphrase' | 'signPassphrase' | 'swiftPassword'> = {
  'encrypt-passphrase': 'encryptPassphrase',
  'sign-passphrase': 'signPassphrase',
  'swift-password': 'swiftPassword',
};

async function storeSecrets(input: JobInput): Promise<WriteOutcome> {
  const store: SecretStore = input.profile.secrets === 'keyring' && input.keyring ? input.keyring : new FileSecretStore(dirname(input.dir));
  let outcome: WriteOutcome = 'unchanged';
  for (const name of Object.keys(SECRET_VARIABLES) as SecretFile[]) {
    const value = input.secrets[SECRET_VALUES[name]];
    const current = await store.get(input.profile.name, name);
    if (current.state === 'found' && current.value === value) continue;
    await store.set(input.profile.name, name, value);
    outcome = current.state === 'found' ? 'updated' : 'created';
  }
  // Not one of secrets.sh's (those reach duplicity): job-sh/auth.sh reads this one to get a token.
  const appSecret = input.secrets.applicationCredentialSecret;
  if (appSecret !== undefined) {
    const current = await store.get(input.profile.name, APP_CREDENTIAL_SECRET);
    if (!(current.state === 'found' && current.value === appSecret)) {
      await store.set(input.profile.name, APP_CREDENTIAL_SECRET, appSecret);
      outcome = current.state === 'found' ? 'updated' : 'created';
    }
  }
  return outcome;
}

/** The job's bounds from the profile's schedule: minutes in the profile, seconds in the job. */
export function jobLimits(s: Profile['schedule']): Partial<JobLimits> {
  const minutes = (m: number | undefined) => (typeof m === 'number' && m > 0 ? m * 60 : undefined);
  return {
    lockAlertAfterSeconds: minutes(s.lockAlertAfter) ?? cronIntervalSeconds(s.cron),
    stallSeconds: minutes(s.stallMinutes),
    // Fine-grained watching only matters for short stall bounds (tests, impatient users).
    watchEverySeconds: s.stallMinutes !== undefined && s.stallMinutes * 60 < 150 ? Math.max(1, Math.floor((s.stallMinutes * 60) / 10)) : undefined,
    retryAttempts: s.retries,
    retryDelaySeconds: s.retryDelay,
    drillWaitSeconds: minutes(s.drillWait),
    netTimeoutSeconds: s.stallMinutes !== undefined ? Math.min(30, s.stallMinutes * 60) : undefined,
  };
}

/**
 * Writes a profile folder: settings, secrets (0600 files or the keyring), exclude list, restore note
 * and the backup script (0700). The same input twice leaves every file byte-identical and untouched.
 */
export async function writeBackupJob(input: JobInput): Promise<JobResult> {
  const { dir } = input;
  const p = input.profile;
  const roots = p.sources?.length ? normaliseRoots(p.sources) : undefined;
  for (const folder of roots ?? [p.source]) {
    const found = await stat(folder).catch(() => undefined);
    if (!found?.isDirectory()) throw new UserError(`The source ${folder} is not a folder.`, { fix: 'Give the absolute path of an existing folder to back up.', code: 'bad-source' });
  }
  const databases = p.databases ?? [];
  if (databases.length && (!roots || !p.dumpDir)) throw new Error('writeBackupJob: databases need "sources" and "dumpDir"');
  const problem = await databaseFilesProblem(databases);
  if (problem) throw problem;
  const items = dumpPlan(databases);
  const tools = items.length ? input.tools.dumps ?? await dumpTools(items) : undefined;
  if (p.secrets === 'keyring' && (!input.keyring || !input.tools.secretTool)) {
    throw new UserError('Secrets in the keyring need a usable keyring and secret-tool for the job to read them.', { fix: 'apt-get install libsecret-tools, unlock the keyring, or choose "file".', code: 'keyring-unusable' });
  }
  await ensureOwnerOnlyDir(dir);
  const files: Record<string, WriteOutcome> = {};
  const archiveDir = p.archiveDir ?? join(dir, PROFILE_FILES.archive);
  await mkdir(archiveDir, { recursive: true, mode: 0o700 });
  await chmod(archiveDir, 0o700);

  files.secrets = await storeSecrets(input);

  const excludeFile = join(dir, PROFILE_FILES.exclude);
  files[PROFILE_FILES.exclude] = await writeFileAtomic(excludeFile, p.exclude.map((e) => `${e}\n`).join(''), 0o600);
  // Several folders: one filelist says what is in (the folders, the dumps) and out (the cache, half-written dumps).
  const filelist = join(dir, PROFILE_FILES.filelist);
  if (roots) {
    if (p.dumpDir && databases.length) await ensureOwnerOnlyDir(p.dumpDir);
    const text = selectionFilelist({
      layout: 'roots', exclude: p.exclude,
      roots: normaliseRoots([...roots, ...(p.dumpDir && databases.length ? [p.dumpDir] : [])]),
      alwaysExclude: [archiveDir, ...(p.dumpDir ? [`${p.dumpDir}/.*.partial`] : [])],
    });
    files[PROFILE_FILES.filelist] = await writeFileAtomic(filelist, text, 0o600);
  }

  const script = join(dir, PROFILE_FILES.script);
  const profile: Profile = {
    ...p,
    ...(roots ? { source: '/', sources: roots } : {}),
    archiveDir,
    tools: { duplicity: input.tools.duplicity.path, duplicityVersion: input.tools.duplicity.version.text, gpg: input.tools.gpg },
    script,
  };
  if (input.volsize !== undefined) profile.schedule = { ...profile.schedule, volsize: input.volsize };
  files[PROFILE_FILES.settings] = await writeFileAtomic(join(dir, PROFILE_FILES.settings), serializeProfile(profile), 0o600);
  files[PROFILE_FILES.note] = await writeFileAtomic(join(dir, PROFILE_FILES.note), restoreNote(profile, dir, script), 0o600);

  const text = generateScript({
    profile: p.name,
    profileDir: dir,
    source: profile.source,
    target: `swift://${p.container}`,
    gnupgHome: p.gnupgHome,
    home: input.home,
    swiftEnv: input.swiftEnv,
    tools: {
      duplicity: input.tools.duplicity.path, duplicityVersion: input.tools.duplicity.version.text, family: input.tools.duplicity.family,
      gpg: input.tools.gpg, flock: input.tools.flock, curl: input.tools.curl, mail: input.tools.mail,
    },
    keys: p.keys,
    fullEvery: p.schedule.fullEvery,
    keepFull: p.schedule.keepFull,
    volsize: profile.schedule.volsize,
    parallelUploads: input.parallelUploads,
    numRetries: input.numRetries,
    archiveDir,
    excludeFile: !roots && p.exclude.length ? excludeFile : undefined,
    includeFile: roots ? filelist : undefined,
    dumps: tools && p.dumpDir ? { dir: p.dumpDir, items, tools } : undefined,
    hooks: p.hooks ? { before: p.hooks.before ?? [], after: p.hooks.after ?? [] } : undefined,
    logFile: join(dir, PROFILE_FILES.log),
    lockFile: join(dir, PROFILE_FILES.lock),
    metricsDir: p.schedule.metricsDir,
    secrets: p.secrets === 'keyring'
      ? { kind: 'keyring', secretTool: input.tools.secretTool! }
      : { kind: 'file', dir: join(dir, PROFILE_FILES.secrets) },
    alert: p.alert,
    tmpRoot: join(dir, PROFILE_FILES.tmp),
    limits: jobLimits(p.schedule),
    appCredential: p.openstack.authType === 'v3applicationcredential'
      ? { authUrl: p.openstack.authUrl, id: p.openstack.applicationCredentialId ?? '', region: p.openstack.region, interface: p.openstack.interface }
      : undefined,
  });
  files[PROFILE_FILES.script] = await writeFileAtomic(script, text, 0o700);
  return { profile, profileDir: dir, script, files };
}
