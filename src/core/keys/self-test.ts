import { randomBytes } from 'node:crypto';
import { UserError } from '../errors';
import { shortId } from './fingerprint';
import { forgetPassphrases, gpg, gpgMessage, isBadPassphrase, statusLines } from './gnupg';

export interface KeyPair {
  encrypt: string;
  sign: string;
  encryptPassphrase: string;
  signPassphrase: string;
}

function wrongPassphrase(role: 'encrypt' | 'sign', fingerprint: string): UserError {
  const which = role === 'encrypt' ? 'encryption' : 'signing';
  const env = role === 'encrypt' ? 'DUPLISWIFT_ENCRYPT_PASSPHRASE' : 'DUPLISWIFT_SIGN_PASSPHRASE';
  return new UserError(`The passphrase for the ${which} key ${shortId(fingerprint)} is wrong: gpg could not unlock the key with it.`, {
    fix: `Type it again (check Caps Lock and the keyboard layout), or set ${env} to the right one.`,
    code: 'bad-passphrase',
  });
}

/**
 * What a backup and a restore will do, done once on a probe: sign with S and encrypt to E, then,
 * with the agent's cache emptied so no cached passphrase can hide a wrong one, decrypt and verify. Proves
 * both passphrases, the trust, and that S signs with its primary key (duplicity's restore check).
 */
export async function selfTest(home: string, keys: KeyPair, signal?: AbortSignal): Promise<void> {
  const probe = `dupliswift self-test ${randomBytes(12).toString('hex')}\n`;
  await forgetPassphrases(home, signal);
  const sealed = await gpg(home, ['--status-fd', '2', '--armor', '--local-user', keys.sign, '--recipient', keys.encrypt, '--sign', '--encrypt'], { input: probe, passphrase: keys.signPassphrase, signal });
  if (sealed.exitCode !== 0) {
    if (isBadPassphrase(sealed.stderr)) throw wrongPassphrase('sign', keys.sign);
    throw new UserError(`The self-test could not sign and encrypt with the keys: ${gpgMessage(sealed.stderr)}`, { fix: 'Check that both keys are in this GnuPG home, valid, and trusted (dupliswift keys list).', code: 'self-test' });
  }
  await forgetPassphrases(home, signal);
  const opened = await gpg(home, ['--status-fd', '2', '--decrypt'], { input: sealed.stdout, passphrase: keys.encryptPassphrase, signal });
  if (opened.exitCode !== 0 || opened.stdout !== probe) {
    if (isBadPassphrase(opened.stderr)) throw wrongPassphrase('encrypt', keys.encrypt);
    throw new UserError(`The self-test could not decrypt and verify the probe: ${gpgMessage(opened.stderr)}`, { code: 'self-test' });
  }
  const valid = statusLines(opened.stderr).find((s) => s.keyword === 'VALIDSIG');
  if (!valid) throw new UserError('The self-test probe decrypted but its signature did not verify.', { code: 'self-test' });
  if (valid.args[0] !== keys.sign) {
    throw new UserError(`The key ${shortId(keys.sign)} signs with its subkey ${shortId(valid.args[0] ?? '')}: duplicity would refuse every restore of these backups.`, {
      fix: 'Pick a signing key without a signing subkey, or let dupliswift generate a new pair.',
      code: 'signs-with-subkey',
    });
  }
  await forgetPassphrases(home, signal);
}

/**
 * Does this passphrase unlock this key? Decrypts a probe encrypted to it (a key that can encrypt),
 * or signs one (a key that cannot). The agent's cache is emptied first, so the answer is the passphrase's own.
 */
export async function checkPassphrase(home: string, key: { fingerprint: string; canEncrypt: boolean }, passphrase: string, signal?: AbortSignal): Promise<boolean> {
  const probe = `dupliswift passphrase check ${randomBytes(8).toString('hex')}\n`;
  await forgetPassphrases(home, signal);
  let result;
  if (key.canEncrypt) {
    const sealed = await gpg(home, ['--trust-model', 'always', '--armor', '--recipient', key.fingerprint, '--encrypt'], { input: probe, signal });
    if (sealed.exitCode !== 0) throw new UserError(`Could not encrypt a probe to ${shortId(key.fingerprint)}: ${gpgMessage(sealed.stderr)}`, { code: 'self-test' });
    result = await gpg(home, ['--status-fd', '2', '--decrypt'], { input: sealed.stdout, passphrase, signal });
    if (result.exitCode === 0 && result.stdout !== probe) return false;
  } else {
    result = await gpg(home, ['--status-fd', '2', '--local-user', key.fingerprint, '--sign'], { input: probe, passphrase, signal });
  }
  await forgetPassphrases(home, signal);
  if (result.exitCode === 0) return true;
  if (isBadPassphrase(result.stderr)) return false;
  throw new UserError(`Could not test the passphrase of ${shortId(key.fingerprint)}: ${gpgMessage(result.stderr)}`, { code: 'self-test' });
}
