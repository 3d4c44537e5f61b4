import { Command, InvalidArgumentError, Option } from 'commander';
import { absoluteConfigDir } from './commands/config-dir';
import { Cancelled } from './prompt/port';
import { UserError } from './core/errors';

declare const DUPLISWIFT_VERSION: string;
const version = typeof DUPLISWIFT_VERSION === 'string' ? DUPLISWIFT_VERSION : '0.0.0-dev';

if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') {
  // chalk (under Ink and inquirer) honours FORCE_COLOR=0; one switch turns every colour off.
  process.env.FORCE_COLOR = '0';
}

export interface GlobalOptions {
  json?: boolean;
  plain?: boolean;
  answers?: string;
  yes?: boolean;
}

/** Ctrl-C anywhere: children get the abort, the flow unwinds, the terminal is restored, exit 130. */
const abort = new AbortController();
let cancelling = false;
function cancel(): void {
  if (cancelling) return;
  cancelling = true;
  abort.abort(new Cancelled());
  // A flow that is stuck outside any abortable call still must not keep the person waiting. Every
  // file is written atomically, so leaving now cannot leave one half-written.
  setTimeout(() => {
    process.stderr.write('\nCancelled. Nothing half-done was written.\n');
    process.exit(130);
  }, 3000).unref();
}
process.on('SIGINT', cancel);
process.on('SIGTERM', cancel);

export const hooks = { onCancel: cancel, signal: abort.signal };

function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

async function report(error: unknown, json: boolean | undefined): Promise<number> {
  if (error instanceof Cancelled || cancelling) {
    process.stderr.write('\nCancelled. Nothing half-done was written.\n');
    return 130;
  }
  if (error instanceof UserError) {
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, fix: error.fix } })}\n`);
    process.stderr.write(`✖ ${error.message}\n${error.fix ? `  Fix: ${error.fix}\n` : ''}`);
    return error.exitCode;
  }
  // --json callers get an error object whatever happened, never just an exit code.
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } })}\n`);
  process.stderr.write(`✖ Unexpected error (a bug in dupliswift; please report it):\n${error instanceof Error ? error.stack : String(error)}\n`);
  return 70;
}

/** Wraps a command body: one place that turns outcomes into exit codes. */
function action<A extends unknown[]>(body: (...args: A) => Promise<number | void>) {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    let code: number;
    try {
      code = (await body(...args)) ?? 0;
    } catch (error) {
      code = await report(error, globals(command).json);
    }
    if (cancelling && code === 0) code = 130;
    process.exitCode = code;
  };
}

const program = new Command()
  .name('dupliswift')
  .description('Encrypted, signed, off-site backups of this server to OpenStack Swift, set up in one guided session.')
  .version(version, '-V, --version')
  .option('--json', 'print machine-readable JSON on stdout (commands that report data)')
  .option('--plain', 'line mode: one question a line, no full-screen UI (also when TERM=dumb)')
  .option('--answers <file>', 'answer every question from this JSON file (non-interactive; see schema/answers.schema.json)')
  .option('-y, --yes', 'accept defaults for questions the answers file leaves out (never for destructive ones)')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', `
Secrets never go on the command line: they come from a prompt, the keyring, or the environment
(OS_PASSWORD, DUPLISWIFT_ENCRYPT_PASSPHRASE, DUPLISWIFT_SIGN_PASSPHRASE).

