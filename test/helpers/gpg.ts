import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway GnuPG home (0700, under os.tmpdir()); `cleanup` kills its agent and removes it. */
export async function tempGnupgHome(prefix = 'ds-gpg-'): Promise<{ root: string; home: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const home = join(root, 'gnupg');
  const homes = new Set<string>([home]);
  return {
    root,
    home,
    cleanup: async () => {
      for (const h of homes) await killAgentOf(h);
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function killAgentOf(home: string): Promise<void> {
  await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: home }, reject: false });
}

/**
 * duplicity as cron runs it: an empty environment (what `env -i` gives, without putting the
 * passphrases in env's argv) with only PATH, HOME, GNUPGHOME and the passphrases; stdin from
 * /dev/null; a new session, so there is no controlling terminal for gpg to fall back on.
 */
export async function duplicityAsCron(args: string[], env: { HOME: string; GNUPGHOME: string; PASSPHRASE?: string; SIGN_PASSPHRASE?: string }) {
  const clean = Object.fromEntries(Object.entries({ PATH: '/usr/bin:/bin', ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const r = await execa('duplicity', args, { env: clean, extendEnv: false, stdin: 'ignore', detached: true, reject: false, timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
