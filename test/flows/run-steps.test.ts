import { describe, expect, it } from 'vitest';
import { runSteps, type Step } from '../../src/flows/run-steps';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';
import { GoBack, type Prompter } from '../../src/prompt/port';
import { UsageError } from '../../src/core/errors';

function answers(data: Record<string, unknown>, opts: { yes?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const log: string[] = [];
  const prompt = new AnswersPrompter({ answers: data, env: opts.env ?? {}, yes: opts.yes ?? false, log: (l) => log.push(l), source: 'answers file a.json' });
  return { prompt, log };
}

interface S { name?: string; algo?: string; ok?: boolean; pass?: string }

const steps: Step<S>[] = [
  { id: 'one', title: 'One', run: async (s) => { s.name = await prompt.text({ id: 'keys.generate.name', message: 'Name?' }); } },
  { id: 'two', title: 'Two', run: async (s) => { s.algo = await prompt.select({ id: 'keys.generate.algorithm', message: 'Algorithm?', choices: [{ value: 'curve25519', label: 'Curve25519' }, { value: 'rsa4096', label: 'RSA-4096' }], default: 'curve25519' }); } },
  { id: 'three', title: 'Three', run: async (s) => { s.pass = await prompt.secret({ id: 'p', env: 'DUPLISWIFT_SIGN_PASSPHRASE', message: 'Signing passphrase?' }); s.ok = await prompt.confirm({ id: 'firstRun', message: 'Run the first backup now?', default: false }); } },
];
let prompt: Prompter;

describe('a flow through the answers front end', () => {
  it('takes every answer from the file and secrets from the environment', async () => {
    const a = answers({ keys: { generate: { name: 'Backup', algorithm: 'rsa4096' } }, firstRun: true }, { env: { DUPLISWIFT_SIGN_PASSPHRASE: 's3cret' } });
    prompt = a.prompt;
    const state: S = {};
    await runSteps(prompt, steps, state);
    expect(state).toEqual({ name: 'Backup', algo: 'rsa4096', pass: 's3cret', ok: true });
    expect(a.log).toContain('== Step 3/3: Three');
    expect(a.log.join('\n')).not.toContain('s3cret');
  });

  it('takes defaults only with --yes', async () => {
    prompt = answers({ keys: { generate: { name: 'B' } } }, { env: { DUPLISWIFT_SIGN_PASSPHRASE: '' } }).prompt;
    const error = (await runSteps(prompt, steps, {}).catch((e: unknown) => e)) as UsageError;
    expect(error.message).toContain('no answer for "keys.generate.algorithm"');
    expect(error.fix).toContain('pass --yes');
    prompt = answers({ keys: { generate: { name: 'B' } } }, { yes: true, env: { DUPLISWIFT_SIGN_PASSPHRASE: '' } }).prompt;
    const state: S = {};
    await runSteps(prompt, steps, state);
    expect(state).toMatchObject({ algo: 'curve25519', ok: false, pass: '' });
  });

  it('names the environment variable when a secret is missing', async () => {
    prompt = answers({ keys: { generate: { name: 'B' } } }, { yes: true }).prompt;
    const error = await runSteps(prompt, steps, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).fix).toContain('DUPLISWIFT_SIGN_PASSPHRASE');
  });

  it('rejects a choice that is not offered, listing the ones that are', async () => {
    prompt = answers({ keys: { generate: { name: 'B', algorithm: 'dsa' } } }).prompt;
    const error = (await runSteps(prompt, steps, {}).catch((e: unknown) => e)) as UsageError;
    expect(error.message).toContain('"dsa"');
    expect(error.fix).toContain('"curve25519", "rsa4096"');
  });

  it('never lets --yes answer a destructive question', async () => {
    const a = answers({}, { yes: true });
    await expect(a.prompt.confirm({ id: 'restore.overwrite', message: 'Overwrite the files in /srv?', destructive: true, default: true })).rejects.toThrow(/refused/);
    const b = answers({ restore: { overwrite: true } }, { yes: true });
    await expect(b.prompt.confirm({ id: 'restore.overwrite', message: 'Overwrite?', destructive: true })).resolves.toBe(true);
  });

  it('re-runs the previous step when a prompt asks to go back', async () => {
    const seen: string[] = [];
    let backOnce = true;
    const fake = answers({}).prompt;
    const flow: Step<S>[] = [
      { id: 'a', title: 'A', run: async () => { seen.push('a'); } },
      { id: 'b', title: 'B', run: async () => { seen.push('b'); if (backOnce) { backOnce = false; throw new GoBack(); } } },
    ];
    await runSteps(fake, flow, {});
    expect(seen).toEqual(['a', 'b', 'a', 'b']);
  });
});

describe('select questions', () => {
  const fingerprints = [{ value: 'A'.repeat(40), label: 'key A' }, { value: 'B'.repeat(40), label: 'key B' }];
  const normalise = (raw: unknown) => (typeof raw === 'string' ? raw.replace(/^0x/i, '').toUpperCase() : undefined);

  it('maps an answers value onto a choice through the question\'s own reading of it', async () => {
    const { prompt } = answers({ keys: { sign: '0x' + 'b'.repeat(40) } });
    await expect(prompt.select({ id: 'keys.sign', message: 'Signing key?', choices: fingerprints, fromAnswer: normalise })).resolves.toBe('B'.repeat(40));
  });

  it('fails when the answers name something that is not there, even with one choice', async () => {
    const { prompt } = answers({ keys: { sign: 'C'.repeat(40) } }, { yes: true });
    await expect(prompt.select({ id: 'keys.sign', message: 'Signing key?', choices: [fingerprints[0]!], fromAnswer: normalise })).rejects.toThrow(/not one of the choices/);
  });
});
