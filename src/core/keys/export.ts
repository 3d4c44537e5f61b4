import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors';
import { ensurePrivateDir, writePrivateFile } from '../fs/atomic-write';
import type { KeyInfo } from './colons';
import { groupedFingerprint, shortId } from './fingerprint';
import { gpg, gpgMessage, isBadPassphrase, killAgent } from './gnupg';
import { importArmored, listKeys } from './install';
import type { KeyPair } from './self-test';

/** The files an export writes, by fixed names, so `keys import DIR/*.asc` finds them all. */
export const EXPORT_FILES = {
  encryptSecret: 'encrypt-key.secret.asc',
  encryptPublic: 'encrypt-key.public.asc',
  signSecret: 'sign-key.secret.asc',
  signPublic: 'sign-key.public.asc',
  paper: 'paper-copy.txt',
} as const;

export function exportFileNames(paper: boolean): string[] {
  const all: string[] = [EXPORT_FILES.encryptSecret, EXPORT_FILES.encryptPublic, EXPORT_FILES.signSecret, EXPORT_FILES.signPublic];
  return paper ? [...all, EXPORT_FILES.paper] : all;
}

/** The files of an export that are already in `dir`: overwriting them needs a yes. */
export async function existingExportFiles(dir: string, paper: boolean): Promise<string[]> {
  const found: string[] = [];
  for (const name of exportFileNames(paper)) {
    if (await access(join(dir, name)).then(() => true, () => false)) found.push(name);
  }
  return found;
}

interface Exported { secret: string; public: string }

async function exportOne(home: string, fingerprint: string, passphrase: string, role: 'encrypt' | 'sign', signal?: AbortSignal): Promise<Exported> {
  const pub = await gpg(home, ['--armor', '--export-options', 'export-minimal', '--export', fingerprint], { signal });
  // The agent hands out a secret key only after its passphrase unlocks it (then re-protects it with it).
  const sec = await gpg(home, ['--armor', '--export-secret-keys', fingerprint], { passphrase, signal });
  if (sec.exitCode !== 0 || !sec.stdout.includes('PRIVATE KEY BLOCK')) {
    if (isBadPassphrase(sec.stderr)) {
      throw new UserError(`The passphrase for the ${role === 'encrypt' ? 'encryption' : 'signing'} key ${shortId(fingerprint)} is wrong: gpg would not export it.`, {
        fix: `Type it again, or set ${role === 'encrypt' ? 'DUPLISWIFT_ENCRYPT_PASSPHRASE' : 'DUPLISWIFT_SIGN_PASSPHRASE'} to the right one.`, code: 'bad-passphrase',
      });
    }
    throw new UserError(`gpg could not export the secret key ${shortId(fingerprint)}: ${gpgMessage(sec.stderr) || 'no secret key in this GnuPG home'}.`, { fix: 'Check the fingerprint with dupliswift keys list.', code: 'export' });
  }
  if (pub.exitCode !== 0 || !pub.stdout.includes('PUBLIC KEY BLOCK')) throw new UserError(`gpg could not export the public key ${shortId(fingerprint)}: ${gpgMessage(pub.stderr)}`, { code: 'export' });
  return { secret: sec.stdout, public: pub.stdout };
}

export function paperCopy(keys: { encrypt: KeyInfo; sign: KeyInfo }, armored: { encrypt: Exported; sign: Exported }, when: Date): string {
  const key = (title: string, info: KeyInfo, text: string) => [
    `== ${title} ==`,
    `Fingerprint: ${groupedFingerprint(info.fingerprint)}`,
    `User ID:     ${info.userIds[0] ?? '(none)'}`,
    `Algorithm:   ${info.algorithm}`,
    '',
    text.trim(),
    '',
  ];
  return [
    'dupliswift backup keys: PAPER COPY. Keep it offline, somewhere safe, away from the server.',
    `Printed ${when.toISOString().slice(0, 10)}. The secret keys below are protected by their passphrases,`,
    'which are NOT written here: keep those separately.',
    '',
    'To restore on a new machine:',
    '  1. Type or scan each block into a file (encrypt-key.secret.asc, sign-key.secret.asc).',
    '  2. dupliswift keys import encrypt-key.secret.asc sign-key.secret.asc',
    '     (or: gpg --import FILE, then set ultimate trust for both fingerprints).',
    '  3. dupliswift restore, giving the encryption key\'s passphrase.',
    '',
    ...key('Encryption key (secret)', keys.encrypt, armored.encrypt.secret),
    ...key('Signing key (secret)', keys.sign, armored.sign.secret),
  ].join('\n');
}

