import { atLeast, type Version } from '../duplicity/version';
import type { OpenStackTarget } from './target';

/**
 * The SWIFT_* environment duplicity's Swift backend reads, derived from a settled target.
 *
 * Measured against duplicity 0.8.22 (see the team note): SWIFT_USERNAME, SWIFT_PASSWORD,
 * SWIFT_AUTHURL, SWIFT_AUTHVERSION, SWIFT_TENANTNAME and SWIFT_REGIONNAME are always read; the
 * domain, id and endpoint-type variables only when SWIFT_AUTHVERSION is exactly "3" (so "3" it is,
 * never "v3" or "3.0"); SWIFT_PROJECT_NAME/_ID exist only from duplicity 1.0. Unset
 * SWIFT_AUTHVERSION means v1 auth, which fails against Keystone, so it is always set.
 */
export function duplicitySwiftEnv(target: OpenStackTarget, password: string, opts: { duplicityVersion?: Version } = {}): Record<string, string> {
  if (target.authType === 'v3applicationcredential') {
    // duplicity cannot log in with an application credential (no version up to 3.0 passes
    // auth_type): whoever runs it gets a token first and adds preauthEnv(). Only the CA is ours here.
    return target.cacert ? { REQUESTS_CA_BUNDLE: target.cacert } : {};
  }
  const env: Record<string, string> = {
    SWIFT_AUTHURL: target.authUrl,
    SWIFT_USERNAME: target.username,
    SWIFT_PASSWORD: password,
  };
  if (target.region) env.SWIFT_REGIONNAME = target.region;
  // swiftclient and keystoneclient use python-requests, which reads its CA bundle from here.
  if (target.cacert) env.REQUESTS_CA_BUNDLE = target.cacert;

  if (target.identityVersion === '2.0') {
    // v2.0 needs the tutorials' tenant:user form, measured: 0.8.22 hands SWIFT_TENANTNAME to its
    // Connection but not to the SwiftService it creates containers with, which then fails with "No
    // tenant specified". With no SWIFT_TENANTNAME, swiftclient splits tenant:user for both.
    env.SWIFT_AUTHVERSION = '2';
    env.SWIFT_USERNAME = `${target.projectName}:${target.username}`;
    return env;
  }

  env.SWIFT_AUTHVERSION = '3';
  if (target.userDomainId && !target.userDomainName) env.SWIFT_USER_DOMAIN_ID = target.userDomainId;
  else env.SWIFT_USER_DOMAIN_NAME = target.userDomainName ?? 'Default';
  env.SWIFT_TENANTNAME = target.projectName;
  if (target.projectDomainName) env.SWIFT_PROJECT_DOMAIN_NAME = target.projectDomainName;
  else if (target.projectDomainId) env.SWIFT_PROJECT_DOMAIN_ID = target.projectDomainId;
  else if (env.SWIFT_USER_DOMAIN_ID) env.SWIFT_PROJECT_DOMAIN_ID = env.SWIFT_USER_DOMAIN_ID;
  else env.SWIFT_PROJECT_DOMAIN_NAME = env.SWIFT_USER_DOMAIN_NAME!;
  env.SWIFT_ENDPOINT_TYPE = target.interface;
  if (opts.duplicityVersion && atLeast(opts.duplicityVersion, 1, 0)) {
    // 1.0 added the v3 names; keep SWIFT_TENANTNAME as well so a downgrade still works.
    env.SWIFT_PROJECT_NAME = target.projectName;
  }
  return env;
}

/**
 * A token duplicity uses as it is: SWIFT_PREAUTHURL + SWIFT_PREAUTHTOKEN for its Connection (both set:
 * no login), and OS_STORAGE_URL + OS_AUTH_TOKEN for the SwiftService it lists, stats and deletes
 * with (it fills unset options from OS_*), measured with duplicity 0.8.22.
 */
export function preauthEnv(storageUrl: string, token: string): Record<string, string> {
  return { SWIFT_PREAUTHURL: storageUrl, SWIFT_PREAUTHTOKEN: token, OS_STORAGE_URL: storageUrl, OS_AUTH_TOKEN: token };
}

/** The variables that carry secrets: never logged, written only to 0600 files. */
export const SECRET_SWIFT_VARS = ['SWIFT_PASSWORD', 'SWIFT_PREAUTHTOKEN', 'OS_AUTH_TOKEN'] as const;
