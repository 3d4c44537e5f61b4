import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Writes a file so a crash leaves the old or the new one, never half: temp file in the same folder
 * (created with its final mode, never briefly wider), fsync, rename, fsync the folder.
 * Identical content and mode is left alone, so a repeated setup touches nothing (not even mtimes).
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<WriteOutcome> {
  const before = await stat(path).catch(() => undefined);
  if (before) {
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === content && (before.mode & 0o7777) === mode) return 'unchanged';
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode); // the umask may have taken bits away
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return before ? 'updated' : 'created';
}

/** A folder only its owner can enter (0700); made so when created, tightened when it is ours and looser. */
export async function ensureOwnerOnlyDir(dir: string): Promise<void> {
  const found = await stat(dir).catch(() => undefined);
  if (!found) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    return;
  }
  if (!found.isDirectory()) throw new UserError(`${dir} exists and is not a folder.`, { fix: 'Choose another profile name or --config-dir.', code: 'not-a-dir' });
  if ((found.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}
