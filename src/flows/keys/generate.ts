import { provisionNewKeys, type ProvisionedKeys } from '../../core/keys/provision';
import type { KeyAlgorithm } from '../../core/keys/generate';
import type { Prompter } from '../../prompt/port';
import { askNewPassphrase } from './passphrases';
import { loadStrengthMeter } from '../../core/keys/passphrase-strength';
import { groupedFingerprint } from '../../core/keys/fingerprint';

export interface NewKeys extends ProvisionedKeys {
  gnupgHome: string;
  encryptPassphrase: string;
  signPassphrase: string;
  algorithm: KeyAlgorithm;
}

const validName = (v: string) => (!v.trim() ? 'Type a name (yours, or the server\'s).' : /[<>]/.test(v) ? 'A name cannot contain < or >.' : undefined);
const validEmail = (v: string) => (/^[^@\s<>]+@[^@\s<>]+$/.test(v.trim()) ? undefined : 'Type an e-mail address such as backup@example.org.');

/**
 * Asks what the new keys need (name, e-mail, algorithm, two passphrases), then generates both,
 * puts them into GnuPG with ultimate trust and self-tests them, with progress shown.
 */
export async function generateKeysFlow(
  ctx: { prompt: Prompter; env: NodeJS.ProcessEnv; signal: AbortSignal },
  gnupgHome: string,
  defaults: { name?: string; email?: string; algorithm?: KeyAlgorithm } = {},
): Promise<NewKeys> {
  const { prompt, env, signal } = ctx;
  // The strength estimator's word lists load while the name and e-mail are typed.
  void loadStrengthMeter().catch(() => undefined);
  const name = (await prompt.text({ id: 'keys.generate.name', message: 'Name for the keys\' user IDs:', help: 'The keys will be called "<name> Backup Encryption" and "<name> Backup Signing".', default: defaults.name, validate: validName })).trim();
  const email = (await prompt.text({ id: 'keys.generate.email', message: 'E-mail for the keys\' user IDs:', default: defaults.email, validate: validEmail })).trim();
  const algorithm = await prompt.select<KeyAlgorithm>({
    id: 'keys.generate.algorithm',
    message: 'Which kind of keys?',
    choices: [
      { value: 'curve25519', label: 'Curve25519', hint: 'modern, small and fast; gpg 2.1 and later' },
      { value: 'rsa4096', label: 'RSA-4096', hint: 'for old GnuPG versions elsewhere; slower' },
    ],
    default: defaults.algorithm ?? 'curve25519',
  });
  const log = (title: string, tone: 'warning' | 'info') => prompt.show({ title, tone });
  const encryptPassphrase = await askNewPassphrase(prompt, env, 'encrypt', log);
  const signPassphrase = await askNewPassphrase(prompt, env, 'sign', log);

  const keys = await prompt.task({ running: 'Generating the encryption and signing keys', done: 'Keys generated, imported, trusted and self-tested' }, (report) =>
    provisionNewKeys(gnupgHome, { name, email, algorithm, encryptPassphrase, signPassphrase }, { progress: report, signal }));
  prompt.show({
    title: 'The two new keys:',
    tone: 'info',
    lines: [`Encryption ${groupedFingerprint(keys.encrypt)}`, `Signing    ${groupedFingerprint(keys.sign)}`],
  });
  return { ...keys, gnupgHome, encryptPassphrase, signPassphrase, algorithm };
}
