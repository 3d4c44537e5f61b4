import { describeKey, type KeyInfo } from '../../core/keys/colons';
import { normalizeFingerprint, shortId } from '../../core/keys/fingerprint';
import { ensureGnupgHome, resolveGnupgHome } from '../../core/keys/gnupg';
import { listSecretKeys } from '../../core/keys/install';
import { checkPassphrase, selfTest } from '../../core/keys/self-test';
import { generateKeysFlow } from '../keys/generate';
import { askExistingPassphrase } from '../keys/passphrases';
import type { Step } from '../run-steps';
import type { SetupState } from './state';

const GENERATE = 'generate';

function choices(keys: KeyInfo[], withGenerate: boolean) {
  const list = keys.map((k) => ({
    value: k.fingerprint,
    label: `${k.fingerprint}  ${k.userIds[0] ?? ''}`.trim(),
    hint: `${describeKey(k)}${k.signsWithSubkey ? ' · ⚠ signs with a subkey' : ''}`,
  }));
  return withGenerate ? [{ value: GENERATE, label: 'Generate two new keys', hint: 'one to encrypt, one to sign (recommended for a new setup)' }, ...list] : list;
}

/**
 * Keys: reuse two secret keys already in GnuPG, or generate a new pair. Either way the step ends with
 * both keys self-tested (sign, encrypt, decrypt, verify) with their passphrases, and fills state.keys.
 */
export const keysStep: Step<SetupState> = {
  id: 'keys',
  title: 'Keys',
  async run(state) {
    const { ctx } = state;
    const { prompt, env, signal } = ctx;
    const gnupgHome = await prompt.text({
      id: 'gnupgHome',
      message: 'GnuPG home for the backup keys:',
      help: 'The backup job will use this folder; it is created 0700 if missing.',
      default: state.keys?.gnupgHome ?? resolveGnupgHome(env),
      validate: (v) => (v.trim().startsWith('/') ? undefined : 'Give an absolute path.'),
    });
    await ensureGnupgHome(gnupgHome);
    const existing = await listSecretKeys(gnupgHome, signal);

    // Asked even with no keys in GnuPG (then it is not put to a person): an answers file that names
    // fingerprints which are not there must fail, not quietly generate new keys.
    const encrypt = await prompt.select({
      // The answers file says either {"encrypt": FPR, "sign": FPR} or {"generate": {...}}.
      id: 'keys',
      fromAnswer: (raw) => {
        const keys = raw as { generate?: unknown; encrypt?: unknown } | undefined;
        if (keys && typeof keys === 'object' && keys.generate) return GENERATE;
        return typeof keys?.encrypt === 'string' ? normalizeFingerprint(keys.encrypt) : undefined;
      },
      message: 'Which key should encrypt the backups?',
      help: 'Its secret part and passphrase are needed for every restore.',
      choices: choices(existing, true),
      default: state.keys?.generated === false ? state.keys.encrypt : GENERATE,
    });

    if (encrypt === GENERATE) {
      const generated = await generateKeysFlow(ctx, gnupgHome, {});
      state.keys = {
        encrypt: generated.encrypt, sign: generated.sign, generated: true, gnupgHome,
        encryptPassphrase: generated.encryptPassphrase, signPassphrase: generated.signPassphrase,
      };
      return;
    }

    const others = existing.filter((k) => k.fingerprint !== encrypt);
    const sign = await prompt.select({
      id: 'keys.sign',
      fromAnswer: (raw) => (typeof raw === 'string' ? normalizeFingerprint(raw) : undefined),
      message: 'Which key should sign the backups?',
      help: 'A second key is best: the backup host then needs only its secret part.',
      choices: choices([...others, ...existing.filter((k) => k.fingerprint === encrypt)], false),
      default: state.keys?.generated === false ? state.keys.sign : others[0]?.fingerprint ?? encrypt,
    });
    const signKey = existing.find((k) => k.fingerprint === sign)!;
    if (signKey.signsWithSubkey) {
      prompt.show({ title: `The key ${shortId(sign)} signs with a subkey: duplicity's restore check will reject its backups.`, tone: 'warning', lines: ['The self-test below will stop here; pick another signing key or generate a new pair.'] });
    }
    const label = (fpr: string) => existing.find((k) => k.fingerprint === fpr)?.userIds[0] ?? shortId(fpr);
    const keyOf = (fpr: string) => existing.find((k) => k.fingerprint === fpr)!;
    const encryptPassphrase = await askExistingPassphrase(prompt, env, 'encrypt', encrypt, label(encrypt), (p) => checkPassphrase(gnupgHome, keyOf(encrypt), p, signal));
    const signPassphrase = sign === encrypt ? encryptPassphrase
      : await askExistingPassphrase(prompt, env, 'sign', sign, label(sign), (p) => checkPassphrase(gnupgHome, keyOf(sign), p, signal));
    await prompt.task({ running: 'Self-test: sign, encrypt, decrypt, verify', done: 'Keys self-tested' }, () =>
      selfTest(gnupgHome, { encrypt, sign, encryptPassphrase, signPassphrase }, signal));
    state.keys = { encrypt, sign, generated: false, gnupgHome, encryptPassphrase, signPassphrase };
  },
};
