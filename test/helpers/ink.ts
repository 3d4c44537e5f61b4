import type { render } from 'ink-testing-library';

/** Lets Ink process input and re-render; frames settle within a few ticks. */
export const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

export const keys = { enter: '\r', escape: '\u001B', ctrlC: '\u0003', down: '\u001B[B', up: '\u001B[A', backspace: '\u007F' } as const;

/** Types into a rendered app and waits for the frame to change (or a bound on waiting). */
export async function send(app: ReturnType<typeof render>, input: string): Promise<string> {
  const before = app.lastFrame();
  app.stdin.write(input);
  for (let i = 0; i < 40 && app.lastFrame() === before; i++) await tick(10);
  await tick(20);
  return app.lastFrame() ?? '';
}
