/**
 * A small, honest passphrase estimate: length times the size of the character classes used, with
 * the obvious shortcuts taken off (repeats, runs, a handful of notorious choices). It cannot know a
 * quoted line of a song, so it only ever says "about".
 */
export interface Strength {
  bits: number;
  verdict: 'empty' | 'weak' | 'fair' | 'strong' | 'very strong';
  /** One line for under the input. */
  text: string;
}

const NOTORIOUS = ['password', 'passw0rd', 'letmein', 'qwerty', 'azerty', '123456', 'secret', 'backup', 'admin', 'changeme', 'welcome', 'dupliswift'];

function poolSize(value: string): number {
  let pool = 0;
  if (/[a-z]/.test(value)) pool += 26;
  if (/[A-Z]/.test(value)) pool += 26;
  if (/[0-9]/.test(value)) pool += 10;
  if (/[^a-zA-Z0-9\s]/.test(value)) pool += 33;
  if (/\s/.test(value)) pool += 1;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(value)) pool += 100;
  return pool;
}

/** Characters that add little: the same one again, or the next one in a run (abc, 321). */
function effectiveLength(value: string): number {
  const chars = [...value];
  let length = chars.length ? 1 : 0;
  for (let i = 1; i < chars.length; i++) {
    const step = chars[i]!.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!;
    length += step === 0 || Math.abs(step) === 1 ? 0.25 : 1;
  }
  return length;
}

export function estimateStrength(value: string): Strength {
  if (value === '') return { bits: 0, verdict: 'empty', text: 'Empty: anyone holding the key file can use it.' };
  let bits = effectiveLength(value) * Math.log2(Math.max(poolSize(value), 2));
  const lower = value.toLowerCase();
  if (NOTORIOUS.some((word) => lower.includes(word))) bits = Math.min(bits, 20 + Math.max(0, lower.length - 8) * 2);
  bits = Math.round(bits);
  const verdict = bits < 40 ? 'weak' : bits < 60 ? 'fair' : bits < 80 ? 'strong' : 'very strong';
  const advice = verdict === 'weak' || verdict === 'fair' ? ' Longer is better: four or five random words make a strong one.' : '';
  return { bits, verdict, text: `Strength: ${verdict} (about ${bits} bits).${advice}` };
}
