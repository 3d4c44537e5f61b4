import { count } from '../core/words';
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RestoreOptions } from '../commands/restore';
import { UserError } from '../core/errors';
import type { FlagFamily } from '../core/duplicity/version';
import { pickEndpoint, regionsOf } from '../core/openstack/catalog';
import { assertProjectDomain, login, resolveProject, toTarget } from '../core/openstack/connect';
import { authUrlProblem, discover } from '../core/openstack/discovery';
import type { HttpOptions } from '../core/openstack/http';
import { looksLikeId, type ConnectionInput } from '../core/openstack/os-env';
import type { SwiftAuth } from '../core/openstack/swift';
import type { OpenStackTarget } from '../core/openstack/target';
import type { Profile } from '../core/profile/types';
import { collectionStatus, pointsInTime, timeArg, type CollectionStatus } from '../core/restore/collection';
import { listBackupContainers } from '../core/restore/containers';
import { detectDuplicity, type Duplicity } from '../core/duplicity/detect';
import { listProfiles } from '../core/profile/load';
import { listFiles, type FileIndex } from '../core/restore/listing';
import { restore, type RestoreSummary } from '../core/restore/restore';
import { defaultGnupgHome, freshArchiveDir, PROFILE_SECRETS, profileSecret, timeProblem } from '../core/restore/resolve';
import type { BackupSource } from '../core/restore/source';
import { assertContainerExists, openBackupStore, profileInput, type OpenStackGiven } from '../core/restore/swift-login';
import { assertWritable, inspectTarget } from '../core/restore/target-dir';
import { displayPath, parsePathArgument } from '../core/restore/names';
import { verify, type VerifyReport } from '../core/restore/verify';
import { dumpRestoredLines, restoreItems } from '../core/databases/restore-items';
import type { Choice, SecretQuestion } from '../prompt/port';
import type { FlowContext } from './context';
import { runSteps, type Step } from './run-steps';
import { chooseProject } from './setup/keystone';

/** What the restore wizard has learned so far; a step that is re-run finds its earlier answers here. */
export interface RestoreState {
  ctx: FlowContext;
  flags: RestoreOptions;
  /** The OpenStack options and OS_* settings, as the command resolved them. */
  given: OpenStackGiven;
  family?: FlagFamily;
  duplicity?: Duplicity;
  mode?: { kind: 'profile'; profile: Profile & { dir: string } } | { kind: 'bare' };
  gnupgHome?: string;
  signKey?: string;
  passphrases?: { encrypt: string; sign: string };
  /** `auth` once Keystone has been asked (a bare machine lists the containers with it). */
  openstack?: { target: OpenStackTarget; password: string; auth?: SwiftAuth };
  container?: string;
  archiveDir?: string;
  status?: CollectionStatus;
  /** duplicity --time, and how to show it. */
  time?: { arg?: string; label: string };
  index?: FileIndex;
  /** Undefined: everything. */
  path?: string;
  summary?: RestoreSummary;
  verify?: VerifyReport;
}

export interface RestoreOutcome {
  restored?: RestoreSummary;
  verify?: VerifyReport;
}

const EVERYTHING = '\u0000everything';
const REFILTER = '\u0000filter';
/** How many matches a browse screen offers at once; the filter narrows the rest. */
export const BROWSE_LIMIT = 200;

function sourceOf(state: RestoreState): BackupSource {
  if (!state.openstack || !state.container || !state.passphrases || !state.gnupgHome || !state.archiveDir) throw new Error('restore flow: source asked for before it was settled');
  return {
    location: { kind: 'swift', target: state.openstack.target, password: state.openstack.password, container: state.container },
    gnupgHome: state.gnupgHome,
    encryptPassphrase: state.passphrases.encrypt,
    signPassphrase: state.passphrases.sign,
    signKey: state.signKey,
    archiveDir: state.archiveDir,
    duplicity: state.duplicity,
  };
}

/**
 * A secret from its environment variable when set (a sourced openrc, a recovery script), else asked.
 * The answers front end does the same on its own; the TUI and line mode would ask regardless.
 */
async function secretOf(ctx: FlowContext, q: SecretQuestion): Promise<string> {
  const fromEnv = ctx.env[q.env];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : ctx.prompt.secret(q);
}

function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

async function profilesIn(configDir: string | undefined, env: NodeJS.ProcessEnv): Promise<string[]> {
  return (await listProfiles({ configDir, env })).map((p) => p.name).sort();
}

