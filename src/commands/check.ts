import type { GlobalOptions } from '../cli';
import { APP_CREDENTIAL_NOTE, settleTarget } from '../core/openstack/connect';
import { closeConnections } from '../core/openstack/http';
import { assertContainerName, checkContainer } from '../core/openstack/swift';
import { formatCheck } from '../core/openstack/report';
import { httpOptions, resolveOpenStack, type OpenStackFlags } from './openstack-options';
import { printJson } from './output';

/** `dupliswift check --container NAME [--create]`: prove the container works. Never prompts. */
export async function checkCommand(opts: GlobalOptions & OpenStackFlags & { container?: string; create?: boolean }, hooks: { signal: AbortSignal }): Promise<number> {
  // The name is checked before any request: a typo should not cost a login.
  const container = opts.container ?? '';
  assertContainerName(container);
  try {
    const { input, secrets } = await resolveOpenStack(opts, process.env);
    const http = httpOptions(process.env, hooks.signal, input.cacert);
    const { session, scoped, endpoint, target } = await settleTarget(input, secrets, http);
    const report = await checkContainer({ endpoint: endpoint.url, token: scoped.token }, container, Boolean(opts.create), http);
    if (opts.json) {
      printJson({
        ok: true,
        identityVersion: session.version,
        target,
        container: report.container,
        created: report.created,
        account: report.account,
        containerInfo: report.containerInfo,
        probe: report.probe,
        totalMs: Math.round(report.totalMs),
        duplicityUsable: true,
        ...(session.applicationCredential ? { note: APP_CREDENTIAL_NOTE } : {}),
      });
    } else {
      const lines = formatCheck(report, target);
      if (session.applicationCredential) lines.push(`Note: ${APP_CREDENTIAL_NOTE}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    closeConnections();
  }
}
