/**
 * Passphrase strength from zxcvbn (the Dropbox estimator, in its maintained TypeScript port): it
 * knows common passwords, names, keyboard walks, dates and l33t substitutions, which a count of
 * character classes does not ("Tr0ub4dor&3" looks strong by classes and falls in minutes).
 *
 * The dictionaries are large, so the estimator loads on first use (`loadStrengthMeter`), off the
 * start-up path; the flows start loading it before the first passphrase question.
 */
export interface Strength {
  bits: number;
  verdict: 'empty' | 'weak' | 'fair' | 'strong' | 'very strong';
  /** One line for under the input. */
  text: string;
}

export interface StrengthMeter {
  estimate(value: string): Strength;
}

/**
 * Below this, an exported secret key falls to an offline guesser in days: 2^45 guesses is about
 * 35 trillion, and gpg's key derivation slows each guess only to the microseconds on a GPU.
 */
export const WEAK_BELOW_BITS = 45;

/** Bits from zxcvbn's guess count; the verdict and the line shown while typing. */
export function strengthFromGuesses(value: string, guessesLog10: number): Strength {
  if (value === '') return { bits: 0, verdict: 'empty', text: 'Empty: anyone holding the key file can use it.' };
  const bits = Math.round(guessesLog10 * Math.log2(10));
  const verdict = bits < WEAK_BELOW_BITS ? 'weak' : bits < 60 ? 'fair' : bits < 80 ? 'strong' : 'very strong';
  const advice = verdict === 'weak' || verdict === 'fair' ? ' Longer is better: four or five random words make a strong one.' : '';
  return { bits, verdict, text: `Strength: ${verdict} (about ${bits} bits to guess).${advice}` };
}

let meter: Promise<StrengthMeter> | undefined;

/** The estimator, loaded once (about 0.3 s: the common-password and name lists). */
export function loadStrengthMeter(): Promise<StrengthMeter> {
  meter ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
    return {
      estimate: (value: string) => strengthFromGuesses(value, value === '' ? 0 : zxcvbn.check(value).guessesLog10),
    };
  })();
  return meter;
}
