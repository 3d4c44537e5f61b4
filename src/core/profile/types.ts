import type { DatabaseSpec } from '../databases/types';
import type { OpenStackTarget } from '../openstack/target';

/**
 * A profile's non-secret settings, kept as profile.json in the profile folder
 * (/etc/dupliswift/<profile>/ as root, $XDG_CONFIG_HOME/dupliswift/<profile>/ otherwise).
 * The backup job and `dupliswift restore --profile` both read it.
 */
export interface Profile {
  version: 1;
  name: string;
  /** duplicity's source: the one folder, or "/" when `sources` (several folders, or dumps) is set. */
  source: string;
  /** The folders backed up, when more than one folder or any database: duplicity backs up / with a filelist. Absent in one-folder profiles. */
  sources?: string[];
  exclude: string[];
  /** Dumped before each backup into `dumpDir` (which is then part of the backup). */
  databases?: DatabaseSpec[];
  /** The 0700 folder the dumps go to; set whenever `databases` is. */
  dumpDir?: string;
  /** Commands run by the job around each backup (bash -c). */
  hooks?: { before?: string[]; after?: string[] };
  gnupgHome: string;
  /** Uppercase 40-hex fingerprints. */
  keys: { encrypt: string; sign: string };
  openstack: OpenStackTarget;
  container: string;
  /** `drill`: cron fields for the periodic restore drill (`backup.sh drill`), or "off"; absent in profiles from before the drill (off). */
  schedule: {
    cron: string; fullEvery: string; keepFull: number; volsize?: number; drill?: string;
    /** Minutes a busy lock may be held before a skipped run alerts (default: the cron schedule's interval). */
    lockAlertAfter?: number;
    /** Minutes without progress (no byte read, written or logged) after which the job stops duplicity (default 5). */
    stallMinutes?: number;
    /** Tries of a duplicity step in all after transient failures (5xx, resets, stalls; default 3), and the first wait in seconds (default 60, doubled each time). */
    retries?: number;
    retryDelay?: number;
    /** node_exporter's textfile folder: the job writes dupliswift-<profile>.prom there after each run. */
    metricsDir?: string;
    /** duplicity intervals (e.g. 36h, 3D): `status` warns / goes critical when the last success is older (default: from the schedule). */
    warnAfter?: string;
    critAfter?: string;
    /** Minutes a backup waits for a running restore drill before it gives up and alerts (default 60). */
    drillWait?: number;
  };
  secrets: 'file' | 'keyring';
  install: 'crontab' | 'cron.d' | 'systemd' | 'none';
  /** duplicity's archive dir (local cache), kept per profile so incrementals need no decrypt. */
  archiveDir: string;
  alert?: { mail?: string; pingUrl?: string };
  /** Absolute tool paths and the duplicity version the script's flags were generated for (cron's PATH is /usr/bin:/bin). */
  tools?: { duplicity: string; duplicityVersion: string; gpg: string };
  /** Where the backup script is (inside the profile folder). */
  script?: string;
}