export interface ExportResult {
  dir: string;
  files: string[];
  encrypt: KeyInfo;
  sign: KeyInfo;
}

/**
 * Both keys, secret and public, armored, into `dir` (0700, files 0600). Refuses to replace existing
 * files unless `overwrite`. Proves the export complete by importing it into a throwaway GnuPG home
 * and unlocking both secret keys there with their passphrases.
 */
export async function exportKeys(home: string, keys: KeyPair, opts: { dir: string; paper: boolean; overwrite: boolean; signal?: AbortSignal; now?: Date }): Promise<ExportResult> {
  const [encryptInfo] = await listKeys(home, { secret: true, fingerprints: [keys.encrypt], signal: opts.signal });
  const [signInfo] = await listKeys(home, { secret: true, fingerprints: [keys.sign], signal: opts.signal });
  for (const [info, fpr] of [[encryptInfo, keys.encrypt], [signInfo, keys.sign]] as const) {
    if (!info?.secret) throw new UserError(`The secret key ${fpr} is not in the GnuPG home ${home}.`, { fix: 'Check the fingerprint with dupliswift keys list, or set GNUPGHOME.', code: 'no-secret-key' });
  }
  await ensurePrivateDir(opts.dir);
  const clashes = await existingExportFiles(opts.dir, opts.paper);
  if (clashes.length && !opts.overwrite) {
    throw new UserError(`${opts.dir} already holds an export (${clashes.join(', ')}); dupliswift does not overwrite it without a yes.`, { fix: 'Pick another folder, or move the old files away first.', code: 'export-exists' });
  }

  const encrypt = await exportOne(home, keys.encrypt, keys.encryptPassphrase, 'encrypt', opts.signal);
  const sign = await exportOne(home, keys.sign, keys.signPassphrase, 'sign', opts.signal);
  await verifyExport([encrypt.secret, encrypt.public, sign.secret, sign.public], keys, opts.signal);

  const contents: Array<[string, string]> = [
    [EXPORT_FILES.encryptSecret, encrypt.secret], [EXPORT_FILES.encryptPublic, encrypt.public],
    [EXPORT_FILES.signSecret, sign.secret], [EXPORT_FILES.signPublic, sign.public],
  ];
  if (opts.paper) contents.push([EXPORT_FILES.paper, paperCopy({ encrypt: encryptInfo!, sign: signInfo! }, { encrypt, sign }, opts.now ?? new Date())]);
  for (const [name, text] of contents) await writePrivateFile(join(opts.dir, name), text);
  return { dir: opts.dir, files: contents.map(([name]) => join(opts.dir, name)), encrypt: encryptInfo!, sign: signInfo! };
}

/**
 * Imports the armored blocks into a fresh home and checks that both keys came back with their secret
 * parts (not stubs). The passphrases were already proven by the export itself: the agent only hands
 * out a secret key it could unlock.
 */
export async function verifyExport(blocks: string[], keys: Pick<KeyPair, 'encrypt' | 'sign'>, signal?: AbortSignal): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'dupliswift-verify-'));
  try {
    await importArmored(scratch, blocks.join('\n'), signal);
    const present = await listKeys(scratch, { secret: true, signal });
    for (const [fpr, role] of [[keys.encrypt, 'encryption'], [keys.sign, 'signing']] as const) {
      if (!present.some((k) => k.fingerprint === fpr && k.secret)) {
        throw new UserError(`The export is incomplete: the ${role} key ${shortId(fpr)} did not come back from it with its secret part.`, { code: 'export-incomplete' });
      }
    }
  } finally {
    await killAgent(scratch).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}
