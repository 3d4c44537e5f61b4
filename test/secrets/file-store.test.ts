import { chmod, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { FileSecretStore } from '../../src/core/secrets/file-store';

const roots: string[] = [];
afterAll(async () => { for (const r of roots) await rm(r, { recursive: true, force: true }); });

test('file store: one 0600 file per secret in a 0700 folder, absent vs found, delete', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ds-files-'));
  roots.push(root);
  const store = new FileSecretStore(root);
  expect(await store.get('nightly', 'sign-passphrase')).toEqual({ state: 'absent' });
  await store.set('nightly', 'sign-passphrase', 'p4ss with spaces');
  const path = store.pathFor('nightly', 'sign-passphrase');
  expect(path).toBe(join(root, 'nightly', 'secrets', 'sign-passphrase'));
  expect(await readFile(path, 'utf8')).toBe('p4ss with spaces');
  expect((await stat(path)).mode & 0o777).toBe(0o600);
  expect((await stat(join(root, 'nightly', 'secrets'))).mode & 0o777).toBe(0o700);
  await store.set('nightly', 'sign-passphrase', 'second');
  expect(await store.get('nightly', 'sign-passphrase')).toEqual({ state: 'found', value: 'second' });
  expect(await store.delete('nightly', 'sign-passphrase')).toBe(true);
  expect(await store.delete('nightly', 'sign-passphrase')).toBe(false);
  expect(() => store.pathFor('../etc', 'x')).toThrow(/invalid profile name/);
});

test('file store refuses a secrets folder others can read', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ds-files-'));
  roots.push(root);
  await mkdir(join(root, 'p', 'secrets'), { recursive: true });
  await chmod(join(root, 'p', 'secrets'), 0o755);
  await expect(new FileSecretStore(root).set('p', 'swift-password', 'x')).rejects.toThrow(/can be read by other users/);
});
