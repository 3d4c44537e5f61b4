import { chmod, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureGnupgHome } from '../../src/core/keys/gnupg';
import { importArmored, listSecretKeys, trustUltimately } from '../../src/core/keys/install';
import { provisionNewKeys } from '../../src/core/keys/provision';
import { selfTest } from '../../src/core/keys/self-test';
import { runSteps } from '../../src/flows/run-steps';
import { exportStep } from '../../src/flows/setup/export';
import { keysStep } from '../../src/flows/setup/keys';
import type { SetupState } from '../../src/flows/setup/state';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';
import { parseJson, runCli } from '../helpers/cli';
import { tempGnupgHome } from '../helpers/gpg';

const EP = 'correct horse encrypt';
const SP = 'battery staple sign';
let box: Awaited<ReturnType<typeof tempGnupgHome>>;
let keys: { encrypt: string; sign: string };
const env = () => ({ GNUPGHOME: box.home, DUPLISWIFT_ENCRYPT_PASSPHRASE: EP, DUPLISWIFT_SIGN_PASSPHRASE: SP });

beforeAll(async () => {
  box = await tempGnupgHome('ds-keys-cmd-');
  keys = await provisionNewKeys(box.home, { name: 'Cmd Test', email: 'c@example.org', algorithm: 'curve25519', encryptPassphrase: EP, signPassphrase: SP });
});
afterAll(async () => box?.cleanup());