const sourceStep: Step<RestoreState> = {
  id: 'source',
  title: 'Start',
  async run(state) {
    const { prompt, env } = state.ctx;
    state.duplicity ??= await detectDuplicity(env, state.ctx.signal);
    state.family = state.duplicity.family;
    let choice = state.flags.profile ?? (state.flags.container ? 'bare' : undefined);
    if (!choice) {
      const profiles = await profilesIn(state.ctx.configDir, env);
      const choices: Choice<string>[] = [
        ...profiles.map((p) => ({ value: p, label: `Profile ${p}`, hint: 'this machine\'s backup settings' })),
        { value: 'bare', label: 'A new machine', hint: 'import the exported keys, log in to Keystone, pick the container' },
      ];
      choice = await prompt.select({ id: 'restore.from', message: 'Where does the backup come from?', choices, default: profiles[0] ?? 'bare' });
    }
    if (choice === 'bare') {
      state.mode = { kind: 'bare' };
      return;
    }
    const { loadProfile } = await import('../core/profile/load');
    const profile = await loadProfile(choice, state.ctx.configDir);
    state.mode = { kind: 'profile', profile };
    state.gnupgHome = profile.gnupgHome;
    state.signKey = profile.keys.sign;
    const [password, encrypt, sign] = await Promise.all(PROFILE_SECRETS.map((s) => profileSecret(profile, s.name, s.env, env)));
    const encryptPassphrase = encrypt ?? (await secretOf(state.ctx, { id: 'keys.encryptPassphrase', env: 'DUPLISWIFT_ENCRYPT_PASSPHRASE', message: 'Passphrase of the encryption key:' }));
    state.passphrases = { encrypt: encryptPassphrase, sign: sign ?? encryptPassphrase };
    state.openstack = {
      target: profile.openstack,
      password: state.given.stdinPassword ?? password ?? (await secretOf(state.ctx, { id: 'openstack.password', env: 'OS_PASSWORD', message: `OpenStack password for ${profile.openstack.username}:` })),
    };
    state.container = profile.container;
  },
};

const keysStep: Step<RestoreState> = {
  id: 'keys',
  title: 'Keys',
  async run(state) {
    if (state.mode?.kind !== 'bare') return;
    const { prompt, env, signal } = state.ctx;
    state.gnupgHome ??= defaultGnupgHome(env);
    const how = await prompt.select({
      id: 'restore.keys',
      message: 'The backup keys: import them from the exported .asc files?',
      choices: [
        { value: 'import', label: 'Import from .asc files', hint: 'dupliswift keys export wrote them (or gpg --armor --export-secret-keys)' },
        { value: 'have', label: `They are already in ${state.gnupgHome}` },
      ],
      default: 'import',
    });
    if (how === 'import') {
      const text = await prompt.text({
        id: 'keys.import.files',
        message: 'The key files (.asc), separated by spaces (quote a path with spaces, or give one per line):',
        help: 'Both keys: encryption and signing. A USB stick or the paper copy\'s files.',
        validate: (value) => (value.trim() ? undefined : 'Give at least one file.'),
      });
      const { splitPathList } = await import('../core/fs/path-list');
      const paths = (await splitPathList(text)).map((p) => resolve(p));
      const { inspectKeyFiles, importKeyFiles } = await import('../core/keys/import-files');
      const keys = await prompt.task({ running: 'Importing the keys into GnuPG', done: 'Keys imported' }, async () => {
        const files = await inspectKeyFiles(state.gnupgHome!, paths, signal);
        return importKeyFiles(state.gnupgHome!, files, signal);
      });
      prompt.show({ title: `${keys.length} keys in ${state.gnupgHome}`, lines: keys.map((k) => `${k.fingerprint} ${k.secret ? 'secret' : 'public only'} ${k.userIds[0] ?? ''}`), tone: keys.some((k) => k.secret) ? 'success' : 'warning' });
      if (!keys.some((k) => k.secret)) throw new UserError('None of those files holds a secret key: a backup cannot be decrypted with public keys.', { fix: 'Import the secret key export (the file with PRIVATE KEY BLOCK inside).', code: 'no-secret-key' });
    }
    const encrypt = await secretOf(state.ctx, { id: 'keys.encryptPassphrase', env: 'DUPLISWIFT_ENCRYPT_PASSPHRASE', message: 'Passphrase of the encryption key:' });
    // Restoring needs the encryption key's passphrase; the signing one only matters when it differs.
    // Given through the environment, an unset DUPLISWIFT_SIGN_PASSPHRASE means "the same".
    const sign = env.DUPLISWIFT_SIGN_PASSPHRASE
      ?? (prompt.kind === 'answers' || env.DUPLISWIFT_ENCRYPT_PASSPHRASE ? encrypt
        : await prompt.secret({ id: 'keys.signPassphrase', env: 'DUPLISWIFT_SIGN_PASSPHRASE', message: 'Passphrase of the signing key (Enter: the same):' }));
    state.passphrases = { encrypt, sign: sign || encrypt };
  },
};

