import { count } from '../core/words';
import type { GlobalOptions } from '../cli';
import { UsageError, UserError } from '../core/errors';
import { describeKey, type KeyInfo } from '../core/keys/colons';
import { normalizeFingerprint, groupedFingerprint, shortId } from '../core/keys/fingerprint';
import { roleFromUserId, type KeyAlgorithm, type KeyRole } from '../core/keys/generate';
import { ensureGnupgHome, resolveGnupgHome } from '../core/keys/gnupg';
import { importKeyFiles, inspectKeyFiles, mergeKeyFiles } from '../core/keys/import-files';
import { listSecretKeys } from '../core/keys/install';
import { checkPassphrase } from '../core/keys/self-test';
import { confirmExportTarget, exportKeysFlow, expandPath } from '../flows/keys/export';
import { generateKeysFlow } from '../flows/keys/generate';
import { askExistingPassphrase, PASSPHRASE_ENV } from '../flows/keys/passphrases';
import { openSession, type Session } from '../session';
import { printJson } from './output';

type Hooks = { onCancel: () => void; signal: AbortSignal };

/** The flags that answer the keys flows' questions, named in the message when one is missing. */
const FLAG_FOR = {
  'keys.generate.name': '--name NAME',
  'keys.generate.email': '--email EMAIL',
  'keys.generate.algorithm': '--algorithm curve25519|rsa4096',
  'export.dir': '--dir DIR',
};

async function withSession<T>(opts: GlobalOptions, flagAnswers: Record<string, unknown>, hooks: Hooks, body: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession({ ...opts, flagAnswers, flagFor: FLAG_FOR }, hooks);
  try {
    return await body(session);
  } finally {
    await session.prompt.close();
  }
}

function fingerprintFlag(flag: string, value: unknown): string {
  const fpr = typeof value === 'string' ? normalizeFingerprint(value) : undefined;
  if (!fpr) throw new UsageError(`${flag} ${String(value)} is not a full fingerprint.`, 'Give all 40 hex digits, as dupliswift keys list prints them.');
  return fpr;
}

export async function keysGenerateCommand(opts: GlobalOptions & { name?: string; email?: string; algorithm?: KeyAlgorithm; exportDir?: string; paper?: boolean; acceptWeakPassphrase?: boolean }, hooks: Hooks): Promise<number> {
  const exportDir = opts.exportDir ? expandPath(opts.exportDir, process.env) : undefined;
  const flagAnswers = { keys: { generate: { name: opts.name, email: opts.email, algorithm: opts.algorithm, acceptWeakPassphrase: opts.acceptWeakPassphrase || undefined } } };
  return withSession(opts, flagAnswers, hooks, async (session) => {
    const gnupgHome = resolveGnupgHome(session.env);
    // The export folder is checked before any key exists: a refusal then costs nothing.
    const overwrite = exportDir ? await confirmExportTarget(session.prompt, exportDir, Boolean(opts.paper)) : false;
    const keys = await generateKeysFlow(session, gnupgHome, {});
    const pair = { encrypt: keys.encrypt, sign: keys.sign, encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase };
    const exported = exportDir ? await exportKeysFlow(session, gnupgHome, pair, { dir: exportDir, paper: Boolean(opts.paper), overwrite }) : undefined;
    if (!exported) {
      session.prompt.show({
        title: 'Both keys are in GnuPG.',
        tone: 'success',
        lines: [
          `Encryption key: ${groupedFingerprint(keys.encrypt)}  ${keys.encryptUserId}`,
          `Signing key:    ${groupedFingerprint(keys.sign)}  ${keys.signUserId}`,
          `GnuPG home:     ${gnupgHome}`,
          `Export them now: dupliswift keys export --encrypt-key ${keys.encrypt} --sign-key ${keys.sign} --dir DIR`,
        ],
      });
    }
    if (opts.json) printJson({ encryptKey: keys.encrypt, signKey: keys.sign, gnupgHome, algorithm: keys.algorithm, ...(exported ? { exportDir: exported.dir, files: exported.files } : {}) });
    return 0;
  });
}

function keyJson(k: KeyInfo) {
  return {
    fingerprint: k.fingerprint, userIds: k.userIds, algorithm: k.algorithm, created: k.created?.toISOString(), expires: k.expires?.toISOString(),
    secret: k.secret, canEncrypt: k.canEncrypt, canSign: k.canSign, signsWithSubkey: k.signsWithSubkey,
  };
}

