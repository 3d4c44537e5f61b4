import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * Identities of the test's own in the real Keystone, made through its API as admin: a domain (not
 * Default), a project and a user in it with the member role, and application credentials of that
 * user. Unique names; remove() deletes all of it again.
 */
export interface AppCredUser {
  keystone: string;
  domain: { id: string; name: string };
  project: { id: string; name: string };
  user: { id: string; name: string; password: string };
  credential(opts?: { accessRules?: { service: string; method: string; path: string }[]; expiresInSeconds?: number; name?: string }): Promise<{ id: string; name: string; secret: string }>;
  revoke(id: string): Promise<void>;
  remove(): Promise<void>;
}

async function call(keystone: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${keystone}${path}`, {
    method, headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Auth-Token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

async function passwordToken(keystone: string, user: Record<string, unknown>, scope: Record<string, unknown>): Promise<string> {
  const r = await call(keystone, 'POST', '/auth/tokens', undefined, { auth: { identity: { methods: ['password'], password: { user } }, scope } });
  return r.headers.get('x-subject-token')!;
}

/**
 * Keystone on sqlite enforces no foreign keys (oslo.db's sqlite_fk is off), so deleting an application
 * credential leaves its role and access-rule rows behind; sqlite then hands the next credential the same
 * internal id and every later create fails with 409 "Duplicate entry". Measured on the shared stack:
 * after a test revoked its credentials nobody could create one. Deleting what points at no credential
 * undoes exactly what our deletes left.
 */
export async function dropOrphanCredentialRows(stackDir: string): Promise<void> {
  const { execa } = await import('execa');
  await execa('/usr/bin/setpriv', ['--reuid=keystone', '--regid=keystone', '--init-groups', '--', '/usr/bin/env', '-i', '/usr/bin/python3', '-c', `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
with c:
    for t in ('application_credential_role', 'application_credential_access_rule'):
        c.execute(f'delete from {t} where application_credential_id not in (select internal_id from application_credential)')
`, `${stackDir}/keystone/keystone.db`], { reject: false });
}

/** `stackDir`: the shared stack's state (its database gets the orphan clean-up); undefined for an extra instance (thrown away whole). */
export async function appCredUser(keystone: string, stackDir: string | undefined = process.env.DUPLISWIFT_STACK_DIR ?? '/var/tmp/dupliswift-stack'): Promise<AppCredUser> {
  const adminPassword = (JSON.parse(await readFile(`${process.env.DUPLISWIFT_STACK_DIR ?? '/var/tmp/dupliswift-stack'}/secrets.json`, 'utf8')) as { admin: string }).admin;
  const admin = await passwordToken(keystone, { name: 'admin', domain: { id: 'default' }, password: adminPassword }, { project: { name: 'admin', domain: { id: 'default' } } });
  const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const domain = (await call(keystone, 'POST', '/domains', admin, { domain: { name: `dsw-ac-dom-${tag}`, description: 'dupliswift test (app credentials)' } })).json.domain;
  const project = (await call(keystone, 'POST', '/projects', admin, { project: { name: `dsw-ac-proj-${tag}`, domain_id: domain.id } })).json.project;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = (await call(keystone, 'POST', '/users', admin, { user: { name: `dsw-ac-user-${tag}`, domain_id: domain.id, password, enabled: true } })).json.user;
  const roles = (await call(keystone, 'GET', '/roles?name=member', admin)).json.roles;
  await call(keystone, 'PUT', `/projects/${project.id}/users/${user.id}/roles/${roles[0].id}`, admin);
  const userToken = () => passwordToken(keystone, { id: user.id, password }, { project: { id: project.id } });
  return {
    keystone, domain: { id: domain.id, name: domain.name }, project: { id: project.id, name: project.name }, user: { id: user.id, name: user.name, password },
    async credential(opts = {}) {
      const body: Record<string, unknown> = { name: opts.name ?? `dsw-ac-${randomBytes(4).toString('hex')}`, roles: [{ name: 'member' }] };
      if (opts.accessRules) body.access_rules = opts.accessRules;
      if (opts.expiresInSeconds !== undefined) body.expires_at = new Date(Date.now() + opts.expiresInSeconds * 1000).toISOString().replace(/Z$/, '');
      const r = await call(keystone, 'POST', `/users/${user.id}/application_credentials`, await userToken(), { application_credential: body });
      const c = r.json.application_credential;
      return { id: c.id, name: c.name, secret: c.secret };
    },
    async revoke(id) {
      await call(keystone, 'DELETE', `/users/${user.id}/application_credentials/${id}`, await userToken());
      if (stackDir) await dropOrphanCredentialRows(stackDir);
    },
    async remove() {
      await call(keystone, 'DELETE', `/users/${user.id}`, admin).catch(() => undefined);
      await call(keystone, 'DELETE', `/projects/${project.id}`, admin).catch(() => undefined);
      await call(keystone, 'PATCH', `/domains/${domain.id}`, admin, { domain: { enabled: false } }).catch(() => undefined);
      await call(keystone, 'DELETE', `/domains/${domain.id}`, admin).catch(() => undefined);
      if (stackDir) await dropOrphanCredentialRows(stackDir);
    },
  };
}