function httpOf(state: RestoreState): HttpOptions {
  return { ...state.given.http, cacert: state.openstack?.target.cacert ?? state.given.prefill.input.cacert };
}

/** A profile's saved target (with the command line's options over it), settled through Keystone. */
async function openProfileStore(state: RestoreState): Promise<void> {
  const { target, password } = state.openstack!;
  const store = await state.ctx.prompt.task({ running: 'Logging in to Keystone', done: 'Logged in' }, () =>
    openBackupStore(profileInput(target, state.given.explicit), { password }, httpOf(state)));
  state.openstack = { target: store.target, password, auth: store.auth };
}

/**
 * A bare machine: what the command line gave is taken as given; the rest is asked, with OS_*,
 * --openrc and clouds.yaml as defaults. v2.0's tenant:user form names the tenant in the user name.
 */
async function askKeystone(state: RestoreState): Promise<void> {
  const { prompt } = state.ctx;
  const f = state.flags;
  const pre = state.given.prefill.input;
  const http = httpOf(state);
  const authUrl = f.authUrl ?? (await prompt.text({ id: 'openstack.authUrl', message: 'Keystone URL:', default: pre.authUrl, validate: authUrlProblem }));
  const { base, version } = await discover(authUrl, pre.identityVersion, http);
  const username = f.username ?? (await prompt.text({ id: 'openstack.username', message: version === '2.0' ? 'OpenStack user name (or tenant:user):' : 'OpenStack user name:', default: pre.username }));
  const input: ConnectionInput = {
    ...pre, authUrl: base, identityVersion: version, username,
    userId: undefined, userDomainName: undefined, userDomainId: undefined, applicationCredentialId: undefined, applicationCredentialName: undefined,
  };
  if (version === '3') {
    const domain = f.userDomain ?? (await prompt.text({ id: 'openstack.userDomain', message: 'The user\'s domain:', default: pre.userDomainName ?? pre.userDomainId ?? 'Default' }));
    input[looksLikeId(domain) ? 'userDomainId' : 'userDomainName'] = domain;
  }
  const password = state.given.prefill.secrets.password ?? (await prompt.secret({ id: 'openstack.password', env: 'OS_PASSWORD', message: `OpenStack password for ${username}:` }));
  const session = await prompt.task({ running: 'Logging in to Keystone', done: 'Logged in' }, () => login(input, { password }, http));
  const named = f.project ?? session.tenantFromUsername;
  const project = named ? resolveProject(session, { ...input, projectName: named, projectId: undefined })! : await chooseProject(prompt, session, input);
  const scoped = await session.scope(project);
  if (named) assertProjectDomain(scoped, input);
  const regions = regionsOf(scoped.endpoints);
  const region = f.region ?? (regions.length > 1
    ? await prompt.select({ id: 'openstack.region', message: 'Which region?', choices: regions.map((r) => ({ value: r, label: r || '(no region)' })), default: pre.region && regions.includes(pre.region) ? pre.region : undefined })
    : regions[0]);
  const endpoint = pickEndpoint(scoped.endpoints, { region, interface: pre.interface ?? 'public' });
  state.openstack = { target: toTarget(session, scoped, endpoint, input), password, auth: { endpoint: endpoint.url, token: scoped.token } };
}

const keystoneStep: Step<RestoreState> = {
  id: 'keystone',
  title: 'Keystone',
  async run(state) {
    if (state.mode?.kind === 'bare') await askKeystone(state);
    else await openProfileStore(state);
  },
};