Examples:
  dupliswift                         the setup wizard
  dupliswift doctor                  check gpg, duplicity and the Swift libraries
  dupliswift setup --answers a.json --yes --json
  dupliswift restore --target /srv/restored`);

const openstackOptions = (c: Command) =>
  c.option('--auth-url <url>', 'Keystone URL, with or without version (OS_AUTH_URL)')
    .option('--username <name>', 'user name, or tenant:user for Keystone v2.0 (OS_USERNAME)')
    .option('--user-domain <domain>', 'the user\'s domain, name or id (OS_USER_DOMAIN_NAME / _ID)')
    .option('--project <name>', 'project (tenant) name or id (OS_PROJECT_NAME / _ID)')
    .option('--project-domain <domain>', 'the project\'s domain (OS_PROJECT_DOMAIN_NAME / _ID)')
    .option('--region <region>', 'region of the object-store endpoint (OS_REGION_NAME)')
    .option('--interface <interface>', 'public, internal or admin (OS_INTERFACE)')
    .option('--os-cloud <name>', 'a cloud from clouds.yaml (OS_CLOUD)')
    .option('--openrc <file>', 'read OS_* variables from this openrc file')
    .option('--cacert <file>', 'trust this CA file for TLS (OS_CACERT)')
    .option('--password-stdin', 'read the password from stdin (else OS_PASSWORD or the keyring)');
const profileOption = (c: Command) =>
  c.option('--profile <name>', 'fill what is not given from this profile, and take its password from the keyring (DUPLISWIFT_PROFILE)');

/** --config-dir, absolute from here on (see commands/config-dir.ts). */
function configDirArg(value: string): string {
  try {
    return absoluteConfigDir(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const setupOptions = (c: Command) =>
  c.option('--config-dir <dir>', 'where the profile lives (default /etc/dupliswift/<profile> as root, else $XDG_CONFIG_HOME/dupliswift/<profile>)', configDirArg)
    .option('--openrc <file>', 'prefill the Keystone step from this openrc file (read, never run)')
    .option('--os-cloud <name>', 'prefill the Keystone step from this cloud in clouds.yaml (OS_CLOUD)')
    .option('--profile <name>', 'set up an existing profile again: every question starts from its current values, and only what changes is written');

setupOptions(program.command('setup', { isDefault: true }).description('the setup wizard: preflight, keys, export, Keystone, container, schedule'))
  .action(action(async (_opts: unknown, command: Command) => {
    const { setupCommand } = await import('./commands/setup');
    return setupCommand(globals(command) as GlobalOptions & { configDir?: string; openrc?: string; osCloud?: string; profile?: string }, hooks);
  }));

const restoreCommandDef = program.command('restore')
  .description('restore files from a backup: pick a time, browse, restore a path (never clobbers)')
  .option('--profile <name>', 'restore using an existing profile')
  .option('--container <name>', 'the Swift container that holds the backup')
  .option('--time <time>', 'point in time, as duplicity takes it (epoch seconds, ISO date-time, 3D)')
  .option('--path <path>', 'restore only this path (relative to the backup root)')
  .option('--target <dir>', 'restore into this folder (must be empty or absent)')
  .option('--verify', 'compare the backup with the live files instead of restoring')
  .option('--config-dir <dir>', 'where profiles live', configDirArg);
openstackOptions(restoreCommandDef)
  .action(action(async (opts: Record<string, unknown>, command: Command) => {
    const { restoreCommand } = await import('./commands/restore');
    return restoreCommand({ ...globals(command), ...opts }, hooks);
  }));

const keys = program.command('keys').description('generate, list, export and import the backup keys');
keys.command('generate')
  .description('generate an encryption key and a signing key and put them into GnuPG')
  .option('--name <name>', 'the name in the keys\' user IDs')
  .option('--email <email>', 'the e-mail in the keys\' user IDs')
  .addOption(new Option('--algorithm <algorithm>', 'key algorithm').choices(['curve25519', 'rsa4096']).default('curve25519'))
  .option('--export-dir <dir>', 'also export both keys into this folder (0700, files 0600)')
  .option('--paper', 'with --export-dir: also write a printable paper copy')
  .option('--accept-weak-passphrase', 'use a passphrase the strength check calls weak (never implied by --yes)')
  .action(action(async (opts: Record<string, unknown>, command: Command) => {
    const { keysGenerateCommand } = await import('./commands/keys');
    return keysGenerateCommand({ ...globals(command), ...opts }, hooks);
  }));
keys.command('list')
  .description('list the secret keys in the keyring that can serve as backup keys')
  .action(action(async (_opts: unknown, command: Command) => {
    const { keysListCommand } = await import('./commands/keys');
    return keysListCommand(globals(command), hooks);
  }));
keys.command('export')
  .description('export both keys, secret and public, armored, into a folder')
  .requiredOption('--encrypt-key <fpr>', 'fingerprint of the encryption key')
  .requiredOption('--sign-key <fpr>', 'fingerprint of the signing key')
  .requiredOption('--dir <dir>', 'the folder to write (created 0700)')
  .option('--paper', 'also write a printable paper copy')
  .action(action(async (opts: Record<string, unknown>, command: Command) => {
    const { keysExportCommand } = await import('./commands/keys');
    return keysExportCommand({ ...globals(command), ...opts }, hooks);
  }));
keys.command('import')
  .description('import keys from .asc files, set trust, check the passphrase')
  .argument('<files...>', '.asc files exported by dupliswift keys export')
  .action(action(async (files: string[], _opts: unknown, command: Command) => {
    const { keysImportCommand } = await import('./commands/keys');
    return keysImportCommand(files, globals(command), hooks);
  }));

profileOption(openstackOptions(program.command('tenants').description('list the projects (tenants) this OpenStack user may use')))
  .action(action(async (opts: Record<string, unknown>, command: Command) => {
    const { tenantsCommand } = await import('./commands/tenants');
    return tenantsCommand({ ...globals(command), ...opts }, hooks);
  }));

profileOption(openstackOptions(program.command('check').description('prove a Swift container works: write, read and delete a probe object')))
  .requiredOption('--container <name>', 'the container to check')
  .option('--create', 'create the container if it is missing')
  .action(action(async (opts: Record<string, unknown>, command: Command) => {
    const { checkCommand } = await import('./commands/check');
    return checkCommand({ ...globals(command), ...opts }, hooks);
  }));

program.command('status')
  .description('is the backup still working? last run, last success, next run and drill, per profile (local state; no network)')
  .option('--profile <name>', 'only this profile (default: every profile found)')
  .option('--config-dir <dir>', 'where profiles live')
  .option('--check', 'one monitoring-plugin line (DUPLISWIFT OK|WARNING|CRITICAL|UNKNOWN - ...) and exit 0, 1, 2 or 3')
  .option('--remote', 'also ask Swift: chains, points in time and stored size (runs collection-status)')
  .addHelpText('after', `
