import { readdir, readFile } from 'node:fs/promises';

/**
 * Samples every process's command line (/proc/PID/cmdline) while a test runs and records any that
 * contains one of the secrets: a secret must never be in argv, where any local user can read it.
 */
export function watchArgv(secrets: string[], everyMs = 15): { stop(): Promise<string[]> } {
  const found = new Set<string>();
  let running = true;
  const sample = async () => {
    for (const pid of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(pid)) continue;
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      for (const s of secrets) if (s && cmd.includes(s)) found.add(cmd.replace(/\0/g, ' ').trim());
    }
  };
  const loop = (async () => {
    while (running) {
      await sample();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...found];
    },
  };
}
