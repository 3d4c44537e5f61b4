import type { DoctorReport } from '../../core/doctor/checks';
import type { OpenStackTarget } from '../../core/openstack/target';
import type { FlowContext } from '../context';

/**
 * What the setup wizard has learned so far. Each step fills its own part and reads earlier parts;
 * a step that is re-run (the person went back) finds its previous answers here as defaults.
 * Secrets live here only in memory, for the Schedule step to store them (file 0600 or keyring).
 */
export interface SetupState {
  ctx: FlowContext;
  preflight?: DoctorReport;
  /** Filled by the Keys step. Fingerprints are uppercase 40-hex, as duplicity needs them. */
  keys?: {
    encrypt: string;
    sign: string;
    generated: boolean;
    gnupgHome: string;
    encryptPassphrase: string;
    signPassphrase: string;
  };
  /** Filled by the Export step. */
  exportDir?: string;
  /** Filled by the Keystone step. */
  openstack?: { target: OpenStackTarget; password: string };
  /** Filled by the Container step. */
  container?: string;
  /** Filled by the Schedule step: what `setup --json` prints (at least profileDir and script). */
  result?: { profileDir: string; script: string } & Record<string, unknown>;
}
