import { evaluate } from '../../core/doctor/checks';
import { formatSummary } from '../../core/doctor/format';
import { gatherFacts } from '../../core/doctor/probes';
import { UserError } from '../../core/errors';
import type { Step } from '../run-steps';
import type { SetupState } from './state';

export const preflightStep: Step<SetupState> = {
  id: 'preflight',
  title: 'Preflight',
  async run(state) {
    const { prompt, env } = state.ctx;
    const report = await prompt.task({ running: 'Checking gpg, duplicity and the Swift libraries', done: 'Preflight checked' }, () => gatherFacts(env).then(evaluate));
    state.preflight = report;
    const lines = formatSummary(report);
    prompt.show({ title: report.ok ? 'This machine is ready for dupliswift.' : 'Something required is missing.', lines, tone: report.ok ? 'success' : 'error' });
    if (!report.ok) {
      const missing = report.checks.filter((c) => c.required && c.status !== 'ok');
      throw new UserError(
        `Preflight failed: ${missing.map((c) => c.title).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not ready.`,
        { fix: missing.map((c) => c.fix?.apt ?? c.fix?.other).filter(Boolean).join('; ') || 'See dupliswift doctor.' },
      );
    }
  },
};
