import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../fs/atomic-write';
import { checkName, type SecretLookup, type SecretName, type SecretStore } from './store';

/**
 * One 0600 file per secret under `<root>/<profile>/secrets/` (folders 0700), holding the value and
 * nothing else, so a shell job can read it with `$(cat FILE)`. Plaintext at rest, like gh's
 * --insecure-storage: protected by file permissions only, which is why it is never chosen silently.
 */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file' as const;

  constructor(private readonly root: string) {}

  get where(): string {
    return `0600 files under ${this.root}`;
  }

  /** The file a job reads for this secret. */
  pathFor(profile: string, name: SecretName): string {
    checkName('profile', profile);
    checkName('secret', name);
    return join(this.root, profile, 'secrets', name);
  }

  async get(profile: string, name: SecretName): Promise<SecretLookup> {
    try {
      return { state: 'found', value: await readFile(this.pathFor(profile, name), 'utf8') };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { state: 'absent' };
      return { state: 'unavailable', reason: `cannot read ${this.pathFor(profile, name)}: ${code ?? String(error)}` };
    }
  }

  async set(profile: string, name: SecretName, value: string): Promise<void> {
    const path = this.pathFor(profile, name);
    // The profile folder may be shared with non-secret files (profile.json); only secrets/ must be private.
    await mkdir(join(this.root, profile), { recursive: true, mode: 0o700 });
    await ensurePrivateDir(join(this.root, profile, 'secrets'));
    await writePrivateFile(path, value);
  }

  async delete(profile: string, name: SecretName): Promise<boolean> {
    const path = this.pathFor(profile, name);
    const existed = (await this.get(profile, name)).state === 'found';
    await rm(path, { force: true });
    return existed;
  }
}
