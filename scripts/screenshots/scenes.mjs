// Every screen the app has, and how to reach it in a real terminal. A scene: a command, then steps
// (wait for text on screen, type, press keys); the screen after the last step is the picture.
export const scenes = [
  {
    name: 'setup-preflight',
    title: 'dupliswift — setup: preflight',
    command: (c) => c.bin,
    steps: [{ waitFor: 'Preflight checked', pauseMs: 600 }],
  },
  {
    name: 'doctor',
    title: 'dupliswift doctor',
    command: (c) => `${c.bin} doctor`,
    steps: [{ waitFor: /Ready|Not ready/ }],
  },
  {
    name: 'setup-plain',
    title: 'dupliswift --plain (line mode)',
    command: (c) => `${c.bin} --plain`,
    steps: [{ waitFor: 'Step 2/6', pauseMs: 800 }],
  },
];
