import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPathList } from '../../src/core/fs/path-list';
import { parseList } from '../../src/flows/setup/schedule';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ds-pathlist-'));
  await mkdir(join(dir, 'My Keys'));
  await writeFile(join(dir, 'My Keys', 'encrypt key.asc'), 'x');
  await writeFile(join(dir, 'My Keys', 'sign.asc'), 'x');
  await writeFile(join(dir, 'plain.asc'), 'x');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('key-file paths with spaces (restore on a bare machine)', () => {
  it('keeps bare paths with spaces whole when they name existing files', async () => {
    const a = join(dir, 'My Keys', 'encrypt key.asc');
    const b = join(dir, 'My Keys', 'sign.asc');
    expect(await splitPathList(`${a} ${b} ${join(dir, 'plain.asc')}`)).toEqual([a, b, join(dir, 'plain.asc')]);
  });

  it('takes quoted and backslash-escaped paths, and one path per line', async () => {
    const a = join(dir, 'My Keys', 'encrypt key.asc');
    expect(await splitPathList(`'${a}' "${join(dir, 'My Keys', 'sign.asc')}"`)).toEqual([a, join(dir, 'My Keys', 'sign.asc')]);
    expect(await splitPathList(a.replace(/ /g, '\\ '))).toEqual([a]);
    expect(await splitPathList(`${a}\n${join(dir, 'plain.asc')}\n`)).toEqual([a, join(dir, 'plain.asc')]);
  });

  it('a missing file stays one word, for the import to name', async () => {
    expect(await splitPathList(`${join(dir, 'nope.asc')} ${join(dir, 'plain.asc')}`)).toEqual([join(dir, 'nope.asc'), join(dir, 'plain.asc')]);
  });
});

describe('the exclude list', () => {
  it('a comma inside a path stays: only a comma before the next absolute path separates', () => {
    expect(parseList('/srv/data/a,b, /srv/data/tmp,/srv/data/c d')).toEqual(['/srv/data/a,b', '/srv/data/tmp', '/srv/data/c d']);
  });

  it('an answers file\'s list keeps every item whole, commas and all', async () => {
    const prompter = new AnswersPrompter({ answers: { exclude: ['/srv/data/x, y', '/srv/data/cache,old'] }, env: {}, source: 'answers file', yes: true } as never);
    const text = await prompter.text({ id: 'exclude', message: 'Leave anything out?' });
    expect(parseList(text)).toEqual(['/srv/data/x, y', '/srv/data/cache,old']);
  });
});

describe('restore on a bare machine: key files in a folder with a space', () => {
  it('imports both keys from "/…/My Keys/…" typed on one line', async () => {
    const { machineA } = await import('../helpers/restore');
    const { copyFile } = await import('node:fs/promises');
    const { listSecretKeys } = await import('../../src/core/keys/install');
    const { restoreSteps } = await import('../../src/flows/restore');
    const { killAgentOf } = await import('../helpers/gpg');
    const a = await machineA();
    const home = join(dir, 'gnupg-B');
    try {
      const enc = join(dir, 'My Keys', 'encrypt key.secret.asc');
      const sign = join(dir, 'My Keys', 'sign key.secret.asc');
      await copyFile(a.encrypt.asc, enc);
      await copyFile(a.sign.asc, sign);
      const env = { DUPLISWIFT_ENCRYPT_PASSPHRASE: a.encrypt.passphrase, DUPLISWIFT_SIGN_PASSPHRASE: a.sign.passphrase };
      const prompt = new AnswersPrompter({ answers: { restore: { keys: 'import' }, keys: { import: { files: `${enc} ${sign}` } } }, env, yes: true, source: 'answers file', log: () => undefined });
      const state = { ctx: { prompt, env, signal: new AbortController().signal }, flags: {}, mode: { kind: 'bare' }, gnupgHome: home } as never;
      await restoreSteps.find((s) => s.id === 'keys')!.run(state);
      const keys = await listSecretKeys(home);
      expect(keys.map((k) => k.fingerprint).sort()).toEqual([a.encrypt.fpr, a.sign.fpr].sort());
    } finally {
      await killAgentOf(home);
      await a.cleanup();
    }
  }, 180_000);
});
