import { formatBytes } from '../words';
import type { CheckReport } from './swift';
import type { OpenStackTarget } from './target';

const ms = (n: number) => `${Math.round(n)} ms`;

/** The container check as lines a person reads (the CLI prints them, the wizard shows them). */
export function formatCheck(report: CheckReport, target: OpenStackTarget): string[] {
  const { account, probe } = report;
  const quota = account.quotaBytes === undefined ? 'no quota set' : `quota ${formatBytes(account.quotaBytes)}`;
  return [
    `✔ Container "${report.container}" works (${ms(report.totalMs)} in all).`,
    `  Project ${target.projectName}${target.projectDomainName ? ` (domain ${target.projectDomainName})` : ''}, region ${target.region ?? '(none)'}, ${target.interface} endpoint ${report.endpoint}`,
    `  Account: ${formatBytes(account.bytesUsed)} used in ${account.containerCount ?? '?'} containers, ${quota}.`,
    `  Container: ${report.created ? 'created now' : `exists, ${report.containerInfo.objectCount ?? '?'} objects, ${formatBytes(report.containerInfo.bytesUsed)}`}.`,
    `  Probe (${formatBytes(probe.bytes)}): write ${ms(probe.putMs)}, read back and compared ${ms(probe.getMs)}, delete ${ms(probe.deleteMs)}; nothing left behind.`,
  ];
}
