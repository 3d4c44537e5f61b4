import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import { detectDuplicity, requireTool } from '../../core/duplicity/detect';
import { DEFAULT_VOLSIZE_MB, VOLSIZE_REASON } from '../../core/duplicity/flags';
import { UserError } from '../../core/errors';
import { which } from '../../core/exec';
import { duplicitySwiftEnv, SECRET_SWIFT_VARS } from '../../core/openstack/duplicity-env';
import { loadProfile } from '../../core/profile/load';
import { checkProfileName, configRoot, profileDir } from '../../core/profile/paths';
import type { Profile } from '../../core/profile/types';
import { cronProblem } from '../../core/schedule/crontab';
import { failureOf, progressOf, runScript, sourceBytes, verifyBackup } from '../../core/schedule/first-run';
import { installSchedule } from '../../core/schedule/install';
import { writeBackupJob } from '../../core/schedule/job';
import { openSecretStore } from '../../core/secrets/open-store';
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

const positiveInt = (v: string) => (/^[1-9][0-9]*$/.test(v.trim()) ? undefined : 'Give a whole number of 1 or more.');

/** Monthly, on the 1st at 04:41: away from the default nightly 03:17 run, so the two rarely meet at the lock. */
export const DEFAULT_DRILL = '41 4 1 * *';