export async function keysListCommand(opts: GlobalOptions, hooks: Hooks): Promise<number> {
  const gnupgHome = resolveGnupgHome(process.env);
  const keys = await listSecretKeys(gnupgHome, hooks.signal);
  if (opts.json) {
    printJson({ gnupgHome, keys: keys.map(keyJson) });
    return 0;
  }
  if (!keys.length) {
    process.stdout.write(`No usable secret keys in ${gnupgHome}.\nMake a pair with: dupliswift keys generate --name NAME --email EMAIL\n`);
    return 0;
  }
  const lines = [`Secret keys in ${gnupgHome}:`];
  for (const k of keys) {
    lines.push(`  ${k.fingerprint}  ${describeKey(k)}`);
    if (k.signsWithSubkey) lines.push('    ⚠ signs with a subkey: duplicity\'s restore check rejects it as a signing key');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export async function keysExportCommand(opts: GlobalOptions & { encryptKey?: string; signKey?: string; dir?: string; paper?: boolean }, hooks: Hooks): Promise<number> {
  const encrypt = fingerprintFlag('--encrypt-key', opts.encryptKey);
  const sign = fingerprintFlag('--sign-key', opts.signKey);
  if (!opts.dir) throw new UsageError('--dir is required.', 'Name the folder to export into (created 0700).');
  const dir = expandPath(opts.dir, process.env);
  return withSession(opts, { export: { dir, paper: Boolean(opts.paper) } }, hooks, async (session) => {
    const gnupgHome = resolveGnupgHome(session.env);
    const present = await listSecretKeys(gnupgHome, session.signal);
    for (const fpr of [encrypt, sign]) {
      if (!present.some((k) => k.fingerprint === fpr)) throw new UserError(`The secret key ${fpr} is not in ${gnupgHome}.`, { fix: 'Check the fingerprint with dupliswift keys list, or set GNUPGHOME.', code: 'no-secret-key' });
    }
    const overwrite = await confirmExportTarget(session.prompt, dir, Boolean(opts.paper));
    const label = (fpr: string) => present.find((k) => k.fingerprint === fpr)?.userIds[0] ?? shortId(fpr);
    // gpg asks for each passphrase itself when exporting; asking here first gives a clear, early answer.
    const ask = (role: KeyRole, fpr: string) => askExistingPassphrase(session.prompt, session.env, role, fpr, label(fpr),
      (p) => checkPassphrase(gnupgHome, present.find((k) => k.fingerprint === fpr)!, p, session.signal));
    const encryptPassphrase = await ask('encrypt', encrypt);
    const signPassphrase = encrypt === sign ? encryptPassphrase : await ask('sign', sign);
    const result = await exportKeysFlow(session, gnupgHome, { encrypt, sign, encryptPassphrase, signPassphrase }, { dir, paper: Boolean(opts.paper), overwrite });
    if (opts.json) printJson({ encryptKey: encrypt, signKey: sign, exportDir: result.dir, files: result.files });
    return 0;
  });
}

/** Which passphrase variable belongs to a key: from its user ID when dupliswift made it, else both are tried. */
function rolesFor(key: KeyInfo): KeyRole[] {
  const role = key.userIds.map(roleFromUserId).find(Boolean);
  return role ? [role] : ['encrypt', 'sign'];
}

export async function keysImportCommand(files: string[], opts: GlobalOptions, hooks: Hooks): Promise<number> {
  if (!files.length) throw new UsageError('Name at least one .asc file to import.', 'dupliswift keys import DIR/*.asc');
  return withSession(opts, {}, hooks, async (session) => {
    const { prompt, env, signal } = session;
    const gnupgHome = resolveGnupgHome(env);
    await ensureGnupgHome(gnupgHome);
    const inspected = await inspectKeyFiles(gnupgHome, files, signal);
    const incoming = mergeKeyFiles(inspected);
    prompt.show({
      title: `The files hold ${count(incoming.length, 'key')}:`,
      lines: incoming.map((k) => `${k.fingerprint}  ${k.secret ? 'secret + public' : 'public only'}  ${describeKey(k)}`),
    });
    const imported = await prompt.task({ running: `Importing into ${gnupgHome} and setting ultimate trust`, done: 'Keys imported and trusted' }, () => importKeyFiles(gnupgHome, inspected, signal));

    const checked: Record<string, boolean> = {};
    for (const key of imported.filter((k) => k.secret)) {
      const roles = rolesFor(key);
      // Environment values first, silently: the unattended case, and a person need not retype them.
      for (const role of roles) {
        const value = env[PASSPHRASE_ENV[role]];
        if (value !== undefined && !checked[key.fingerprint] && await checkPassphrase(gnupgHome, key, value, signal)) checked[key.fingerprint] = true;
      }
      if (checked[key.fingerprint]) continue;
      const role = roles[0]!;
      await askExistingPassphrase(prompt, env, role, key.fingerprint, key.userIds[0] ?? shortId(key.fingerprint), (p) => checkPassphrase(gnupgHome, key, p, signal));
      checked[key.fingerprint] = true;
    }
    prompt.show({
      title: `Imported into ${gnupgHome}, trusted ultimately${Object.keys(checked).length ? ', and each secret key unlocked with its passphrase' : ''}.`,
      tone: 'success',
      lines: imported.map((k) => `${k.fingerprint}  ${k.secret ? 'secret' : 'public'}  ${k.userIds[0] ?? ''}`),
    });
    if (opts.json) printJson({ gnupgHome, keys: imported.map((k) => ({ ...keyJson(k), passphraseChecked: Boolean(checked[k.fingerprint]) })) });
    return 0;
  });
}
