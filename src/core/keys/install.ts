import { existsSync } from 'node:fs';
import { UserError } from '../errors';
import { parseColonListing, type KeyInfo } from './colons';
import { gpg, gpgMessage } from './gnupg';

/** Imports armored keys (public or secret) into the home. */
export async function importArmored(home: string, armored: string, signal?: AbortSignal): Promise<void> {
  const result = await gpg(home, ['--import'], { input: armored, signal });
  if (result.exitCode !== 0) {
    throw new UserError(`gpg could not import the keys: ${gpgMessage(result.stderr)}`, { fix: 'Check that the file is an armored OpenPGP key (as dupliswift keys export writes them).', code: 'gpg-import' });
  }
}

/**
 * Ultimate ownertrust: these are the person's own keys. Without it gpg asks "use this key anyway?"
 * when encrypting, which in batch mode means failing.
 */
export async function trustUltimately(home: string, fingerprints: string[], signal?: AbortSignal): Promise<void> {
  const result = await gpg(home, ['--import-ownertrust'], { input: fingerprints.map((f) => `${f}:6:\n`).join(''), signal });
  if (result.exitCode !== 0) throw new UserError(`gpg could not set trust on the keys: ${gpgMessage(result.stderr)}`, { code: 'gpg-trust' });
}

export async function listKeys(home: string, opts: { secret: boolean; fingerprints?: string[]; signal?: AbortSignal }): Promise<KeyInfo[]> {
  // A GnuPG home that does not exist yet holds no keys; gpg itself would call that fatal.
  if (!existsSync(home)) return [];
  const result = await gpg(home, ['--with-colons', '--fixed-list-mode', '--with-fingerprint', opts.secret ? '--list-secret-keys' : '--list-keys', ...(opts.fingerprints ?? [])], { signal: opts.signal });
  // gpg exits 2 when asked for a key it does not have, and lists nothing for an empty keyring.
  if (result.exitCode !== 0 && !result.stdout && !/No (public|secret) key|not found/i.test(result.stderr) && result.stderr.trim()) {
    throw new UserError(`gpg could not list the keys: ${gpgMessage(result.stderr)}`, { code: 'gpg-list' });
  }
  return parseColonListing(result.stdout, { secretListing: opts.secret });
}

/** Secret keys that could serve as backup keys: usable, with a secret part present. */
export async function listSecretKeys(home: string, signal?: AbortSignal): Promise<KeyInfo[]> {
  return (await listKeys(home, { secret: true, signal })).filter((k) => k.secret && !k.invalid);
}

/** What an armored file holds, without importing it (gpg --show-keys). */
export async function inspectArmored(home: string, armored: string, signal?: AbortSignal): Promise<KeyInfo[]> {
  const result = await gpg(home, ['--with-colons', '--fixed-list-mode', '--with-fingerprint', '--import-options', 'show-only', '--import'], { input: armored, signal });
  return parseColonListing(result.stdout, { secretListing: false });
}
