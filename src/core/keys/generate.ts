import { normalizeFingerprint } from './fingerprint';

export type KeyAlgorithm = 'curve25519' | 'rsa4096';
export type KeyRole = 'encrypt' | 'sign';

export interface GeneratedKey {
  role: KeyRole;
  fingerprint: string;
  userId: string;
  /** Armored secret key (protected by the passphrase unless it was empty). */
  armoredSecret: string;
}

export interface GenerateRequest {
  name: string;
  email: string;
  algorithm: KeyAlgorithm;
  encryptPassphrase: string;
  signPassphrase: string;
}

/** "Jane Doe Backup Encryption", as the tutorial names them, so the two keys tell themselves apart. */
export function userIdName(name: string, role: KeyRole): string {
  return `${name.trim()} Backup ${role === 'encrypt' ? 'Encryption' : 'Signing'}`;
}

export function roleFromUserId(userId: string): KeyRole | undefined {
  if (/ Backup Encryption\b/.test(userId)) return 'encrypt';
  if (/ Backup Signing\b/.test(userId)) return 'sign';
  return undefined;
}

/**
 * The only key shapes gpg 2.2 and duplicity 0.8 accept from openpgp.js: v4 keys, legacy Curve25519
 * or RSA-4096, no AEAD. With AEAD the secret key fails to import and backups succeed but can never be
 * restored; v6 keys and the new-format curve are refused outright. Never change these lightly.
 */
export function keyOptions(algorithm: KeyAlgorithm) {
  const shape = algorithm === 'rsa4096' ? { type: 'rsa' as const, rsaBits: 4096 } : { type: 'ecc' as const, curve: 'curve25519Legacy' as const };
  return { ...shape, config: { v6Keys: false, aeadProtect: false } };
}

/**
 * Both keys, in-process: openpgp.js makes them in milliseconds (Curve25519) where gpg takes seconds.
 * openpgp is loaded only here: it is large and nothing else needs it. RSA runs on libuv's thread
 * pool, so the UI keeps drawing meanwhile.
 */
export async function generateBackupKeys(request: GenerateRequest, progress?: (detail: string, fraction: number) => void): Promise<{ encrypt: GeneratedKey; sign: GeneratedKey }> {
  const openpgp = await import('openpgp');
  const make = async (role: KeyRole, passphrase: string): Promise<GeneratedKey> => {
    const userId = `${userIdName(request.name, role)} <${request.email.trim()}>`;
    const options = keyOptions(request.algorithm);
    const { privateKey } = await openpgp.generateKey({
      ...options,
      // This protection lives only in memory, on the way into gpg over a pipe: gpg-agent re-protects
      // the key with its own calibrated S2K on import, and every export is gpg's. openpgp.js's default
      // (about 65 MB of hashing per key) would be paid again at the first unlock for nothing.
      config: { ...options.config, s2kIterationCountByte: 96 },
      userIDs: [{ name: userIdName(request.name, role), email: request.email.trim() }],
      // An empty passphrase leaves the key unprotected (an explicit, warned-about choice).
      passphrase: passphrase === '' ? undefined : passphrase,
      format: 'object',
    });
    const fingerprint = normalizeFingerprint(privateKey.getFingerprint());
    if (!fingerprint) throw new Error(`openpgp.js made a key with an unexpected fingerprint: ${privateKey.getFingerprint()}`);
    return { role, fingerprint, userId, armoredSecret: privateKey.armor() };
  };
  // Both at once: RSA's prime search runs on libuv's thread pool, so two keys take little longer than one.
  progress?.('Generating the encryption and signing keys', 0);
  let done = 0;
  const track = (key: Promise<GeneratedKey>) => key.then((k) => {
    done++;
    progress?.(`${k.role === 'encrypt' ? 'Encryption' : 'Signing'} key generated`, done / 2);
    return k;
  });
  const [encrypt, sign] = await Promise.all([track(make('encrypt', request.encryptPassphrase)), track(make('sign', request.signPassphrase))]);
  return { encrypt, sign };
}
