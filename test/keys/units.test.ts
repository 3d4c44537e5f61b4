import { describe, expect, test } from 'vitest';
import { parseColonListing } from '../../src/core/keys/colons';
import { groupedFingerprint, normalizeFingerprint } from '../../src/core/keys/fingerprint';
import { keyOptions, roleFromUserId, userIdName } from '../../src/core/keys/generate';
import { loadStrengthMeter } from '../../src/core/keys/passphrase-strength';

describe('fingerprints leave in one form: uppercase 40-hex, no 0x', () => {
  test('normalizes what people paste', () => {
    expect(normalizeFingerprint('0x5557ea0b5e7b868eada3095d63e087e551abc446')).toBe('5557EA0B5E7B868EADA3095D63E087E551ABC446');
    expect(normalizeFingerprint('5557 EA0B 5E7B 868E ADA3  095D 63E0 87E5 51AB C446')).toBe('5557EA0B5E7B868EADA3095D63E087E551ABC446');
    expect(normalizeFingerprint('63E087E551ABC446')).toBeUndefined();
    expect(groupedFingerprint('5557EA0B5E7B868EADA3095D63E087E551ABC446')).toBe('5557 EA0B 5E7B 868E ADA3  095D 63E0 87E5 51AB C446');
  });
});

test('only the key shapes gpg 2.2 restores from: v4, legacy curve or RSA-4096, no AEAD', () => {
  expect(keyOptions('curve25519')).toEqual({ type: 'ecc', curve: 'curve25519Legacy', config: { v6Keys: false, aeadProtect: false } });
  expect(keyOptions('rsa4096')).toEqual({ type: 'rsa', rsaBits: 4096, config: { v6Keys: false, aeadProtect: false } });
  expect(roleFromUserId(`${userIdName('Jane', 'encrypt')} <j@x>`)).toBe('encrypt');
  expect(roleFromUserId(`${userIdName('Jane', 'sign')} <j@x>`)).toBe('sign');
});

describe('passphrase strength (zxcvbn): what a guesser knows, not character classes', () => {
  // Famous choices and their shapes: a season and a year, the xkcd comic's l33t word, keyboard walks.
  test.each([
    ['', 'empty'], ['abcd', 'weak'], ['password1', 'weak'], ['Summer2024!', 'weak'], ['Tr0ub4dor&3', 'weak'],
    ['aaaaaaaaaaaaaaaa', 'weak'], ['qwertyuiop123', 'weak'], ['correct horse battery staple', 'strong'],
    ['vivid-otter-quarry-lantern-87', 'very strong'],
  ])('%j is %s', async (value, verdict) => {
    const meter = await loadStrengthMeter();
    expect(meter.estimate(value).verdict).toBe(verdict);
  });

  test('the famous passphrase is no longer 158 bits', async () => {
    const { bits } = (await loadStrengthMeter()).estimate('correct horse battery staple');
    expect(bits).toBeGreaterThan(45);
    expect(bits).toBeLessThan(80);
  });
});

describe('gpg --with-colons listings', () => {
  const listing = [
    'sec:u:255:22:63E087E551ABC446:1795678526:::u:::scESC:::+::ed25519:::0:',
    'fpr:::::::::5557EA0B5E7B868EADA3095D63E087E551ABC446:',
    'uid:u::::1795678526::9C02::Jane Backup Encryption <j@e.x>::::::::::0:',
    'ssb:u:255:18:B2D6C07EE946D7C6:1795678526::::::e:::+::cv25519::',
    'fpr:::::::::4322355B0311EE702CB468BDB2D6C07EE946D7C6:',
    'sec:u:4096:1:1111111111111111:1700000000:::u:::scESC:::#:::::0:',
    'fpr:::::::::AAAA1111BBBB2222CCCC3333DDDD4444EEEE5555:',
    'uid:u::::1700000000::AB::Old Key \\x3a colon <o@x>::::::::::0:',
    'ssb:u:4096:1:2222222222222222:1700000000::::::s:::+:::::',
    'fpr:::::::::2222222222222222222222222222222222222222:',
    'sec:r:255:22:3333333333333333:1700000000:::u:::sc:::+::ed25519:::0:',
    'fpr:::::::::3333333333333333333333333333333333333333:',
  ].join('\n');

  test('fingerprints, user IDs, secret presence, subkey signing, revocation', () => {
    const keys = parseColonListing(listing, { secretListing: true });
    expect(keys.map((k) => k.fingerprint)).toEqual(['5557EA0B5E7B868EADA3095D63E087E551ABC446', 'AAAA1111BBBB2222CCCC3333DDDD4444EEEE5555', '3333333333333333333333333333333333333333']);
    expect(keys[0]).toMatchObject({ userIds: ['Jane Backup Encryption <j@e.x>'], algorithm: 'ed25519', secret: true, canEncrypt: true, canSign: true, signsWithSubkey: false, invalid: false });
    expect(keys[1]).toMatchObject({ userIds: ['Old Key : colon <o@x>'], algorithm: 'rsa4096', secret: false, signsWithSubkey: true });
    expect(keys[2]!.invalid).toBe(true);
  });
});
