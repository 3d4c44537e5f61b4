import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A program in a real terminal: tmux gives it a pty of a fixed size, send-keys types, capture-pane
 * reads the screen. Each session has its own tmux server (-L) so tests never see each other.
 */
export class Terminal {
  readonly socket: string;
  private readonly dir: string;
  private readonly exitFile: string;

  private constructor(socket: string, dir: string) {
    this.socket = socket;
    this.dir = dir;
    this.exitFile = join(dir, 'exit-code');
  }

  /** Starts `command` (a shell command line) with exactly `env` (secrets go here, never in argv). */
  static start(command: string, opts: { env?: Record<string, string>; cols?: number; rows?: number; cwd?: string } = {}): Terminal {
    const dir = mkdtempSync(join(tmpdir(), 'dupliswift-tty-'));
    const socket = `dupliswift-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const term = new Terminal(socket, dir);
    const envFile = join(dir, 'env.sh');
    writeFileSync(envFile, Object.entries(opts.env ?? {}).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`).join(''), { mode: 0o600 });
    const script = join(dir, 'run.sh');
    writeFileSync(script, `. '${envFile}'\n${opts.cwd ? `cd '${opts.cwd}'\n` : ''}${command}\necho $? > '${term.exitFile}'\nsleep 600\n`, { mode: 0o700 });
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(opts.cols ?? 80), '-y', String(opts.rows ?? 24), `sh '${script}'`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' },
    });
    return term;
  }

  screen(): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p'], { encoding: 'utf8' });
  }

  /** Screen with colours, as escape sequences (for NO_COLOR checks and screenshots). */
  screenWithColours(): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p', '-e'], { encoding: 'utf8' });
  }

  /** tmux key names: 'Enter', 'Escape', 'C-c', 'Down'; or literal text with `literal`. */
  keys(...names: string[]): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', ...names]);
  }

  type(text: string): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-l', text]);
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Timed out waiting for ${String(pattern)}. Screen:\n${screen}`);
  }

  async exitCode(timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (existsSync(this.exitFile)) {
        const text = readFileSync(this.exitFile, 'utf8').trim();
        if (text) return Number(text);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`The program did not exit. Screen:\n${this.screen()}`);
  }

  close(): void {
    try {
      execFileSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
