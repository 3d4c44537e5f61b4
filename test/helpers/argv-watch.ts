import { readdir, readFile } from 'node:fs/promises';

export interface ArgvWatch {
  /** Ends the watch after its current scan: the command lines that held a secret, and how many scans ran. */
  stop(): Promise<{ hits: string[]; scans: number }>;
}

/**
 * Scans every process's command line (/proc/PID/cmdline) every `intervalMs` while a test runs and
 * records those that contain one of the secrets: a secret must reach gpg and duplicity through fds
 * and the environment, never argv, where any local user can read it. `scans` lets a test check the
 * watch really looked while its processes ran.
 */
export function watchArgv(secrets: string[], intervalMs = 15): ArgvWatch {
  const wanted = secrets.filter((s) => s.length > 0);
  // An empty secret matches every command line; no secret at all would watch nothing.
  if (wanted.length === 0) throw new Error('watchArgv: no non-empty secret to look for');
  const hits = new Set<string>();
  let scans = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const pids = (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
      await Promise.all(pids.map(async (pid) => {
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmd && wanted.some((s) => cmd.includes(s))) hits.add(cmd.replace(/\0/g, ' ').trim());
      }));
      scans++;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { hits: [...hits], scans };
    },
  };
}
