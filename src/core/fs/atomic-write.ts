import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Writes a file so a crash leaves the old or the new one, never half: temp file in the same folder
 * (created with its final mode, never briefly wider), fsync, rename, fsync the folder.
 * Identical content and mode is left alone, so a repeated setup touches nothing (not even mtimes).
 * Every file dupliswift writes goes through here: profiles, scripts, crontabs, units, keys, secrets.
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

/** A private file (0600): secrets and exported keys. */
export function writePrivateFile(path: string, content: string): Promise<WriteOutcome> {
  return writeFileAtomic(path, content, 0o600);
}

/**
 * A folder only its owner can enter (0700), for folders that are ours (a profile): made so when
 * created, tightened when it exists looser. Compare ensurePrivateDir, for folders the user picked.
 */
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

/**
 * A folder the user picked for secrets (an export folder): created 0700 when missing; an existing
 * one that others can read is refused rather than silently changed, since it may be shared on purpose.
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
