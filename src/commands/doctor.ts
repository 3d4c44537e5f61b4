import { evaluate } from '../core/doctor/checks';
import { formatReport } from '../core/doctor/format';
import { gatherFacts } from '../core/doctor/probes';
import type { GlobalOptions } from '../cli';
import { printJson } from './output';

export async function doctorCommand(opts: GlobalOptions): Promise<number> {
  const report = evaluate(await gatherFacts(process.env));
  if (opts.json) printJson(report);
  else process.stdout.write(`${formatReport(report).join('\n')}\n`);
  return report.ok ? 0 : 1;
}
