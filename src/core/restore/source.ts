import { duplicitySwiftEnv, preauthEnv } from '../openstack/duplicity-env';
import type { Duplicity } from '../duplicity/detect';
import { TOOL_PATH } from '../duplicity/detect';
import type { OpenStackTarget } from '../openstack/target';

/**
 * Where a backup lives and what unlocks it: enough to run any read-only duplicity action. Secrets are
 * held in memory only and reach duplicity through its environment.
 */
export interface BackupSource {
  /** A Swift container (with the OpenStack target), or any duplicity URL (file:// in benches). */
  location: { kind: 'swift'; target: OpenStackTarget; password: string; container: string; preauth?: { url: string; token: string } } | { kind: 'url'; url: string };
  gnupgHome: string;
  /** The encryption key's passphrase: decrypting needs it. */
  encryptPassphrase: string;
  /** The signing key's passphrase: duplicity asks for it in some read paths with two keys; set both. */
  signPassphrase: string;
  /** Signer to insist on (uppercase 40-hex), when known: a volume signed by another key is refused. */
  signKey?: string;
  /** duplicity's local cache; a fresh temp dir on a bare machine. */
  archiveDir: string;
  /** The installed duplicity: its version decides which SWIFT_* names it reads (as for the job). */
  duplicity?: Duplicity;
}

export function backendUrl(source: BackupSource): string {
  return source.location.kind === 'swift' ? `swift://${source.location.container}` : source.location.url;
}

/**
 * A cron-like environment for duplicity: only what it needs, so nothing from the caller's shell
 * (a stray PASSPHRASE, pyenv's python) changes what happens.
 */
export function duplicityEnv(source: BackupSource, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    // Debian's duplicity and the OpenStack libraries live with /usr/bin/python3: keep /usr/bin early.
    PATH: TOOL_PATH,
    HOME: base.HOME ?? '/root',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    GNUPGHOME: source.gnupgHome,
    PASSPHRASE: source.encryptPassphrase,
    SIGN_PASSPHRASE: source.signPassphrase,
  };
  if (base.TMPDIR) env.TMPDIR = base.TMPDIR;
  if (source.location.kind === 'swift') {
    Object.assign(env, duplicitySwiftEnv(source.location.target, source.location.password, { duplicityVersion: source.duplicity?.version }));
    // An application credential: the token from our own login (duplicity cannot log in with one).
    if (source.location.preauth) Object.assign(env, preauthEnv(source.location.preauth.url, source.location.preauth.token));
  }
  return env;
}

/** Arguments every read-only action shares. */
export function commonArgs(source: BackupSource): string[] {
  const args = ['--archive-dir', source.archiveDir];
  if (source.signKey) args.push('--sign-key', source.signKey);
  return args;
}