/** The drill's answer: cron fields, or "off". */
function drillProblem(value: string): string | undefined {
  return value.trim().toLowerCase() === 'off' ? undefined : cronProblem(value);
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

    const name = await prompt.text({ id: 'profile', message: 'Name this backup profile:', default: previousName ?? 'nightly', validate: checkProfileName });
    const dir = profileDir(name, { configDir: ctx.configDir, env, uid });
    const before = await loadProfile(name, ctx.configDir, { env, uid }).catch(() => undefined);

    const source = await prompt.text({
      id: 'source', message: 'Which folder should be backed up?', default: before?.source,
      validate: (v) => (isAbsolute(v.trim()) ? undefined : 'Give an absolute path, e.g. /srv/data.'),
    });
    const exclude = parseList(await prompt.text({
      id: 'exclude', message: 'Leave anything out? (absolute paths, comma-separated; empty for nothing)', default: (before?.exclude ?? []).join(', '),
      validate: (v) => parseList(v).find((p) => !isAbsolute(p)) && 'Exclusions are absolute paths inside the source, e.g. /srv/data/tmp.',
    }));
    const cron = (await prompt.text({
      id: 'schedule.cron', message: 'When should it run? (cron: minute hour day month weekday)', default: before?.schedule.cron ?? '17 3 * * *',
      help: '"17 3 * * *" is every night at 03:17.', validate: cronProblem,
    })).trim();
    const fullEvery = (await prompt.text({
      id: 'schedule.fullEvery', message: 'Start a new full backup when the last full one is older than:', default: before?.schedule.fullEvery ?? '7D',
      help: 'duplicity intervals: 7D, 2W, 1M. In between, runs are small incrementals.',
      validate: (v) => (/^[0-9]+[smhDWMY]$/.test(v.trim()) ? undefined : 'Write a number and a unit, e.g. 7D (days), 2W (weeks), 1M (months).'),
    })).trim();
    const keepFull = Number(await prompt.text({
      id: 'schedule.keepFull', message: 'How many full backups (each with its incrementals) to keep?', default: String(before?.schedule.keepFull ?? 4), validate: positiveInt,
    }));
    const volsize = Number(await prompt.text({
      id: 'schedule.volsize', message: 'Volume size in MB:', default: String(before?.schedule.volsize ?? DEFAULT_VOLSIZE_MB), help: VOLSIZE_REASON, validate: positiveInt,
    }));
    const alertMail = (await prompt.text({ id: 'schedule.alertMail', message: 'E-mail to alert when a backup fails (empty for none):', default: before?.alert?.mail ?? '' })).trim();
    const pingUrl = (await prompt.text({
      id: 'schedule.pingUrl', message: 'Health-check URL to ping on start, success and failure (empty for none):', default: before?.alert?.pingUrl ?? '',
      help: 'healthchecks.io style: URL/start, URL, URL/fail.',
      validate: (v) => (!v.trim() || /^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'Give an http(s):// URL, or leave it empty.'),
    })).trim();
    const drillAnswer = (await prompt.text({
      id: 'schedule.drill', message: 'When should a restore drill prove the backup restores? (cron, or "off")', default: before?.schedule.drill ?? DEFAULT_DRILL,
      help: `Restores one sample file from Swift as a new machine would, and alerts like a failed backup. "${DEFAULT_DRILL}" is monthly.`,
      validate: drillProblem,
    })).trim();
    const drill = drillAnswer.toLowerCase() === 'off' ? undefined : drillAnswer;
    const secretsChoice = await prompt.select<Profile['secrets']>({
      id: 'secrets', message: 'Where should the job find its passphrases and the OpenStack password?', default: before?.secrets ?? 'file',
      choices: [
        { value: 'file', label: '0600 files in the profile folder', hint: 'works from cron' },
        { value: 'keyring', label: 'The desktop keyring', hint: 'not from cron: it cannot unlock a keyring' },
      ],
    });
    const installChoices: Array<{ value: Profile['install']; label: string; hint: string }> = [
      { value: 'crontab', label: 'crontab', hint: 'one line in this user\'s crontab' },
      ...(uid === 0 ? [{ value: 'cron.d' as const, label: '/etc/cron.d', hint: 'a file of its own' }] : []),
      { value: 'systemd', label: 'systemd timer', hint: 'catches up after downtime' },
      { value: 'none', label: 'No schedule', hint: 'run the script yourself' },
    ];
    const install = await prompt.select<Profile['install']>({ id: 'install', message: 'How should it be scheduled?', default: before?.install ?? 'crontab', choices: installChoices });

    const [duplicity, gpgPath, flock] = await Promise.all([detectDuplicity(env, signal), requireTool('gpg', 'gnupg'), requireTool('flock', 'util-linux')]);
    const curl = pingUrl ? await requireTool('curl', 'curl') : await which('curl', { PATH: '/usr/bin:/bin' });
    const mail = alertMail ? await requireTool('mail', 'bsd-mailx (or mailutils), with a working MTA') : undefined;

    const opened = await openSecretStore({ prefer: secretsChoice, fileRoot: configRoot({ configDir: ctx.configDir, env, uid }), env });
    if (opened.fallback) prompt.show({ title: opened.fallback.message, tone: 'warning' });
    const secrets: Profile['secrets'] = opened.store.kind;
    const secretTool = secrets === 'keyring' ? await requireTool('secret-tool', 'libsecret-tools') : undefined;

    const swiftEnv = Object.fromEntries(Object.entries(duplicitySwiftEnv(openstack.target, '', { duplicityVersion: duplicity.version }))
      .filter(([k]) => !(SECRET_SWIFT_VARS as readonly string[]).includes(k)));
    const job = await prompt.task({ running: `Writing the profile folder ${dir}`, done: 'Profile and backup script written' }, () => writeBackupJob({
      dir,
      profile: {
        version: 1, name, source: source.trim(), exclude, gnupgHome: keys.gnupgHome,
        keys: { encrypt: keys.encrypt, sign: keys.sign }, openstack: openstack.target, container,
        schedule: { cron, fullEvery, keepFull, drill: drill ?? 'off' }, secrets, install,
        ...(alertMail || pingUrl ? { alert: { ...(alertMail ? { mail: alertMail } : {}), ...(pingUrl ? { pingUrl } : {}) } } : {}),
      },
      swiftEnv,
      secrets: { encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase, swiftPassword: openstack.password },
      keyring: secrets === 'keyring' ? opened.store : undefined,
      tools: { duplicity, gpg: gpgPath, flock, curl, mail, secretTool },
      home: env.HOME || homedir(),
      volsize,
    }));
    const installed = await prompt.task({ running: 'Installing the schedule', done: 'Schedule installed' }, () => installSchedule({ profile: name, method: install, schedule: cron, drill, script: job.script, uid, env, signal }));
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

    const firstRun = await prompt.confirm({ id: 'firstRun', message: 'Run the first backup now, and check it with a test restore?', default: true });
    let first: Record<string, unknown> | undefined;
    if (firstRun) {
      const home = env.HOME || homedir();
      const total = await sourceBytes(source.trim(), exclude);
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
      if (run.exitCode !== 0) throw failureOf(run, `${dir}/backup.log`);
      const verified = await prompt.task({ running: 'Checking the backup: collection-status and a test restore', done: 'Backup checked' }, () => verifyBackup({ script: job.script, source: source.trim(), exclude, home, signal }));
      if (verified.chains === 0) {
        throw new UserError('The backup ran, but collection-status lists no backup chain in the container.', { fix: `Read ${dir}/backup.log, then run ${job.script} status.`, code: 'verify-no-chain' });
      }
      if (verified.identical === false) {
        throw new UserError(`The test restore of ${verified.testFile} does not match the original.`, { fix: `Do not rely on this backup yet; read ${dir}/backup.log.`, code: 'verify-mismatch' });
      }
      prompt.show({ title: verified.testFile ? `Test restore of ${verified.testFile} matches the original byte for byte.` : 'The backup is listed in Swift (the source has no file to test-restore).', tone: 'success' });
      first = { exitCode: run.exitCode, chains: verified.chains, testFile: verified.testFile, identical: verified.identical };
    }

    state.result = {
      profileDir: dir,
      script: job.script,
      profile: name,
      install: { method: installed.method, detail: installed.detail, changed: installed.changed, ...(installed.files ? { files: installed.files } : {}) },
      drill: drill ?? 'off',
      changed: changed.length > 0 || installed.changed,
      duplicity: { path: duplicity.path, version: duplicity.version.text },
      ...(first ? { firstRun: first } : {}),
    };
  },
};
