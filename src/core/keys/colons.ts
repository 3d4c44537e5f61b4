import { normalizeFingerprint } from './fingerprint';

/** One key as gpg's --with-colons listing describes it. */
export interface KeyInfo {
  /** Primary key fingerprint, uppercase 40-hex. */
  fingerprint: string;
  userIds: string[];
  /** "ed25519", "rsa4096", … */
  algorithm: string;
  created: Date | undefined;
  expires: Date | undefined;
  /** The secret part is here (not only a stub or a card reference). */
  secret: boolean;
  /** Revoked, expired or disabled: not usable for new backups. */
  invalid: boolean;
  canEncrypt: boolean;
  canSign: boolean;
  /**
   * gpg signs with a signing subkey when the key has one; duplicity's restore check then sees the
   * subkey's id and rejects the primary fingerprint it was given.
   */
  signsWithSubkey: boolean;
}

const ALGORITHMS: Record<string, string> = { 1: 'rsa', 2: 'rsa', 3: 'rsa', 16: 'elg', 17: 'dsa', 18: 'ecdh', 19: 'ecdsa', 22: 'eddsa' };

function algorithmName(fields: string[]): string {
  const curve = fields[16];
  if (curve) return curve;
  return `${ALGORITHMS[fields[3] ?? ''] ?? `alg${fields[3]}`}${fields[2]}`;
}

function date(field: string | undefined): Date | undefined {
  return field && /^\d+$/.test(field) ? new Date(Number(field) * 1000) : undefined;
}

const unusable = (validity: string | undefined) => validity === 'r' || validity === 'e' || validity === 'd' || validity === 'i';

/**
 * Parses `gpg --with-colons --list-secret-keys` (or --list-keys, or --show-keys on a file). Secret
 * listings mark a present secret with `+` in field 15; --show-keys on a secret file says `sec`.
 */
export function parseColonListing(text: string, opts: { secretListing: boolean }): KeyInfo[] {
  const keys: KeyInfo[] = [];
  let current: KeyInfo | undefined;
  let lastRecord: 'primary' | 'sub' | undefined;
  let subSigns = false;
  let subValid = false;
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const type = fields[0];
    if (type === 'sec' || type === 'pub') {
      const caps = fields[11] ?? '';
      const token = fields[14] ?? '';
      current = {
        fingerprint: '',
        userIds: [],
        algorithm: algorithmName(fields),
        created: date(fields[5]),
        expires: date(fields[6]),
        // A live listing says `+` when the secret is present; a file (--show-keys) says only "sec".
        secret: type === 'sec' && (opts.secretListing ? token === '+' : !token.startsWith('#')),
        invalid: unusable(fields[1]) || /D/.test(caps),
        canEncrypt: /E/.test(caps),
        canSign: /S/.test(caps),
        signsWithSubkey: false,
      };
      keys.push(current);
      lastRecord = 'primary';
    } else if (type === 'sub' || type === 'ssb') {
      lastRecord = 'sub';
      subSigns = /s/.test(fields[11] ?? '');
      subValid = !unusable(fields[1]);
      if (current && subSigns && subValid) current.signsWithSubkey = true;
    } else if (type === 'fpr' && current && lastRecord === 'primary') {
      current.fingerprint = normalizeFingerprint(fields[9] ?? '') ?? '';
      lastRecord = undefined;
    } else if (type === 'uid' && current && !unusable(fields[1])) {
      current.userIds.push(unescapeColons(fields[9] ?? ''));
    }
  }
  return keys.filter((k) => k.fingerprint);
}

/** gpg escapes ':' and non-printables in colon output as \xNN. */
function unescapeColons(value: string): string {
  return value.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** "ed25519, 2026-05-01, Jane Backup Encryption <jane@example.org>" */
export function describeKey(key: KeyInfo): string {
  const created = key.created ? key.created.toISOString().slice(0, 10) : 'unknown date';
  return `${key.userIds[0] ?? '(no user ID)'} · ${key.algorithm} · ${created}`;
}
