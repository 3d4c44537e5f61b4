import type { Prompter } from '../prompt/port';

/** What every flow gets: the person (through the prompt port), the environment, and a way to stop. */
export interface FlowContext {
  prompt: Prompter;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: long work (gpg, duplicity, HTTP) passes it on so children die with us. */
  signal: AbortSignal;
  /** Where profiles live unless the flow is told otherwise (--config-dir). */
  configDir?: string;
  /** Where OpenStack settings come from besides OS_*: an openrc file (parsed, never run), a clouds.yaml cloud. */
  openstackFrom?: { openrc?: string; cloud?: string };
  /**
   * Where a schedule goes instead of this user's crontab, /etc/cron.d and the systemd unit folder.
   * Tests point these at a throwaway user and folders of their own, so a real profile's schedule
   * on the machine is never touched.
   */
  scheduleTargets?: { crontabUser?: string; cronDDir?: string; unitDir?: string };
  /** The answers file's contents (answers front end): checked whole before the first step touches anything. */
  answers?: { values: Record<string, unknown>; yes: boolean; source: string };
}
