/**
 * Fingerprints leave dupliswift in one form only: uppercase 40-hex without `0x`. duplicity accepts
 * other forms at backup time but compares the signer as a case-sensitive suffix on restore, so a
 * lowercase or short id makes every restore fail.
 */
const FULL = /^[0-9A-F]{40}$/;

/** `0x`, spaces and case removed; undefined when what is left is not a v4 fingerprint. */
export function normalizeFingerprint(input: string): string | undefined {
  const cleaned = input.trim().replace(/^0x/i, '').replace(/\s+/g, '').toUpperCase();
  return FULL.test(cleaned) ? cleaned : undefined;
}

/** The last 16 hex digits: what gpg prints as a key id, for people reading messages. */
export function shortId(fingerprint: string): string {
  return fingerprint.slice(-16);
}

/** Groups of four, as gpg prints them, for the paper copy and for reading aloud. */
export function groupedFingerprint(fingerprint: string): string {
  return fingerprint.replace(/(.{4})(?!$)/g, '$1 ').replace(/^((?:\S{4} ){4}\S{4}) /, '$1  ');
}
