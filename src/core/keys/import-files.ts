import { readFile } from 'node:fs/promises';
import { UserError } from '../errors';
import type { KeyInfo } from './colons';
import { ensureGnupgHome } from './gnupg';
import { importArmored, inspectArmored, listKeys, trustUltimately } from './install';

export interface KeyFile {
  path: string;
  keys: KeyInfo[];
}

/** Reads and describes .asc files without importing anything: what the person is about to bring in. */
export async function inspectKeyFiles(home: string, paths: string[], signal?: AbortSignal): Promise<KeyFile[]> {
  await ensureGnupgHome(home);
  const out: KeyFile[] = [];
  for (const path of paths) {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UserError(`Cannot read ${path}: ${error.code ?? error.message}.`, { fix: 'Check the file name.', code: 'import-read' });
    });
    if (!/-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----/.test(text)) {
      throw new UserError(`${path} holds no armored OpenPGP key.`, { fix: 'Give the .asc files written by dupliswift keys export (or gpg --armor --export).', code: 'import-not-key' });
    }
    const keys = await inspectArmored(home, text, signal);
    if (!keys.length) throw new UserError(`gpg finds no usable key in ${path}.`, { code: 'import-not-key' });
    out.push({ path, keys });
  }
  return out;
}

/** Merges what several files hold: the same key's public and secret files count once, as secret. */
export function mergeKeyFiles(files: KeyFile[]): KeyInfo[] {
  const byFpr = new Map<string, KeyInfo>();
  for (const key of files.flatMap((f) => f.keys)) {
    const seen = byFpr.get(key.fingerprint);
    byFpr.set(key.fingerprint, seen ? { ...seen, secret: seen.secret || key.secret, userIds: seen.userIds.length ? seen.userIds : key.userIds } : key);
  }
  return [...byFpr.values()];
}

/** Imports the files and trusts their keys ultimately; returns the keys as the home now lists them. */
export async function importKeyFiles(home: string, files: KeyFile[], signal?: AbortSignal): Promise<KeyInfo[]> {
  await ensureGnupgHome(home);
  const texts = await Promise.all(files.map((f) => readFile(f.path, 'utf8')));
  await importArmored(home, texts.join('\n'), signal);
  const fingerprints = mergeKeyFiles(files).map((k) => k.fingerprint);
  await trustUltimately(home, fingerprints, signal);
  const secret = await listKeys(home, { secret: true, fingerprints, signal });
  const pub = await listKeys(home, { secret: false, fingerprints, signal });
  return pub.map((k) => secret.find((s) => s.fingerprint === k.fingerprint) ?? { ...k, secret: false });
}
