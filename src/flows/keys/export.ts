import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { groupedFingerprint } from '../../core/keys/fingerprint';
import { existingExportFiles, exportKeys, type ExportResult } from '../../core/keys/export';
import type { KeyPair } from '../../core/keys/self-test';
import type { Prompter } from '../../prompt/port';
import { UserError } from '../../core/errors';
import { checkPrivateDir } from '../../core/fs/atomic-write';

export function defaultExportDir(env: NodeJS.ProcessEnv): string {
  return join(env.HOME || homedir(), 'dupliswift-keys');
}

/** `~/x` and relative paths, as a person types them, made absolute. */
export function expandPath(value: string, env: NodeJS.ProcessEnv): string {
  const trimmed = value.trim();
  if (trimmed === '~' || trimmed.startsWith('~/')) return join(env.HOME || homedir(), trimmed.slice(1));
  return isAbsolute(trimmed) ? trimmed : resolve(trimmed);
}

/**
 * Checks the target before anything is generated or written: a folder others can read is refused,
 * and replacing an earlier export needs a yes that --yes never gives. Returns whether to overwrite.
 */
export async function confirmExportTarget(prompt: Prompter, dir: string, paper: boolean): Promise<boolean> {
  await checkPrivateDir(dir);
  const clashes = await existingExportFiles(dir, paper);
  if (!clashes.length) return false;
  const overwrite = await prompt.confirm({
    id: 'export.overwrite',
    message: `${dir} already holds an export (${clashes.join(', ')}). Replace those files?`,
    help: 'They may be the only copy of older keys: move them away first if unsure.',
    default: false,
    destructive: true,
  });
  if (!overwrite) throw new UserError(`Nothing was written: ${dir} already holds an export.`, { fix: 'Pick another folder, or move the old files away first.', code: 'export-exists' });
  return true;
}

/** Writes the export (see confirmExportTarget first), then shows the fingerprints and where it went. */
/** One sentence a line: the terminal wraps each at word boundaries, whatever its width. */
export const OFFLINE_ADVICE = [
  'Keep a copy of this folder offline, away from this server (a USB stick in a drawer, a password manager).',
  'If the server is lost, only these keys and their passphrases can restore its backups.',
];

export async function exportKeysFlow(
  ctx: { prompt: Prompter; signal: AbortSignal },
  gnupgHome: string,
  keys: KeyPair,
  opts: { dir: string; paper: boolean; overwrite: boolean },
): Promise<ExportResult> {
  const { prompt, signal } = ctx;
  const result = await prompt.task({ running: 'Exporting both keys and checking the export', done: 'Keys exported and checked' }, async (report) => {
    report('Exporting the secret and public keys');
    const r = await exportKeys(gnupgHome, keys, { dir: opts.dir, paper: opts.paper, overwrite: opts.overwrite, signal });
    report('Re-imported into a throwaway GnuPG home: complete');
    return r;
  });
  prompt.show({
    title: `Both keys are exported to ${result.dir} (folder 0700, files 0600).`,
    tone: 'success',
    lines: [
      `Encryption key: ${groupedFingerprint(result.encrypt.fingerprint)}`,
      `Signing key:    ${groupedFingerprint(result.sign.fingerprint)}`,
      ...result.files.map((f) => `  ${f}`),
      ...OFFLINE_ADVICE,
    ],
  });
  return result;
}