describe('dupliswift keys, without a terminal', () => {
  test('list --json shows both keys as uppercase fingerprints', async () => {
    const r = await runCli(['keys', 'list', '--json'], { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    const listed = parseJson<{ keys: Array<{ fingerprint: string; signsWithSubkey: boolean }> }>(r).keys;
    expect(listed.map((k) => k.fingerprint).sort()).toEqual([keys.encrypt, keys.sign].sort());
    expect(listed.every((k) => !k.signsWithSubkey)).toBe(true);
  });

  test('generate --export-dir --paper: new keys in a fresh GnuPG home, exported with the printable copy', async () => {
    const home = join(box.root, 'gen-paper-home');
    const dir = join(box.root, 'gen-paper');
    const r = await runCli(['keys', 'generate', '--name', 'Paper', '--email', 'p@example.org', '--export-dir', dir, '--paper', '--json'], { env: { ...env(), GNUPGHOME: home } });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = parseJson<{ encryptKey: string; signKey: string; exportDir: string }>(r);
    expect(out.exportDir).toBe(dir);
    expect((await readdir(dir)).sort()).toEqual(['encrypt-key.public.asc', 'encrypt-key.secret.asc', 'paper-copy.txt', 'sign-key.public.asc', 'sign-key.secret.asc']);
    expect(await readFile(join(dir, 'paper-copy.txt'), 'utf8')).toContain(out.signKey.slice(0, 4));
    const { killAgentOf } = await import('../helpers/gpg');
    await killAgentOf(home);
  });

  test('generate without a terminal names the flag that is missing, and writes nothing', async () => {
    const home = join(box.root, 'no-flags-home');
    const r = await runCli(['keys', 'generate', '--email', 'x@example.org'], { env: { ...env(), GNUPGHOME: home }, timeoutMs: 20_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--name was not given');
    expect(r.stderr).toContain('Fix: Pass --name NAME.');
    const { existsSync } = await import('node:fs');
    expect(existsSync(home)).toBe(false);
    const listed = await runCli(['keys', 'list', '--json'], { env: { ...env(), GNUPGHOME: home } });
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(parseJson<{ keys: unknown[] }>(listed).keys).toEqual([]);
  });

  test('a wrong passphrase is named clearly, and nothing is written', async () => {
    const dir = join(box.root, 'wrong');
    const r = await runCli(['keys', 'export', '--encrypt-key', keys.encrypt.toLowerCase(), '--sign-key', `0x${keys.sign}`, '--dir', dir], { env: { ...env(), DUPLISWIFT_ENCRYPT_PASSPHRASE: 'not it' } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/passphrase for the encryption key [0-9A-F]{16} is wrong/);
    expect(r.stderr).toMatch(/Fix: Set DUPLISWIFT_ENCRYPT_PASSPHRASE/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });

  test('export: 0700 folder, 0600 files, paper copy; never overwritten without a yes', async () => {
    const dir = join(box.root, 'export');
    const r = await runCli(['keys', 'export', '--encrypt-key', keys.encrypt, '--sign-key', keys.sign, '--dir', dir, '--paper', '--json'], { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(parseJson<{ files: string[] }>(r).files).toHaveLength(5);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['encrypt-key.public.asc', 'encrypt-key.secret.asc', 'paper-copy.txt', 'sign-key.public.asc', 'sign-key.secret.asc']);
    for (const n of names) expect((await stat(join(dir, n))).mode & 0o777, n).toBe(0o600);
    const paper = await readFile(join(dir, 'paper-copy.txt'), 'utf8');
    expect(paper).toContain(keys.encrypt.replace(/(.{4})(?!$)/g, '$1 ').slice(0, 24));
    expect(paper).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    expect(paper).not.toContain(EP);

    const before = await readFile(join(dir, 'encrypt-key.secret.asc'), 'utf8');
    const again = await runCli(['keys', 'export', '--encrypt-key', keys.encrypt, '--sign-key', keys.sign, '--dir', dir, '--yes'], { env: env() });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already holds an export.*refused/s);
    expect(await readFile(join(dir, 'encrypt-key.secret.asc'), 'utf8')).toBe(before);
  });

  test('a folder other users can read is refused before any key is made', async () => {
    const dir = join(box.root, 'shared');
    await mkdir(dir);
    await chmod(dir, 0o755);
    const r = await runCli(['keys', 'generate', '--name', 'X', '--email', 'x@example.org', '--export-dir', dir], { env: env() });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/can be read by other users/);
    expect((await listSecretKeys(box.home)).length).toBe(2);
  });

  test('no passphrase in the environment and no terminal: a clear refusal, not a hang', async () => {
    const r = await runCli(['keys', 'generate', '--name', 'X', '--email', 'x@example.org'], { env: { GNUPGHOME: box.home }, timeoutMs: 20_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/DUPLISWIFT_ENCRYPT_PASSPHRASE is not set/);
  });
});

describe('a weak passphrase is a choice made out loud', () => {
  test('--yes never accepts one: refused before any key exists; --accept-weak-passphrase does', async () => {
    const fresh = await tempGnupgHome('ds-keys-weak-');
    try {
      const weak = { ...env(), GNUPGHOME: fresh.home, DUPLISWIFT_ENCRYPT_PASSPHRASE: 'Summer2024!' };
      const refused = await runCli(['keys', 'generate', '--name', 'W', '--email', 'w@example.org', '--yes', '--json'], { env: weak, timeoutMs: 30_000 });
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toMatch(/DUPLISWIFT_ENCRYPT_PASSPHRASE is weak .*--yes never accepts a weak passphrase/);
      expect(refused.stderr).toMatch(/--accept-weak-passphrase/);
      expect(refused.stderr).not.toContain('Summer2024!');
      expect(await listSecretKeys(fresh.home).catch(() => [])).toHaveLength(0);
      const accepted = await runCli(['keys', 'generate', '--name', 'W', '--email', 'w@example.org', '--accept-weak-passphrase', '--json'], { env: weak });
      expect(accepted.exitCode, accepted.stderr).toBe(0);
      expect(accepted.stderr).toMatch(/weak .*by choice/);
      expect(await listSecretKeys(fresh.home)).toHaveLength(2);
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('self-test', () => {
  test('names which passphrase is wrong', async () => {
    await expect(selfTest(box.home, { ...keys, encryptPassphrase: EP, signPassphrase: 'nope' })).rejects.toThrow(/passphrase for the signing key/);
    await expect(selfTest(box.home, { ...keys, encryptPassphrase: 'nope', signPassphrase: SP })).rejects.toThrow(/passphrase for the encryption key/);
  });

  test('catches a signing key that signs with a subkey (duplicity would refuse its restores)', async () => {
    const openpgp = await import('openpgp');
    const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Subkey Signer', email: 's@example.org' }], passphrase: SP, subkeys: [{}, { sign: true }], format: 'armored', config: { v6Keys: false, aeadProtect: false } });
    const home = join(box.root, 'subkey-gnupg');
    await ensureGnupgHome(home);
    try {
      await importArmored(home, privateKey);
      const [key] = await listSecretKeys(home);
      expect(key!.signsWithSubkey).toBe(true);
      await trustUltimately(home, [key!.fingerprint]);
      await expect(selfTest(home, { encrypt: key!.fingerprint, sign: key!.fingerprint, encryptPassphrase: SP, signPassphrase: SP })).rejects.toMatchObject({ code: 'signs-with-subkey' });
    } finally {
      const { killAgentOf } = await import('../helpers/gpg');
      await killAgentOf(home);
    }
  });
});

describe('the wizard steps, driven by an answers file', () => {
  const prompter = (answers: Record<string, unknown>) => new AnswersPrompter({ answers, env: { HOME: box.root, ...env() }, yes: true, log: () => {}, source: 'test answers' });

  test('reuse: picks the two keys, proves the passphrases, skips the export when told', async () => {
    const prompt = prompter({ gnupgHome: box.home, keys: { encrypt: keys.encrypt, sign: keys.sign }, export: { dir: '' } });
    const state: SetupState = { ctx: { prompt, env: { HOME: box.root, ...env() }, signal: new AbortController().signal } };
    await runSteps(prompt, [keysStep, exportStep], state);
    expect(state.keys).toEqual({ encrypt: keys.encrypt, sign: keys.sign, generated: false, gnupgHome: box.home, encryptPassphrase: EP, signPassphrase: SP });
    expect(state.exportDir).toBeUndefined();
  });

  test('generate: new keys in a new GnuPG home, exported with a paper copy', async () => {
    const home = join(box.root, 'wizard-gnupg');
    const dir = join(box.root, 'wizard-export');
    const prompt = prompter({ gnupgHome: home, keys: { generate: { name: 'Wizard', email: 'w@example.org', algorithm: 'curve25519' } }, export: { dir, paper: true } });
    const state: SetupState = { ctx: { prompt, env: { HOME: box.root, ...env() }, signal: new AbortController().signal } };
    try {
      await runSteps(prompt, [keysStep, exportStep], state);
      expect(state.keys).toMatchObject({ generated: true, gnupgHome: home, encryptPassphrase: EP, signPassphrase: SP });
      expect(state.keys!.encrypt).toMatch(/^[0-9A-F]{40}$/);
      expect(state.exportDir).toBe(dir);
      expect((await readdir(dir)).length).toBe(5);
      expect((await stat(home)).mode & 0o777).toBe(0o700);
    } finally {
      const { killAgentOf } = await import('../helpers/gpg');
      await killAgentOf(home);
    }
  });
});
