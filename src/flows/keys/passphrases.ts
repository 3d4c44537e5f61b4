import { UserError } from '../../core/errors';
import { estimateStrength } from '../../core/keys/passphrase-strength';
import type { KeyRole } from '../../core/keys/generate';
import { shortId } from '../../core/keys/fingerprint';
import type { Prompter } from '../../prompt/port';

export const PASSPHRASE_ENV: Record<KeyRole, string> = {
  encrypt: 'DUPLISWIFT_ENCRYPT_PASSPHRASE',
  sign: 'DUPLISWIFT_SIGN_PASSPHRASE',
};

const ROLE_WORD: Record<KeyRole, string> = { encrypt: 'encryption', sign: 'signing' };

// gpg reads a passphrase from its fd up to the first newline: anything after it would be lost.
const noNewline = (value: string) => (/[\r\n]/.test(value) ? 'A passphrase cannot contain a line break.' : undefined);

/**
 * A new passphrase: asked twice, strength shown while typing. Empty only by an explicit choice: a
 * confirmation at a terminal, or the variable deliberately set to "" in the environment.
 */
export async function askNewPassphrase(prompt: Prompter, env: NodeJS.ProcessEnv, role: KeyRole, log: (title: string, tone: 'warning' | 'info') => void): Promise<string> {
  const envName = PASSPHRASE_ENV[role];
  for (;;) {
    const value = await prompt.secret({
      id: `keys.${role}Passphrase`,
      env: envName,
      message: `Choose a passphrase for the ${ROLE_WORD[role]} key:`,
      help: role === 'encrypt' ? 'Needed for every restore: store it somewhere other than this server.' : 'Needed by every backup run; the backup job keeps a copy.',
      confirm: true,
      assess: (v) => estimateStrength(v).text,
      validate: noNewline,
    });
    if (value !== '') {
      const strength = estimateStrength(value);
      if (env[envName] === value && (strength.verdict === 'weak' || strength.verdict === 'fair')) log(`${envName}: ${strength.text}`, 'warning');
      return value;
    }
    const warning = `The ${ROLE_WORD[role]} key will have NO passphrase: anyone who gets a copy of it can ${role === 'encrypt' ? 'read every backup' : 'sign fake backups'}.`;
    if (env[envName] === '') {
      log(`${warning} (${envName} is set to an empty string.)`, 'warning');
      return '';
    }
    const sure = await prompt.confirm({ id: `keys.${role}PassphraseEmpty`, message: `${warning} Continue without one?`, default: false });
    if (sure) {
      log(warning, 'warning');
      return '';
    }
  }
}

/**
 * The passphrase of a key that already exists, proven by `check` before it is accepted. From the
 * environment there is one try (a wrong value is an error); at a terminal, three.
 */
export async function askExistingPassphrase(
  prompt: Prompter, env: NodeJS.ProcessEnv, role: KeyRole, fingerprint: string, label: string, check: (passphrase: string) => Promise<boolean>,
): Promise<string> {
  const envName = PASSPHRASE_ENV[role];
  for (let attempt = 1; ; attempt++) {
    const value = await prompt.secret({ id: `keys.${role}Passphrase`, env: envName, message: `Passphrase of the ${ROLE_WORD[role]} key (${label}):`, validate: noNewline });
    if (await check(value)) return value;
    const fromEnv = env[envName] !== undefined && prompt.kind === 'answers';
    if (fromEnv || attempt >= 3) {
      throw new UserError(`The passphrase for the ${ROLE_WORD[role]} key ${shortId(fingerprint)} is wrong: gpg could not unlock the key with it.`, {
        fix: fromEnv ? `Set ${envName} to the right passphrase.` : 'Check Caps Lock and the keyboard layout, then run the command again.',
        code: 'bad-passphrase',
      });
    }
    prompt.show({ title: 'That passphrase does not unlock the key. Try again.', tone: 'warning' });
  }
}
