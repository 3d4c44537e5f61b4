import { stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import { detectDuplicity, requireTool } from '../../core/duplicity/detect';
import { DEFAULT_VOLSIZE_MB, VOLSIZE_REASON } from '../../core/duplicity/flags';
import { UserError } from '../../core/errors';
import { which } from '../../core/exec';
import { duplicitySwiftEnv, SECRET_SWIFT_VARS } from '../../core/openstack/duplicity-env';
import { profileChanges } from '../../core/profile/diff';
import { loadProfile } from '../../core/profile/load';
import { checkProfileName, configRoot, profileDir } from '../../core/profile/paths';
import type { Profile } from '../../core/profile/types';
import { cronProblem } from '../../core/schedule/cron-expression';
import {
  alertMailProblem, DEFAULT_DRILL, drillProblem, excludeProblem, fullEveryProblem, pingUrlProblem, positiveInt, secretsForInstallProblem, sourceProblem, volsizeProblem,
} from './answer-checks';
import { failureOf, probeTestFile, progressOf, runScript, sourceBytes, verifyBackup } from '../../core/schedule/first-run';
import { installSchedule } from '../../core/schedule/install';
import { writeBackupJob } from '../../core/schedule/job';
import { openSecretStore } from '../../core/secrets/open-store';
import { intervalProblem } from '../../core/status/interval';
import type { Prompter } from '../../prompt/port';
import { formatDatabases, parseDatabases } from '../../core/databases/answers';
import { findDatabaseServers } from '../../core/databases/detect';
import type { DatabaseSpec } from '../../core/databases/types';
import { folderCandidates } from '../../core/sources/candidates';
import { normaliseRoots, rootsOf, rootsProblem } from '../../core/sources/selection';
import { formatBytes } from '../../core/words';
import type { Step } from '../run-steps';
import type { SetupState } from './state';

/** "a, b" or one per line (the answers file's list arrives one per line). */
/**
 * The exclude list: one path per line (an answers file's list arrives so), or on one line separated by
 * commas. Exclusions are absolute, so only a comma before the next "/" separates: `/srv/a,b` stays one path.
 */
export function parseList(text: string): string[] {
  const items = text.includes('\n') ? text.split('\n') : text.split(/,\s*(?=\/)/);
  return items.map((s) => s.trim()).filter(Boolean);
}

export { DEFAULT_DRILL } from './answer-checks';

/** Debian's prometheus-node-exporter reads *.prom files from here (its textfile collector). */
export const NODE_EXPORTER_TEXTFILE_DIR = '/var/lib/prometheus/node-exporter';

const absoluteOrEmpty = (v: string) => (!v.trim() || isAbsolute(v.trim()) ? undefined : 'Give an absolute path, or leave it empty.');
const intervalOrEmpty = (v: string) => (v.trim() ? intervalProblem(v) : undefined);

/**
 * Metrics and status thresholds (issue 13). The metrics folder is offered when node_exporter's
 * textfile folder exists (or the profile has one); the thresholds come from an answers file only, and
 * otherwise stay as the profile has them. Every one may be left out of an answers file.
 */
async function livingQuestions(prompt: Prompter, before: Profile | undefined): Promise<Pick<Profile['schedule'], 'metricsDir' | 'warnAfter' | 'critAfter'>> {
  const unattended = prompt.kind === 'answers';
  const offered = before?.schedule.metricsDir ?? (await stat(NODE_EXPORTER_TEXTFILE_DIR).then((s) => (s.isDirectory() ? NODE_EXPORTER_TEXTFILE_DIR : undefined), () => undefined));
  const metricsDir = unattended || offered ? (await prompt.text({
    id: 'schedule.metricsDir', optional: true, default: offered ?? '', validate: absoluteOrEmpty,
    message: 'Write Prometheus metrics for node_exporter into this folder? (empty for none)',
    help: 'The job writes dupliswift-<profile>.prom there after each run (node_exporter\'s textfile collector).',
  })).trim() : undefined;
  const threshold = async (id: 'warnAfter' | 'critAfter', what: string) => (unattended
    ? (await prompt.text({ id: `schedule.${id}`, optional: true, default: before?.schedule[id] ?? '', validate: intervalOrEmpty, message: `${what} (duplicity interval; empty: from the schedule)` })).trim()
    : before?.schedule[id]) || undefined;
  const warnAfter = await threshold('warnAfter', '`status` warns when the last success is older than:');
  const critAfter = await threshold('critAfter', '`status` is critical when the last success is older than:');
  return { ...(metricsDir ? { metricsDir } : {}), ...(warnAfter ? { warnAfter } : {}), ...(critAfter ? { critAfter } : {}) };
}

function needs(state: SetupState) {
  const missing = [!state.keys && 'Keys', !state.openstack && 'Keystone', !state.container && 'Container'].filter(Boolean);
  if (missing.length) {
    throw new UserError(`The Schedule step needs what the ${missing.join(', ')} step${missing.length > 1 ? 's' : ''} settle${missing.length > 1 ? '' : 's'}, and ${missing.length > 1 ? 'they' : 'it'} did not.`, {
      fix: 'Run the whole setup (dupliswift setup), not the Schedule step alone.',
      code: 'schedule-needs-earlier-steps',
    });
  }
  return { keys: state.keys!, openstack: state.openstack!, container: state.container! };
}

/**
 * Schedule: the profile folder, the backup script, the schedule, and a first backup proved by a test
 * restore. Everything it writes is written only when different, so running setup again with the same
 * answers changes nothing.
 */
export const scheduleStep: Step<SetupState> = {
  id: 'schedule',
  title: 'Schedule',
  async run(state) {
    const { ctx } = state;
    const { prompt, env, signal } = ctx;
    const { keys, openstack, container } = needs(state);
    const uid = process.getuid?.() ?? 1000;
    const previousName = typeof state.result?.profile === 'string' ? state.result.profile : undefined;
    const targets = ctx.scheduleTargets;
    const cronDDir = targets?.cronDDir;

    const name = await prompt.text({ id: 'profile', message: 'Name this backup profile:', default: previousName ?? 'nightly', validate: checkProfileName });
    const dir = profileDir(name, { configDir: ctx.configDir, env, uid });
    const before = await loadProfile(name, ctx.configDir, { env, uid }).catch(() => undefined);

    // The usual server folders that exist here, measured within a short budget (never a long wait).
    const candidates = prompt.kind === 'answers' ? [] : await prompt.task({ running: 'Looking at the folders usually worth backing up', done: 'Folders looked at' }, () => folderCandidates({ budgetMs: 1500 }));
    if (candidates.length) {
      prompt.show({
        title: 'Folders usually worth backing up here (● proposed):',
        lines: candidates.map((c) => `${c.preselected ? '●' : '○'} ${c.path.padEnd(26)} ${c.size.partial ? '≥ ' : ''}${formatBytes(c.size.bytes)}`),
      });
    }
    const proposed = before ? rootsOf(before) : candidates.filter((c) => c.preselected).map((c) => c.path);
    const roots = normaliseRoots(parseList(await prompt.text({
      id: 'sources', alias: 'source', message: 'Which folders should be backed up? (absolute paths, comma-separated; any folder)', default: proposed.join(', ') || undefined,
      help: 'All of them go into one backup chain; a restore offers each folder on its own.',
      validate: (v) => {
        const missing = parseList(v).find((p) => isAbsolute(p) && !statSync(p, { throwIfNoEntry: false })?.isDirectory());
        return rootsProblem(parseList(v)) ?? (missing && `${missing} is not a folder on this machine; give existing folders (or create it first).`);
      },
    })));

    const servers = prompt.kind === 'answers' ? [] : await findDatabaseServers();
    if (servers.length) prompt.show({ title: 'Database servers running here:', lines: servers.map((f) => `● ${f.description}`) });
    const dbDefault: DatabaseSpec[] = before ? before.databases ?? [] : servers.map((f) => f.spec);
    let databases: DatabaseSpec[] = [];
    const dbAnswer = await prompt.text({
      id: 'databases', message: 'Dump which databases before each backup? (postgresql, mysql, sqlite:/path; "none" for none)', default: formatDatabases(dbDefault) || 'none',
      help: 'A consistent dump while the server runs; postgresql:NAME or mysql:NAME dumps one database. A copy of a live database\'s files is not a backup.',
      validate: (v) => { const r = parseDatabases(v); return 'problem' in r ? r.problem : undefined; },
    });
    const parsed = parseDatabases(dbAnswer);
    if ('specs' in parsed) databases = parsed.specs;
    const dumpDir = databases.length ? (await prompt.text({
      id: 'dumpDir', message: 'Where should the dumps be kept? (a 0700 folder, part of the backup)', default: before?.dumpDir ?? (uid === 0 ? `/var/backups/dupliswift/${name}` : `${dir}/dumps`),
      help: 'Each dump replaces the last one only once complete; it needs room for one more dump.',
      validate: (v) => (isAbsolute(v.trim()) ? undefined : 'Give an absolute path, e.g. /var/backups/dupliswift.'),
    })).trim() : undefined;
    // Several folders or dumps: back up / through a filelist. One folder alone keeps today's layout
    // (paths relative to the folder), and a profile once of several folders stays so.
    const severalRoots = roots.length > 1 || databases.length > 0 || Boolean(before?.sources?.length);
    const source = severalRoots ? '/' : roots[0]!;
    const exclude = parseList(await prompt.text({
      id: 'exclude', message: 'Leave anything out? (absolute paths, comma-separated; empty for nothing)', default: (before?.exclude ?? []).join(', '),
      validate: (v) => excludeProblem(parseList(v), source.trim()),
    }));
    const cron = (await prompt.text({
      id: 'schedule.cron', message: 'When should it run? (cron: minute hour day month weekday)', default: before?.schedule.cron ?? '17 3 * * *',
      help: '"17 3 * * *" is every night at 03:17.', validate: cronProblem,
    })).trim();
    const fullEvery = (await prompt.text({
      id: 'schedule.fullEvery', message: 'Start a new full backup when the last full one is older than:', default: before?.schedule.fullEvery ?? '7D',
      help: 'duplicity intervals: 7D, 2W, 1M. In between, runs are small incrementals.',
      validate: fullEveryProblem,
    })).trim();
    const keepFull = Number(await prompt.text({
      id: 'schedule.keepFull', message: 'How many full backups (each with its incrementals) to keep?', default: String(before?.schedule.keepFull ?? 4), validate: positiveInt,
    }));
    const volsize = Number(await prompt.text({
      id: 'schedule.volsize', message: 'Volume size in MB:', default: String(before?.schedule.volsize ?? DEFAULT_VOLSIZE_MB), help: VOLSIZE_REASON, validate: volsizeProblem,
    }));
    const alertMail = (await prompt.text({ id: 'schedule.alertMail', message: 'E-mail to alert when a backup fails (empty for none):', default: before?.alert?.mail ?? '', validate: alertMailProblem })).trim();
    const pingUrl = (await prompt.text({
      id: 'schedule.pingUrl', message: 'Health-check URL to ping on start, success and failure (empty for none):', default: before?.alert?.pingUrl ?? '',
      help: 'healthchecks.io style: URL/start, URL, URL/fail.',
      validate: pingUrlProblem,
    })).trim();
    const drillAnswer = (await prompt.text({
      id: 'schedule.drill', message: 'When should a restore drill prove the backup restores? (cron, or "off")', default: before?.schedule.drill ?? DEFAULT_DRILL,
      help: `Restores one sample file from Swift as a new machine would, and alerts like a failed backup. "${DEFAULT_DRILL}" is monthly.`,
      validate: drillProblem,
    })).trim();
    const drill = drillAnswer.toLowerCase() === 'off' ? undefined : drillAnswer;
    const living = await livingQuestions(prompt, before);
    const commands = (v: string) => v.split('\n').map((c) => c.trim()).filter(Boolean);
    const hooksBefore = commands(await prompt.text({
      id: 'hooks.before', message: 'A command to run before each backup? (empty for none)', default: (before?.hooks?.before ?? []).join('\n'),
      help: 'Run with bash -c as the job\'s user; if it fails, the run stops and alerts.',
    }));
    const hooksAfter = commands(await prompt.text({
      id: 'hooks.after', message: 'A command to run after each backup, whatever happened? (empty for none)', default: (before?.hooks?.after ?? []).join('\n'),
      help: 'DUPLISWIFT_RESULT is success or failure, DUPLISWIFT_EXIT_CODE the run\'s code.',
    }));
    const hooks = hooksBefore.length || hooksAfter.length ? { ...(hooksBefore.length ? { before: hooksBefore } : {}), ...(hooksAfter.length ? { after: hooksAfter } : {}) } : undefined;
    const secretsChoice = await prompt.select<Profile['secrets']>({
      id: 'secrets', message: 'Where should the job find its passphrases and the OpenStack password?', default: before?.secrets ?? 'file',
      choices: [
        { value: 'file', label: '0600 files in the profile folder', hint: 'works from cron' },
        { value: 'keyring', label: 'The desktop keyring', hint: 'not from cron: it cannot unlock a keyring' },
      ],
    });
    // cron and systemd start the job with no desktop session: it could never unlock a keyring, so
    // keyring secrets get no schedule (the job would exit 78 on every run).
    const keyring = secretsChoice === 'keyring';
    const installChoices: Array<{ value: Profile['install']; label: string; hint: string }> = [
      ...(keyring ? [] : [
        { value: 'crontab' as const, label: 'crontab', hint: 'one line in this user\'s crontab' },
        ...(uid === 0 ? [{ value: 'cron.d' as const, label: cronDDir ?? '/etc/cron.d', hint: 'a file of its own' }] : []),
        { value: 'systemd' as const, label: 'systemd timer', hint: 'catches up after downtime' },
      ]),
      { value: 'none', label: 'No schedule', hint: keyring ? 'keyring secrets: cron and systemd cannot unlock a keyring' : 'run the script yourself' },
    ];
    if (keyring) prompt.show({ title: 'Keyring secrets: no schedule is offered, because a job started by cron or systemd cannot unlock a keyring. Choose 0600 files for a scheduled job.', tone: 'info' });
    const install = await prompt.select<Profile['install']>({
      id: 'install', message: 'How should it be scheduled?', default: keyring ? 'none' : before?.install ?? 'crontab', choices: installChoices,
      fromAnswer: (raw) => {
        const problem = typeof raw === 'string' ? secretsForInstallProblem(secretsChoice, raw as Profile['install']) : undefined;
        if (problem) throw new UserError(problem, { code: 'keyring-with-schedule' });
        return raw as Profile['install'];
      },
    });

    const [duplicity, gpgPath, flock] = await Promise.all([detectDuplicity(env, signal), requireTool('gpg', 'gnupg'), requireTool('flock', 'util-linux')]);
    const curl = pingUrl ? await requireTool('curl', 'curl') : await which('curl', { PATH: '/usr/bin:/bin' });
    const mail = alertMail ? await requireTool('mail', 'bsd-mailx (or mailutils), with a working MTA') : undefined;

    const opened = await openSecretStore({ prefer: secretsChoice, fileRoot: configRoot({ configDir: ctx.configDir, env, uid }), env });
    if (opened.fallback) prompt.show({ title: opened.fallback.message, tone: 'warning' });
    const secrets: Profile['secrets'] = opened.store.kind;
    const secretTool = secrets === 'keyring' ? await requireTool('secret-tool', 'libsecret-tools') : undefined;

    const swiftEnv = Object.fromEntries(Object.entries(duplicitySwiftEnv(openstack.target, '', { duplicityVersion: duplicity.version }))
      .filter(([k]) => !(SECRET_SWIFT_VARS as readonly string[]).includes(k)));
    const settings: Profile = {
      version: 1, name, source, ...(severalRoots ? { sources: roots } : {}), exclude, gnupgHome: keys.gnupgHome,
      ...(databases.length ? { databases, dumpDir } : {}), ...(hooks ? { hooks } : {}),
      keys: { encrypt: keys.encrypt, sign: keys.sign }, openstack: openstack.target, container,
      schedule: { cron, fullEvery, keepFull, drill: drill ?? 'off', ...living, volsize }, secrets, install,
      ...(alertMail || pingUrl ? { alert: { ...(alertMail ? { mail: alertMail } : {}), ...(pingUrl ? { pingUrl } : {}) } } : {}),
      archiveDir: before?.archiveDir ?? '',
    };
    if (before) {
      // Setup again: say what is about to change before anything is written.
      const changes = profileChanges(before, settings);
      prompt.show(changes.length
        ? { title: `Changes to profile ${name}:`, lines: changes, tone: 'info' }
        : { title: `No settings of profile ${name} changed.`, tone: 'info' });
    }
    const { volsize: _volsize, ...schedule } = settings.schedule;
    const job = await prompt.task({ running: `Writing the profile folder ${dir}`, done: 'Profile and backup script written' }, () => writeBackupJob({
      dir,
      profile: { ...settings, schedule, archiveDir: undefined },
      swiftEnv,
      secrets: openstack.target.authType === 'v3applicationcredential'
        // The credential's secret gets a file (or keyring entry) of its own, read by the job's auth step.
        ? { encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase, swiftPassword: '', applicationCredentialSecret: openstack.password }
        : { encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase, swiftPassword: openstack.password },
      keyring: secrets === 'keyring' ? opened.store : undefined,
      tools: { duplicity, gpg: gpgPath, flock, curl, mail, secretTool },
      home: env.HOME || homedir(),
      volsize,
    }));
    const firstRun = await prompt.confirm({ id: 'firstRun', message: 'Run the first backup now, and check it with a test restore?', default: true });
    let first: Record<string, unknown> | undefined;
    if (firstRun) {
      const home = env.HOME || homedir();
      const totals = await Promise.all(roots.map((r) => sourceBytes(r, exclude)));
      const total = totals.some((t) => t === undefined) ? undefined : totals.reduce<number>((a, t) => a + t!, 0);
      // Chosen, with its size and mtime, before the backup reads it: a file that changes meanwhile is not compared.
      const probe = await probeTestFile(source, exclude, severalRoots ? roots : undefined);
      const notInstalled = ' The schedule was not installed: fix this and run setup again.';
      const run = await prompt.task({ running: 'Backing up (as cron will run it)', done: 'First backup done' }, (report) => {
        // Per-file records come by the thousand: report at most a few times a second.
        let last = 0;
        return runScript(job.script, [], {
          home, signal,
          onRecord: (r) => {
            const p = progressOf(r, total);
            const now = Date.now();
            if (!p || (r.code === 4 && now - last < 250)) return;
            last = now;
            report(p.detail, p.fraction);
          },
        });
      });
      if (run.exitCode !== 0) {
        const failure = failureOf(run, `${dir}/backup.log`);
        throw new UserError(failure.message, { fix: `${failure.fix ?? ''}${notInstalled}`, code: failure.code });
      }
      const verified = await prompt.task({ running: 'Checking the backup: collection-status and a test restore', done: 'Backup checked' }, () => verifyBackup({ script: job.script, source, roots: severalRoots ? roots : undefined, exclude, home, signal, probe }));
      if (verified.chains === 0) {
        throw new UserError('The backup ran, but collection-status lists no backup chain in the container.', { fix: `Read ${dir}/backup.log, then run ${job.script} status.${notInstalled}`, code: 'verify-no-chain' });
      }
      if (verified.identical === false) {
        throw new UserError(`The test restore of ${verified.testFile} does not match the original.`, { fix: `Do not rely on this backup yet; read ${dir}/backup.log.${notInstalled}`, code: 'verify-mismatch' });
      }
      prompt.show(verified.changed
        ? { title: `Test restore of ${verified.testFile} worked; not compared, as the file changed during the backup.`, tone: 'success' }
        : { title: verified.testFile ? `Test restore of ${verified.testFile} matches the original byte for byte.` : 'The backup is listed in Swift (the source has no file to test-restore).', tone: 'success' });
      first = { exitCode: run.exitCode, chains: verified.chains, testFile: verified.testFile, identical: verified.identical, ...(verified.changed ? { changed: true } : {}) };
    }

    // Installed only after the first run proved the job: a failed or mismatching one installs no schedule.
    const installed = await prompt.task({ running: 'Installing the schedule', done: 'Schedule installed' }, () => installSchedule({
      profile: name, method: install, schedule: cron, drill, script: job.script, uid, env, signal, user: targets?.crontabUser, cronDDir, unitDir: targets?.unitDir,
    }));
    const changed = Object.entries(job.files).filter(([, o]) => o !== 'unchanged').map(([f, o]) => `${f} ${o}`);
    prompt.show({
      title: `Backup job ready: ${job.script}`,
      lines: [
        `duplicity ${duplicity.version.text}: ${duplicity.family === '3.x' ? '--concurrency available' : 'flags for this version'}; volumes of ${volsize} MB`,
        installed.detail,
        changed.length ? `Changed: ${changed.join(', ')}` : 'Nothing changed on disk: it was already set up this way.',
        ...(installed.warning ? [installed.warning] : []),
      ],
      tone: installed.warning ? 'warning' : 'success',
    });

    state.result = {
      profileDir: dir,
      script: job.script,
      profile: name,
      install: {
        method: installed.method, detail: installed.detail, changed: installed.changed,
        ...(installed.files ? { files: installed.files } : {}), ...(installed.warning ? { warning: installed.warning } : {}),
      },
      cron,
      drill: drill ?? 'off',
      changed: changed.length > 0 || installed.changed,
      duplicity: { path: duplicity.path, version: duplicity.version.text },
      ...(first ? { firstRun: first } : {}),
    };
  },
};