const containerStep: Step<RestoreState> = {
  id: 'container',
  title: 'Container',
  async run(state) {
    if (!state.openstack?.auth) return;
    const { auth, target } = state.openstack;
    const given = state.mode?.kind === 'bare' ? state.flags.container : state.container;
    if (given) {
      await assertContainerExists(auth, given, target.projectName, httpOf(state));
      state.container = given;
      return;
    }
    const { prompt } = state.ctx;
    const containers = await prompt.task({ running: 'Listing the containers', done: 'Containers listed' }, () => listBackupContainers(auth, httpOf(state)));
    const withBackups = containers.filter((c) => c.hasBackup);
    if (!containers.length) throw new UserError(`Project ${target.projectName} has no containers.`, { fix: 'Pick the project the backups went to.', code: 'no-backup' });
    const ordered = [...withBackups, ...containers.filter((c) => !c.hasBackup)];
    state.container = await prompt.select({
      id: 'container',
      message: `Which container? (${withBackups.length} of ${containers.length} hold duplicity backups, marked ●)`,
      choices: ordered.map((c) => ({ value: c.name, label: `${c.hasBackup ? '●' : '○'} ${c.name}`, hint: c.hasBackup ? `backup, last full ${c.lastFull}` : `${c.objects} objects, no backup` })),
      default: state.container ?? withBackups[0]?.name,
    });
  },
};

const timeStep: Step<RestoreState> = {
  id: 'time',
  title: 'Point in time',
  async run(state) {
    const { prompt, signal } = state.ctx;
    state.archiveDir ??= await freshArchiveDir();
    const status = await prompt.task({ running: `Reading the backup chains in ${state.container}`, done: 'Backup chains read' }, () => collectionStatus(sourceOf(state), signal));
    state.status = status;
    const points = pointsInTime(status);
    if (!points.length) throw new UserError(`The container ${state.container} holds no complete duplicity backup.`, { fix: 'Pick a container marked ● (it holds backup manifests).', code: 'no-backup' });
    prompt.show({
      title: `${count(status.chains.length, 'chain')}, ${count(points.length, 'point in time', 'points in time')}`,
      lines: status.chains.map((c, i) => `chain ${i + 1}${c.primary ? ' (current)' : ''}: ${utc(c.start)} → ${utc(c.end)}, ${count(c.sets.length, 'backup set')}`),
    });
    if (state.flags.time) {
      state.time = { arg: state.flags.time, label: state.flags.time };
      return;
    }
    const arg = await prompt.select({
      id: 'restore.time',
      message: 'Restore the files as they were at:',
      choices: points.map((p, i) => ({ value: timeArg(p.time), label: `${utc(p.time)}  ${p.type === 'full' ? 'full' : 'incremental'}${i === 0 ? ' (newest)' : ''}`, hint: `chain ${p.chain + 1}, ${count(p.volumes, 'volume')}` })),
      default: timeArg(points[0]!.time),
    });
    const point = points.find((p) => timeArg(p.time) === arg);
    state.time = { arg, label: point ? utc(point.time) : arg };
  },
};

const browseStep: Step<RestoreState> = {
  id: 'browse',
  title: 'Files',
  async run(state) {
    const { prompt, signal } = state.ctx;
    if (state.flags.path !== undefined) {
      state.path = parsePathArgument(state.flags.path);
      return;
    }
    if (state.flags.verify) {
      state.path = undefined;
      return;
    }
    const index = await prompt.task({ running: `Reading the file list as of ${state.time?.label}`, done: 'File list read' }, (report) =>
      listFiles(sourceOf(state), { time: state.time?.arg, signal, onProgress: (n) => report(`${n.toLocaleString('en')} entries`) }));
    state.index = index;
    let filter = '';
    for (;;) {
      const { entries, total } = index.filter(filter, BROWSE_LIMIT);
      const more = total - entries.length;
      const choices: Choice<string>[] = [
        { value: EVERYTHING, label: 'Everything', hint: `all ${index.size.toLocaleString('en')} entries` },
        { value: REFILTER, label: filter ? `Filter: "${filter}" (change)` : 'Filter the list…', hint: more > 0 ? `${more.toLocaleString('en')} more match; narrow the filter` : `${total.toLocaleString('en')} shown` },
        // A profile of several folders: each dump and each folder is an item of its own.
        ...(filter || state.mode?.kind !== 'profile' ? [] : restoreItems(state.mode.profile).map((i) => ({ value: i.path, label: i.label, hint: i.path }))),
        ...entries.map((e) => ({ value: e.path, label: `${displayPath(e.path)}${e.type === 'dir' ? '/' : e.type === 'sym' ? ' →' : ''}`, hint: utc(e.mtime) })),
      ];
      const picked = await prompt.select({ id: 'restore.path', message: `Restore what? (${total.toLocaleString('en')} of ${index.size.toLocaleString('en')} entries match)`, choices, default: EVERYTHING });
      if (picked === REFILTER) {
        filter = (await prompt.text({ id: 'restore.filter', message: 'Show paths containing (words, any case; empty for all):', default: filter })).trim();
        continue;
      }
      state.path = picked === EVERYTHING ? undefined : picked;
      return;
    }
  },
};

