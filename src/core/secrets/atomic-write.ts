import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors';

/**
 * Writes a private file so that a crash leaves either the old file or the new one, never half of one:
 * a temporary file in the same folder, created 0600 (never briefly world-readable), fsynced, renamed.
 */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
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
  // The rename is durable only once the folder itself is synced.
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * A folder only its owner can enter. Created 0700 when missing; an existing one that others can
 * read is refused rather than silently changed, since it may be shared on purpose.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  if (!(await checkPrivateDir(dir))) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700); // the umask may have taken bits away, never added: make it exact
  }
}

/** Throws when `dir` exists but is unfit for secrets; false when it does not exist yet. */
export async function checkPrivateDir(dir: string): Promise<boolean> {
  const found = await stat(dir).catch(() => undefined);
  if (!found) return false;
  if (!found.isDirectory()) throw new UserError(`${dir} exists and is not a folder.`, { fix: 'Pick another path.', code: 'not-a-dir' });
  if ((found.mode & 0o077) !== 0) {
    throw new UserError(`The folder ${dir} can be read by other users (mode ${(found.mode & 0o777).toString(8).padStart(4, '0')}); secret files do not belong there.`, {
      fix: `Pick a new folder (dupliswift creates it 0700), or run: chmod 700 ${dir}`,
      code: 'dir-not-private',
    });
  }
  return true;
}
