import type { GlobalOptions } from '../cli';
import { APP_CREDENTIAL_NOTE, login } from '../core/openstack/connect';
import { closeConnections } from '../core/openstack/http';
import { httpOptions, resolveOpenStack, type OpenStackFlags } from './openstack-options';
import { printJson } from './output';

/** `dupliswift tenants`: the projects (tenants) this user may use. Never prompts. */
export async function tenantsCommand(opts: GlobalOptions & OpenStackFlags, hooks: { signal: AbortSignal }): Promise<number> {
  try {
    const { input, secrets } = await resolveOpenStack(opts, process.env);
    const session = await login(input, secrets, httpOptions(process.env, hooks.signal, input.cacert));
    const projects = session.projects.map((p) => ({ id: p.id, name: p.name, domain: p.domainName ?? p.domainId ?? null, domainId: p.domainId ?? null }));
    if (opts.json) {
      printJson({
        identityVersion: session.version,
        authUrl: session.base,
        user: { name: session.username, domain: session.userDomain?.name ?? null },
        applicationCredential: session.applicationCredential,
        projects,
        ...(session.applicationCredential ? { note: APP_CREDENTIAL_NOTE } : {}),
      });
      return 0;
    }
    const out: string[] = [`Keystone v${session.version} at ${session.base}, user ${session.username}${session.userDomain ? ` (domain ${session.userDomain.name})` : ''}:`];
    if (projects.length === 0) out.push('  (no projects: ask your cloud administrator for a role on one)');
    const width = Math.max(4, ...projects.map((p) => p.name.length));
    for (const p of projects) out.push(`  ${p.name.padEnd(width)}  ${session.version === '3' ? `domain ${String(p.domain).padEnd(10)}  ` : ''}${p.id}`);
    if (session.applicationCredential) out.push('', `Note: ${APP_CREDENTIAL_NOTE}`);
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    closeConnections();
  }
}
