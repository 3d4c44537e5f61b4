import { count, formatBytes } from '../core/words';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GlobalOptions } from '../cli';
import { UsageError } from '../core/errors';
import { closeConnections } from '../core/openstack/http';
import { assertContainerName } from '../core/openstack/swift';
import { detectDuplicity } from '../core/duplicity/detect';
import { restore, type RestoreSummary } from '../core/restore/restore';
import { APP_CREDENTIAL_SECRET, defaultGnupgHome, freshArchiveDir, PROFILE_SECRETS, profileSecret, timeProblem } from '../core/restore/resolve';
import type { BackupSource } from '../core/restore/source';
import { assertContainerExists, openBackupStore, profileInput, type OpenStackGiven } from '../core/restore/swift-login';
import { assertRestorable, inspectTarget, assertWritable } from '../core/restore/target-dir';
import { parsePathArgument } from '../core/restore/names';
import { verify, type VerifyReport } from '../core/restore/verify';
import { canPrompt, openSession } from '../session';
import { flagsToInput, httpOptions, resolveOpenStack, type OpenStackFlags } from './openstack-options';
import { printJson } from './output';
import type { Profile } from '../core/profile/types';
import { dumpRestoredLines, restoreItems } from '../core/databases/restore-items';
import { loadCommand } from '../core/databases/plan';

export interface RestoreOptions extends GlobalOptions, OpenStackFlags {
  /** Restore's own --profile: the backup a profile describes (not tenants' "password from this profile"). */
  profile?: string;
  container?: string;
  time?: string;
  path?: string;
  target?: string;
  verify?: boolean;
  configDir?: string;
}

interface Hooks {
  onCancel: () => void;
  signal: AbortSignal;
}

/**
 * The OpenStack options, read once (--password-stdin consumes stdin). With --profile the profile
 * says where the backup is, so the shell's OS_* variables, perhaps another cloud's, stay out of it;
 * only what the command line says is laid over the profile.
 */
