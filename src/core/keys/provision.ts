import { abortable } from '../abortable';
import { generateBackupKeys, type GenerateRequest } from './generate';
import { ensureGnupgHome } from './gnupg';
import { importArmored, trustUltimately } from './install';
import { selfTest } from './self-test';

export interface ProvisionedKeys {
  encrypt: string;
  sign: string;
  encryptUserId: string;
  signUserId: string;
}

/**
 * The whole "new keys" job: generate both in-process, import them into the GnuPG home (created 0700
 * when missing), trust them ultimately, and prove them with a sign-encrypt-decrypt-verify self-test.
 */
export async function provisionNewKeys(home: string, request: GenerateRequest, opts: { progress?: (detail: string, fraction?: number) => void; signal?: AbortSignal } = {}): Promise<ProvisionedKeys> {
  const { progress, signal } = opts;
  await ensureGnupgHome(home);
  const generated = await abortable(generateBackupKeys(request, (detail, fraction) => progress?.(detail, fraction * 0.6)), signal);
  signal?.throwIfAborted();
  progress?.('Importing both keys into GnuPG', 0.65);
  await importArmored(home, `${generated.encrypt.armoredSecret}\n${generated.sign.armoredSecret}`, signal);
  progress?.('Setting ultimate trust', 0.75);
  await trustUltimately(home, [generated.encrypt.fingerprint, generated.sign.fingerprint], signal);
  progress?.('Self-test: sign, encrypt, decrypt, verify', 0.85);
  await selfTest(home, {
    encrypt: generated.encrypt.fingerprint, sign: generated.sign.fingerprint,
    encryptPassphrase: request.encryptPassphrase, signPassphrase: request.signPassphrase,
  }, signal);
  progress?.('Keys ready', 1);
  return { encrypt: generated.encrypt.fingerprint, sign: generated.sign.fingerprint, encryptUserId: generated.encrypt.userId, signUserId: generated.sign.userId };
}
