import type { Check, DoctorReport } from './checks';

const mark = { ok: '✔', missing: '✖', error: '✖', warning: '⚠' } as const;

function fixLines(check: Check): string[] {
  if (check.status === 'ok' || !check.fix) return [];
  const lines: string[] = [];
  if (check.fix.apt) lines.push(`    Debian/Ubuntu: ${check.fix.apt}`);
  if (check.fix.dnf) lines.push(`    Fedora/RHEL:   ${check.fix.dnf}`);
  if (check.fix.other) lines.push(`    ${check.fix.other}`);
  return lines;
}

/** The doctor's full report for a terminal: each problem followed by the command that fixes it. */
export function formatReport(report: DoctorReport): string[] {
  const lines = report.checks.flatMap((check) => [`${mark[check.status]} ${check.title}: ${check.detail}`, ...fixLines(check)]);
  lines.push(report.ok ? 'Ready: everything required is in place.' : 'Not ready: install what is marked ✖ above, then run dupliswift doctor again.');
  return lines;
}

/** The same, folded for the wizard's small screen: what passed on one line, problems in full. */
export function formatSummary(report: DoctorReport): string[] {
  const passed = report.checks.filter((c) => c.status === 'ok');
  const lines = [`✔ ${passed.map((c) => (c.version ? `${c.title} ${c.version}` : c.title)).join(', ')}`];
  for (const check of report.checks.filter((c) => c.status !== 'ok')) {
    // What is optional gets one line here; `dupliswift doctor` has its fixes.
    lines.push(`${mark[check.status]} ${check.title}: ${check.detail}`, ...(check.required ? fixLines(check) : []));
  }
  return lines;
}
