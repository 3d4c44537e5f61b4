import type { DoctorReport } from './checks';

const mark = { ok: '✔', missing: '✖', error: '✖', warning: '⚠' } as const;

/** The doctor's report as lines for a terminal: each problem followed by the command that fixes it. */
export function formatReport(report: DoctorReport): string[] {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${mark[check.status]} ${check.title}: ${check.detail}`);
    if (check.status !== 'ok' && check.fix) {
      if (check.fix.apt) lines.push(`    Debian/Ubuntu: ${check.fix.apt}`);
      if (check.fix.dnf) lines.push(`    Fedora/RHEL:   ${check.fix.dnf}`);
      if (check.fix.other) lines.push(`    ${check.fix.other}`);
    }
  }
  lines.push(report.ok ? 'Ready: everything required is in place.' : 'Not ready: install what is marked ✖ above, then run dupliswift doctor again.');
  return lines;
}