Health: critical when the last backup or the last restore drill failed, or when the last success is
older than the schedule allows (two runs missed; warning after one). Override with schedule.warnAfter
and schedule.critAfter in profile.json (duplicity intervals: 36h, 3D). Unknown before the first
scheduled run is due.

Examples:
  dupliswift status
  dupliswift status --profile nightly --json
  dupliswift status --check || mail -s "backup problem" root`)
  .action(action(async (opts: Record<string, unknown>, command: Command) => {
    const { statusCommand } = await import('./commands/status');
    return statusCommand({ ...globals(command), ...opts }, hooks);
  }));

program.command('remove')
  .description('take a profile\'s schedule away (crontab, cron.d, systemd); the profile folder, keys and backups in Swift stay')
  .requiredOption('--profile <name>', 'the profile whose schedule goes')
  .option('--config-dir <dir>', 'where profiles live')
  .option('--delete-profile', 'also delete the profile folder, secrets included, after a confirmation (--yes alone never gives it)')
  .addHelpText('after', `
Only dupliswift's own marked crontab lines and its own cron.d and unit files are removed; the rest of
a crontab stays byte for byte. Backups in Swift are never deleted: the output says how, by hand.
Non-interactive deletion needs an answers file with {"deleteProfile": true}.

Examples:
  dupliswift remove --profile nightly
  dupliswift remove --profile nightly --delete-profile`)
  .action(action(async (opts: Record<string, unknown>, command: Command) => {
    const { removeCommand } = await import('./commands/remove');
    return removeCommand({ ...globals(command), ...opts } as Parameters<typeof removeCommand>[0], hooks);
  }));

program.command('doctor')
  .description('check that gpg, duplicity, the Swift libraries, a scheduler and the keyring are ready')
  .action(action(async (_opts: unknown, command: Command) => {
    const { doctorCommand } = await import('./commands/doctor');
    return doctorCommand(globals(command));
  }));

await program.parseAsync(process.argv);
