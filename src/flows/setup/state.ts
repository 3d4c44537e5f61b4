import type { DoctorReport } from '../../core/doctor/checks';
import type { FlowContext } from '../context';

/**
 * What the setup wizard has learned so far. Each step fills its own part and reads earlier parts;
 * a step that is re-run (the person went back) finds its previous answers here as defaults.
 */
export interface SetupState {
  ctx: FlowContext;
  preflight?: DoctorReport;
  /** Uppercase 40-hex fingerprints, as duplicity needs them. */
  keys?: { encrypt: string; sign: string; generated: boolean };
  exportDir?: string;
  /** Filled by the Keystone step; the Container and Schedule steps read it. */
  openstack?: Record<string, unknown>;
  container?: string;
  /** Filled by the Schedule step: what `setup --json` prints. */
  result?: { profileDir: string; script: string } & Record<string, unknown>;
}
