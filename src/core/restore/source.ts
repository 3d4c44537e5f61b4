import type { OpenStackTarget } from '../openstack/target';

/**
 * Where a backup lives and what unlocks it: enough to run any read-only duplicity action. Secrets are
 * held in memory only and reach duplicity through its environment.
 */
export interface BackupSource {
  /** A Swift container (with the OpenStack target), or any duplicity URL (file:// in benches). */
  location: { kind: 'swift'; target: OpenStackTarget; password: string; container: string } | { kind: 'url'; url: string };
  gnupgHome: string;
  /** The encryption key's passphrase: decrypting needs it. */
  encryptPassphrase: string;
  /** The signing key's passphrase: duplicity asks for it in some read paths with two keys; set both. */
  signPassphrase: string;
  /** Signer to insist on (uppercase 40-hex), when known: a volume signed by another key is refused. */
  signKey?: string;
  /** duplicity's local cache; a fresh temp dir on a bare machine. */
  archiveDir: string;
}

export function backendUrl(source: BackupSource): string {
  return source.location.kind === 'swift' ? `swift://${source.location.container}` : source.location.url;
}

/**
 * duplicity 0.8's SWIFT_* variables for a target (measured: see notes/openstack-on-loopback.md).
 * Kept here, thin, until the Keystone issue's duplicitySwiftEnv() is the one place for it.
 */
export function swiftEnv(target: OpenStackTarget, password: string): Record<string, string> {
  const env: Record<string, string> = {
    SWIFT_AUTHURL: target.authUrl,
    SWIFT_AUTHVERSION: target.identityVersion === '2.0' ? '2' : '3',
    SWIFT_USERNAME: target.username,
    SWIFT_PASSWORD: password,
    SWIFT_TENANTNAME: target.projectName,
  };
  const optional: Record<string, string | undefined> = {
    SWIFT_REGIONNAME: target.region,
    SWIFT_USER_DOMAIN_NAME: target.userDomainName,
    SWIFT_USER_DOMAIN_ID: target.userDomainId,
    SWIFT_PROJECT_DOMAIN_NAME: target.projectDomainName,
    SWIFT_PROJECT_DOMAIN_ID: target.projectDomainId,
    SWIFT_TENANTID: target.projectId,
    SWIFT_ENDPOINT_TYPE: target.interface === 'public' ? undefined : target.interface,
  };
  for (const [key, value] of Object.entries(optional)) if (value) env[key] = value;
  return env;
}

/**
 * A cron-like environment for duplicity: only what it needs, so nothing from the caller's shell
 * (a stray PASSPHRASE, pyenv's python) changes what happens.
 */
export function duplicityEnv(source: BackupSource, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    // Debian's duplicity and the OpenStack libraries live with /usr/bin/python3: keep /usr/bin early.
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: base.HOME ?? '/root',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    GNUPGHOME: source.gnupgHome,
    PASSPHRASE: source.encryptPassphrase,
    SIGN_PASSPHRASE: source.signPassphrase,
  };
  if (base.TMPDIR) env.TMPDIR = base.TMPDIR;
  if (source.location.kind === 'swift') Object.assign(env, swiftEnv(source.location.target, source.location.password));
  return env;
}

/** Arguments every read-only action shares. */
export function commonArgs(source: BackupSource): string[] {
  const args = ['--archive-dir', source.archiveDir];
  if (source.signKey) args.push('--sign-key', source.signKey);
  return args;
}
