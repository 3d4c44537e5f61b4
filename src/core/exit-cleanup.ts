import { rmSync } from 'node:fs';

/**
 * What must not outlive this process, however it ends (the Ctrl-C path ends with process.exit after a
 * grace period): temp folders are removed and child process groups killed in an 'exit' handler, which
 * runs synchronously on every exit but SIGKILL (the next start removes those of dead pids).
 */
const paths = new Set<string>();
const groups = new Set<number>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const path of paths) rmSync(path, { recursive: true, force: true });
  });
}

/** Removes `path` (recursively) when the process exits, unless released first. */
export function removeOnExit(path: string): () => void {
  hook();
  paths.add(path);
  return () => void paths.delete(path);
}

/** Kills the process group led by `pid` when the process exits, unless released first. */
export function killGroupOnExit(pid: number): () => void {
  hook();
  groups.add(pid);
  return () => void groups.delete(pid);
}
