/**
 * Where backups go, as the Keystone and Container steps settled it. The Schedule step turns it into
 * duplicity's SWIFT_* environment (see duplicity-env.ts); restore reads it back from the profile.
 * No secret in here: the password travels separately.
 */
export type IdentityVersion = '3' | '2.0';

export interface OpenStackTarget {
  /** As the user gave it, or as discovered (with its version path, e.g. http://host:5000/v3). */
  authUrl: string;
  identityVersion: IdentityVersion;
  username: string;
  /** v3 only: the user's domain, by name or id. */
  userDomainName?: string;
  userDomainId?: string;
  /** v3 project or v2.0 tenant. */
  projectName: string;
  projectId?: string;
  /** v3 only. */
  projectDomainName?: string;
  projectDomainId?: string;
  region?: string;
  interface: 'public' | 'internal' | 'admin';
  /** The object-store endpoint picked from the catalog (for display and direct Swift calls). */
  endpoint?: string;
  /** A CA file to trust for TLS, when the cloud uses a private CA. */
  cacert?: string;
  /**
   * How the job logs in: a password (the default, also when absent), or an application credential
   * (scoped to the project; its secret is kept like a password, never here). duplicity cannot log
   * in with one, so the job gets a token with it first (job-sh/auth.sh).
   */
  authType?: AuthType;
  /** The application credential's id (Keystone's, also when it was given by name). */
  applicationCredentialId?: string;
}

export type AuthType = 'password' | 'v3applicationcredential';
