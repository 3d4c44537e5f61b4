import { UserError } from '../../core/errors';
import { loadStrengthMeter } from '../../core/keys/passphrase-strength';
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
  const meter = await loadStrengthMeter();
  for (;;) {
    const value = await prompt.secret({
      id: `keys.${role}Passphrase`,
      env: envName,
      message: `Choose a passphrase for the ${ROLE_WORD[role]} key:`,
      help: role === 'encrypt' ? 'Needed for every restore: store it somewhere other than this server.' : 'Needed by every backup run; the backup job keeps a copy.',
      confirm: true,
      assess: (v) => meter.estimate(v).text,
      validate: noNewline,
    });
    if (value !== '') {
      const strength = meter.estimate(value);
      if (strength.verdict === 'weak') {
        // The encryption key's passphrase is all that protects the exported secret key, which is
        // meant to leave this server: a weak one is a choice someone makes out loud, never a default.
        const anyway = await prompt.confirm({
          id: 'keys.generate.acceptWeakPassphrase',
          message: `That passphrase for the ${ROLE_WORD[role]} key is weak (about ${strength.bits} bits to guess): a copy of the exported key could be opened by guessing. Use it anyway?`,
          default: false,
          destructive: true,
          refusal: {
            message: `The passphrase in ${envName} is weak (about ${strength.bits} bits to guess), and --yes never accepts a weak passphrase.`,
            fix: 'Choose a longer one (four or five random words), or say "use it anyway": "keys.generate.acceptWeakPassphrase": true in the answers file, or --accept-weak-passphrase.',
          },
        });
        if (!anyway) {
          if (prompt.kind === 'answers') throw new UserError(`The passphrase in ${envName} is weak (about ${strength.bits} bits to guess).`, { fix: 'Choose a longer one (four or five random words).', code: 'weak-passphrase' });
          continue;
        }
        log(`The ${ROLE_WORD[role]} key's passphrase is weak (about ${strength.bits} bits), by choice.`, 'warning');
      } else if (env[envName] === value && strength.verdict === 'fair') log(`${envName}: ${strength.text}`, 'warning');
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
