/**
 * Where dupliswift keeps secrets (the two passphrases, the Swift password), per profile and name.
 * Two stores share this shape: the desktop keyring (Secret Service, through keytar's API) and a
 * 0600 file, the explicit fallback and what unattended jobs read.
 */
export type SecretName = 'encrypt-passphrase' | 'sign-passphrase' | 'swift-password' | (string & {});

export const SECRET_NAMES = {
  encryptPassphrase: 'encrypt-passphrase',
  signPassphrase: 'sign-passphrase',
  swiftPassword: 'swift-password',
} as const;

/**
 * A read's outcome. "locked" is not "absent": a locked keyring answers every read with nothing, and
 * taking that for "no secret stored" would make dupliswift ask again or store a second copy.
 */
export type SecretLookup =
  | { state: 'found'; value: string }
  | { state: 'absent' }
  | { state: 'locked'; reason: string }
  | { state: 'unavailable'; reason: string };

export interface SecretStore {
  readonly kind: 'keyring' | 'file';
  /** Where the secrets are, in words ("the login keyring", "/etc/dupliswift/nightly/secrets/"). */
  readonly where: string;
  get(profile: string, name: SecretName): Promise<SecretLookup>;
  /** Throws a UserError when the store cannot take it (locked, gone). */
  set(profile: string, name: SecretName, value: string): Promise<void>;
  /** True when something was deleted. */
  delete(profile: string, name: SecretName): Promise<boolean>;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Profile and secret names become file names and keyring attributes: keep them tame. */
export function checkName(kind: 'profile' | 'secret', value: string): void {
  if (!SAFE.test(value)) throw new Error(`invalid ${kind} name ${JSON.stringify(value)}`);
}