async function openStackGiven(opts: RestoreOptions, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<OpenStackGiven> {
  if (opts.profile && (opts.osCloud || opts.openrc)) {
    throw new UsageError('--os-cloud and --openrc name a cloud, and --profile already names one.', 'Drop them, or restore with --container and the cloud\'s settings instead of --profile.');
  }
  const { profile, ...flags } = opts;
  const prefill = await resolveOpenStack(flags, profile ? {} : env);
  return {
    prefill,
    explicit: flagsToInput(flags),
    stdinPassword: opts.passwordStdin ? prefill.secrets.password : undefined,
    http: httpOptions(env, signal),
  };
}

/** Everything duplicity needs, from a profile or from --container with the OpenStack options, settled through Keystone. */
async function sourceFromOptions(opts: RestoreOptions, env: NodeJS.ProcessEnv, given: OpenStackGiven): Promise<{ source: BackupSource; liveRoot?: string; profile?: Profile }> {
  const need = (value: string | undefined, what: string, envName: string): string => {
    if (value !== undefined) return value;
    throw new UsageError(`No ${what}: nobody to ask (non-interactive) and ${envName} is not set.`, `Export ${envName}${envName === 'OS_PASSWORD' ? ' or pass --password-stdin' : ''}; secrets never go on the command line.`);
  };
  if (opts.profile) {
    const { loadProfile } = await import('../core/profile/load');
    const profile = await loadProfile(opts.profile, opts.configDir);
    const [password, encrypt, sign] = await Promise.all(PROFILE_SECRETS.map((s) => profileSecret(profile, s.name, s.env, env)));
    const encryptPassphrase = need(encrypt, 'encryption passphrase', 'DUPLISWIFT_ENCRYPT_PASSPHRASE');
    // An application credential's secret is kept beside the passphrases, as the job reads it.
    const loginSecrets = profile.openstack.authType === 'v3applicationcredential'
      ? { applicationCredentialSecret: need(await profileSecret(profile, APP_CREDENTIAL_SECRET, 'OS_APPLICATION_CREDENTIAL_SECRET', env), 'application credential secret', 'OS_APPLICATION_CREDENTIAL_SECRET') }
      : { password: given.stdinPassword ?? need(password, 'OpenStack password', 'OS_PASSWORD') };
    const store = await openBackupStore(profileInput(profile.openstack, given.explicit), loginSecrets, given.http);
    await assertContainerExists(store.auth, profile.container, store.target.projectName, store.http);
    return {
      liveRoot: profile.source,
      profile,
      source: {
        location: { kind: 'swift', target: store.target, password: store.password, container: profile.container, preauth: store.preauth },
        gnupgHome: profile.gnupgHome,
        encryptPassphrase,
        signPassphrase: sign ?? encryptPassphrase,
        signKey: profile.keys.sign,
        archiveDir: await freshArchiveDir(),
      },
    };
  }
  const encryptPassphrase = need(env.DUPLISWIFT_ENCRYPT_PASSPHRASE, 'encryption passphrase', 'DUPLISWIFT_ENCRYPT_PASSPHRASE');
  const store = await openBackupStore(given.prefill.input, given.prefill.secrets, given.http);
  await assertContainerExists(store.auth, opts.container!, store.target.projectName, store.http);
  return {
    source: {
      location: { kind: 'swift', target: store.target, password: store.password, container: opts.container!, preauth: store.preauth },
      gnupgHome: defaultGnupgHome(env),
      encryptPassphrase,
      // One key for both jobs (the tutorial's way) means one passphrase.
      signPassphrase: env.DUPLISWIFT_SIGN_PASSPHRASE ?? encryptPassphrase,
      archiveDir: await freshArchiveDir(),
    },
  };
}

export function summaryLines(s: RestoreSummary): string[] {
  return [
    `${count(s.files, 'file')} (${formatBytes(s.bytes)}), ${count(s.directories, 'folder')}, ${count(s.symlinks, 'symlink')} in ${s.seconds.toFixed(1)} s`,
    `into ${s.restoredAt}${s.time ? ` (as of ${s.time})` : ' (newest backup)'}`,
  ];
}

/** Non-interactive: everything from flags and the environment; refuses before touching anything. */
async function restoreDirect(opts: RestoreOptions, given: OpenStackGiven, hooks: Hooks): Promise<number> {
  const env = process.env;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (!opts.verify) {
    // The target check comes first: a refused restore makes no network call and writes nothing.
    const target = resolve(opts.target!);
    const state = await inspectTarget(target);
    assertRestorable(target, state, false);
    await assertWritable(target, state);
  }
  const dup = await detectDuplicity(env, hooks.signal);
  const found = await sourceFromOptions(opts, env, given);
  const source = { ...found.source, duplicity: dup };
  const { liveRoot } = found;
  try {
    if (opts.verify) {
      const against = opts.target ?? liveRoot;
      if (!against) throw new UsageError('--verify needs the live folder to compare with.', 'Pass --target DIR (with --profile it defaults to the profile\'s source).');
      log(`… Comparing the backup with ${against} (every byte is read back)`);
      const report = await verify({ source, against, time: opts.time, path: opts.path, flagFamily: dup.family, signal: hooks.signal });
      printVerify(report, Boolean(opts.json), log);
      return report.ok ? 0 : 1;
    }
    log(`… Restoring ${opts.path ?? 'everything'} into ${resolve(opts.target!)}`);
    const summary = await restore({
      // --path takes a name that is not UTF-8 as browse shows it: \xHH for each such byte.
      source, path: opts.path === undefined ? undefined : parsePathArgument(opts.path), time: opts.time, target: opts.target!, flagFamily: dup.family, signal: hooks.signal,
      onProgress: (detail) => log(`  ${detail}`),
    });
    // A dump restored is a file, never loaded: say how to load it.
    const dump = found.profile && summary.path ? restoreItems(found.profile).find((i) => i.path === summary.path && i.dump)?.dump : undefined;
    if (opts.json) printJson({ restored: summary, ...(dump ? { dump: { label: dump.label, file: summary.restoredAt, load: loadCommand(dump, summary.restoredAt) } } : {}) });
    log(`✔ Restored ${summaryLines(summary).join(', ')}`);
    if (dump) for (const line of [`${dump.label}:`, ...dumpRestoredLines(dump, summary.restoredAt)]) log(line);
    return 0;
  } finally {
    await rm(source.archiveDir, { recursive: true, force: true });
  }
}

export function printVerify(report: VerifyReport, json: boolean, log: (line: string) => void): void {
  if (json) printJson({ verify: report });
  if (report.ok) log(`✔ Backup and live files agree: ${report.compared} files compared.`);
  else {
    log(`✖ ${report.differences.length} differences between the backup and ${report.against} (${report.compared} files compared):`);
    for (const d of report.differences.slice(0, 50)) log(`  ${d}`);
    if (report.differences.length > 50) log(`  … and ${report.differences.length - 50} more (--json lists all)`);
  }
}

export async function restoreCommand(opts: RestoreOptions, hooks: Hooks): Promise<number> {
  if (opts.profile && opts.container) throw new UsageError('Give either --profile or --container, not both.');
  if (opts.time) {
    const problem = timeProblem(opts.time);
    if (problem) throw new UsageError(problem);
  }
  if (opts.path !== undefined) {
    const { normalizeBackupPath } = await import('../core/restore/restore');
    normalizeBackupPath(opts.path);
  }
  if (opts.container) assertContainerName(opts.container);
  const complete = Boolean((opts.profile || opts.container) && (opts.target || opts.verify));
  if (!complete && !canPrompt() && !opts.answers) {
    throw new UsageError(
      'dupliswift restore needs a terminal to ask its questions, and none is attached.',
      'Pass everything: --profile NAME (or --container C with OS_* variables) and --target DIR (or --verify); secrets from OS_PASSWORD, DUPLISWIFT_ENCRYPT_PASSPHRASE, DUPLISWIFT_SIGN_PASSPHRASE.',
    );
  }
  try {
    const given = await openStackGiven(opts, process.env, hooks.signal);
    if (complete && !opts.answers) return await restoreDirect(opts, given, hooks);
    return await restoreGuided(opts, given, hooks);
  } finally {
    // Keep-alive sockets to Keystone and Swift would hold the process open.
    closeConnections();
  }
}

async function restoreGuided(opts: RestoreOptions, given: OpenStackGiven, hooks: Hooks): Promise<number> {
  const session = await openSession({ plain: opts.plain, answers: opts.answers, yes: opts.yes, title: 'restore' }, hooks);
  try {
    const { runRestore } = await import('../flows/restore');
    const outcome = await runRestore({ prompt: session.prompt, env: session.env, signal: session.signal, configDir: opts.configDir }, opts, given);
    await session.prompt.close();
    if (opts.json) printJson(outcome);
    return outcome.verify && !outcome.verify.ok ? 1 : 0;
  } catch (error) {
    await session.prompt.close().catch(() => undefined);
    throw error;
  }
}