const restoreStep: Step<RestoreState> = {
  id: 'restore',
  title: 'Restore',
  async run(state) {
    const { prompt, signal } = state.ctx;
    const source = sourceOf(state);
    if (state.flags.verify) {
      const liveDefault = state.flags.target ?? (state.mode?.kind === 'profile' ? state.mode.profile.source : undefined);
      const against = await prompt.text({ id: 'restore.verifyAgainst', message: 'Compare the backup with which live folder?', default: liveDefault });
      state.verify = await prompt.task({ running: `Comparing the backup with ${against}`, done: 'Compared' }, () => verify({ source, against, time: state.time?.arg, path: state.path, flagFamily: state.family!, signal }));
      const v = state.verify;
      prompt.show({ title: v.ok ? `Backup and live files agree (${v.compared} files compared)` : `${v.differences.length} differences (${v.compared} files compared)`, lines: v.differences.slice(0, 30), tone: v.ok ? 'success' : 'warning' });
      return;
    }
    let overwrite = false;
    let target: string;
    for (;;) {
      target = resolve(state.flags.target ?? (await prompt.text({
        id: 'restore.target',
        message: 'Restore into which folder? (new or empty; nothing there is replaced unless you say so)',
        default: `./restored-${state.container}`,
        validate: (v) => (v.trim() ? undefined : 'Give a folder.'),
      })));
      const there = await inspectTarget(target);
      if (there.kind === 'not-a-directory') {
        prompt.show({ title: `${target} is a file, not a folder.`, tone: 'error' });
        if (state.flags.target) throw new UserError(`The restore target ${target} is not a folder; nothing was restored.`, { code: 'target-not-dir' });
        continue;
      }
      const unwritable = await assertWritable(target, there).then(() => undefined, (error: unknown) => error);
      if (unwritable) {
        if (state.flags.target || prompt.kind === 'answers' || !(unwritable instanceof UserError)) throw unwritable;
        prompt.show({ title: unwritable.message, lines: unwritable.fix ? [unwritable.fix] : [], tone: 'error' });
        continue;
      }
      if (there.kind !== 'non-empty') break;
      overwrite = await prompt.confirm({
        id: 'restore.overwrite',
        message: `${target} is not empty (${there.entries} entries). Restore into it anyway, replacing files of the same name?`,
        default: false,
        destructive: true,
      });
      if (overwrite) break;
      if (state.flags.target) throw new UserError(`The restore target ${target} is not empty; nothing was restored or changed.`, { fix: 'Pick a new or empty folder.', code: 'target-not-empty' });
    }
    state.summary = await prompt.task({ running: `Restoring ${state.path === undefined ? 'everything' : displayPath(state.path)} into ${target}`, done: 'Restore finished' }, (report) =>
      restore({ source, path: state.path, time: state.time?.arg, target, overwrite, flagFamily: state.family!, signal, onProgress: report }));
    const s = state.summary;
    prompt.show({
      title: `Restored ${count(s.files, 'file')} (${count(s.bytes, 'byte')})`,
      lines: [`into ${s.restoredAt}`, `as of ${state.time?.label ?? 'the newest backup'}`, `${count(s.directories, 'folder')}, ${count(s.symlinks, 'symlink')}; modes and times as in the backup`],
      tone: 'success',
    });
    const dump = state.mode?.kind === 'profile' && state.path ? restoreItems(state.mode.profile).find((i) => i.path === state.path && i.dump)?.dump : undefined;
    if (dump) prompt.show({ title: `${dump.label}: dump file restored`, lines: dumpRestoredLines(dump, s.restoredAt), tone: 'info' });
  },
};

export const restoreSteps: Step<RestoreState>[] = [sourceStep, keysStep, keystoneStep, containerStep, timeStep, browseStep, restoreStep];

/** The guided restore, front-end agnostic: from a profile or a bare machine to restored files. */
export async function runRestore(ctx: FlowContext, flags: RestoreOptions, given: OpenStackGiven): Promise<RestoreOutcome> {
  if (flags.time) {
    const problem = timeProblem(flags.time);
    if (problem) throw new UserError(problem, { code: 'usage', exitCode: 2 });
  }
  const state: RestoreState = { ctx, flags, given };
  try {
    await runSteps(ctx.prompt, restoreSteps, state);
  } finally {
    if (state.archiveDir) await rm(state.archiveDir, { recursive: true, force: true });
  }
  return { restored: state.summary, verify: state.verify };
}
