/**
 * File names are bytes, and targets can refuse writes: a tree with names that are not UTF-8 (made
 * here with Buffer paths, as old latin-1 servers have them) is backed up with plain duplicity, then
 * listed, shown and restored by dupliswift, and compared name for name and byte for byte; a read-only
 * target (a real read-only tmpfs mount) is refused with a clear error, --json included.
 */
import { execa } from 'execa';
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importKeyFiles, inspectKeyFiles } from '../../src/core/keys/import-files';
import { listFiles } from '../../src/core/restore/listing';
import { displayPath, pathBytes } from '../../src/core/restore/names';
import { pickTestFile } from '../../src/core/schedule/first-run';
import { parseJson, runCli } from '../helpers/cli';
import { killAgentOf } from '../helpers/gpg';
import { deleteContainers, machineA, machineBEnv, plainDuplicity, swiftEnvFor, uniqueContainer, type MachineA } from '../helpers/restore';
import { stack, type Stack } from '../helpers/stack';

const b = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const LATIN1 = b('latin1-', [0xe9, 0xff], '.txt');
const DIR = b('d', [0xe9]);

let s: Stack;
let a: MachineA;
let work: string;
let source: string;
let homeB: string;
let container: string;
let fileUrl: string;

/** Every entry under dir, by its name's bytes (hex) -> content bytes (files) or 'dir'. */
async function byteTree(dir: Buffer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: Buffer) => {
    const abs = rel.length ? Buffer.concat([dir, Buffer.from('/'), rel]) : dir;
    for (const name of await readdir(abs, { encoding: 'buffer' })) {
      const child = rel.length ? Buffer.concat([rel, Buffer.from('/'), name]) : name;
      const path = Buffer.concat([dir, Buffer.from('/'), child]);
      const st = await lstat(path);
      if (st.isDirectory()) {
        out.set(child.toString('hex'), 'dir');
        await walk(child);
      } else out.set(child.toString('hex'), (await readFile(path)).toString('hex'));
    }
  };
  await walk(Buffer.alloc(0));
  return out;
}

beforeAll(async () => {
  [s, a] = await Promise.all([stack(), machineA()]);
  work = await (await import('node:fs/promises')).mkdtemp(join((await import('node:os')).tmpdir(), 'ds-odd-names-'));
  source = join(work, 'source');
  await mkdir(source);
  const src = Buffer.from(`${source}/`);
  await writeFile(Buffer.concat([src, LATIN1]), 'latin-1 named file\n');
  await mkdir(Buffer.concat([src, DIR]));
  await writeFile(Buffer.concat([src, DIR, Buffer.from('/inner '), Buffer.of(0xfc), Buffer.from('.bin')]), Buffer.of(0, 1, 2, 255));
  await writeFile(join(source, 'plain.txt'), 'plain\n');
  container = uniqueContainer('ds-odd');
  fileUrl = `file://${join(work, 'file-target')}`;
  const env = { ...swiftEnvFor(s), GNUPGHOME: a.gnupgHome, PASSPHRASE: a.encrypt.passphrase, SIGN_PASSPHRASE: a.sign.passphrase };
  const keys = ['--encrypt-key', a.encrypt.fpr, '--sign-key', a.sign.fpr];
  await plainDuplicity(['full', ...keys, '--archive-dir', join(work, 'cache-A'), source, `swift://${container}`], env);
  await plainDuplicity(['full', ...keys, '--archive-dir', join(work, 'cache-A2'), source, fileUrl], env);
  homeB = join(work, 'gnupg-B');
  await importKeyFiles(homeB, await inspectKeyFiles(homeB, [a.encrypt.asc, a.sign.asc]));
}, 180_000);

afterAll(async () => {
  if (homeB) await killAgentOf(homeB);
  if (s && container) await deleteContainers(s, [container]).catch(() => undefined);
  await a?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const envB = () => machineBEnv(s, homeB, { encrypt: a.encrypt.passphrase, sign: a.sign.passphrase });

describe('names that are not UTF-8', () => {
  it('the list holds them with their bytes; browse shows the undecodable bytes escaped', async () => {
    const index = await listFiles({
      location: { kind: 'url', url: fileUrl }, gnupgHome: homeB, encryptPassphrase: a.encrypt.passphrase, signPassphrase: a.sign.passphrase,
      archiveDir: join(work, 'cache-list'),
    });
    const all = index.filter('', 100).entries;
    const latin = all.find((e) => pathBytes(e.path).equals(LATIN1));
    expect(latin, all.map((e) => displayPath(e.path)).join(', ')).toBeDefined();
    expect(displayPath(latin!.path)).toBe('latin1-\\xe9\\xff.txt');
    expect(all.map((e) => displayPath(e.path)).sort()).toEqual(['d\\xe9', 'd\\xe9/inner \\xfc.bin', 'latin1-\\xe9\\xff.txt', 'plain.txt']);
  });

  it('restores everything: the same names, byte for byte, and the same contents', async () => {
    const target = join(work, 'all');
    const r = await runCli(['restore', '--container', container, '--target', target, '--json'], { cleanEnv: true, env: envB() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await byteTree(Buffer.from(target))).toEqual(await byteTree(Buffer.from(source)));
    expect(parseJson<{ restored: { files: number } }>(r).restored.files).toBe(3);
  });

  it('restores one such file, named as browse shows it', async () => {
    const target = join(work, 'one');
    const r = await runCli(['restore', '--container', container, '--path', 'latin1-\\xe9\\xff.txt', '--target', target, '--json'], { cleanEnv: true, env: envB() });
    expect(r.exitCode, r.stderr).toBe(0);
    const names = await readdir(target, { encoding: 'buffer' });
    expect(names.map((n) => n.toString('hex'))).toEqual([LATIN1.toString('hex')]);
    expect(await readFile(Buffer.concat([Buffer.from(`${target}/`), LATIN1]), 'utf8')).toBe('latin-1 named file\n');
  });

  it('the first run\'s test-file pick steps over them instead of crashing', async () => {
    expect(await pickTestFile(source, [])).toBe('plain.txt');
  });
});

describe('a read-only restore target', () => {
  it('is refused before anything is downloaded, with a fix, and --json gets an error object', async () => {
    const ro = join(work, 'ro');
    await mkdir(ro);
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro], { reject: false });
    expect(mounted.exitCode, `this test needs to mount a read-only tmpfs as root: ${mounted.stderr}`).toBe(0);
    try {
      const r = await runCli(['restore', '--container', container, '--target', join(ro, 'restored'), '--json'], { cleanEnv: true, env: envB() });
      expect(r.exitCode).toBe(1);
      expect(parseJson<{ error: { code: string; message: string; fix: string } }>(r).error).toMatchObject({
        code: 'target-not-writable', message: expect.stringContaining('read-only filesystem'), fix: expect.stringContaining('writable'),
      });
      expect(r.stderr).toMatch(/Cannot write to the restore target .*read-only filesystem.*nothing was restored/);
    } finally {
      await execa('umount', [ro], { reject: false });
    }
  });
});
