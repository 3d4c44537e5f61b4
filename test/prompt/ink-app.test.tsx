import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/prompt/ink/App';
import { WizardStore } from '../../src/prompt/ink/store';
import { Cancelled, GoBack } from '../../src/prompt/port';
import { keys, send, tick } from '../helpers/ink';

const steps = [
  { id: 'preflight', title: 'Preflight' }, { id: 'keys', title: 'Keys' }, { id: 'export', title: 'Export' },
  { id: 'keystone', title: 'Keystone' }, { id: 'container', title: 'Container' }, { id: 'schedule', title: 'Schedule' },
];

let app: ReturnType<typeof render> | undefined;
afterEach(() => app?.unmount());

function mount(current = 'keys') {
  const store = new WizardStore('setup');
  const index = steps.findIndex((s) => s.id === current);
  store.setSteps(steps, Object.fromEntries(steps.map((s, i) => [s.id, i < index ? 'done' : i === index ? 'current' : 'todo'])));
  app = render(<App store={store} size={{ columns: 80, rows: 24 }} />);
  return { store, app };
}

describe('the wizard screen', () => {
  it('shows every step with its state, the question and the keys', async () => {
    const { store, app } = mount('keys');
    void store.ask({ kind: 'text', q: { id: 'keys.generate.name', message: 'Name for the keys\' user IDs?', default: 'backup' } });
    await tick();
    const frame = app.lastFrame()!;
    expect(frame).toMatch(/✔ 1\. Preflight/);
    expect(frame).toMatch(/▸ 2\. Keys/);
    expect(frame).toMatch(/○ 6\. Schedule/);
    expect(frame).toContain("? Name for the keys' user IDs?");
    expect(frame).toContain('Esc back');
    expect(frame).toContain('Ctrl-C quit');
    for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('answers a text question with its default on Enter', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'text', q: { id: 'x', message: 'Profile name?', default: 'nightly' } });
    await tick();
    await send(app, keys.enter);
    await expect(answer).resolves.toBe('nightly');
  });

  it('keeps asking, with the problem shown, until the answer is valid', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'text', q: { id: 'x', message: 'E-mail?', validate: (v) => (v.includes('@') ? undefined : 'An e-mail needs an @.') } });
    await tick();
    await send(app, 'root');
    const frame = await send(app, keys.enter);
    expect(frame).toContain('An e-mail needs an @.');
    await send(app, 'root@example.org');
    await send(app, keys.enter);
    await expect(answer).resolves.toBe('root@example.org');
  });

  it('never shows a secret as typed', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'secret', q: { id: 'p', env: 'X', message: 'Passphrase?' } });
    await tick();
    const frame = await send(app, 'hunter2-secret');
    expect(frame).not.toContain('hunter2');
    await send(app, keys.enter);
    await expect(answer).resolves.toBe('hunter2-secret');
  });

  it('picks a choice with the arrow keys', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'select', q: { id: 'k', message: 'Algorithm?', choices: [{ value: 'curve25519', label: 'Curve25519' }, { value: 'rsa4096', label: 'RSA-4096' }] } });
    await tick();
    await send(app, keys.down);
    await send(app, keys.enter);
    await expect(answer).resolves.toBe('rsa4096');
  });

  it('answers a confirmation with y or n', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'confirm', q: { id: 'c', message: 'Create the container?' } });
    await tick();
    await send(app, 'n');
    await expect(answer).resolves.toBe(false);
  });

  it('goes back with Esc once there is a step to go back to', async () => {
    const { store, app } = mount('keys');
    const answer = store.ask({ kind: 'text', q: { id: 'x', message: 'Name?' } });
    await tick();
    app.stdin.write(keys.escape);
    await expect(answer).rejects.toBeInstanceOf(GoBack);
  });

  it('offers no back on the first step', async () => {
    const { store, app } = mount('preflight');
    let settled = false;
    void store.ask({ kind: 'text', q: { id: 'x', message: 'Name?' } }).finally(() => { settled = true; });
    await tick();
    expect(app.lastFrame()).not.toContain('Esc back');
    app.stdin.write(keys.escape);
    await tick(80);
    expect(settled).toBe(false);
  });

  it('cancels the open question on Ctrl-C', async () => {
    const { store, app } = mount();
    let cancelled = 0;
    store.onCancel(() => cancelled++);
    const answer = store.ask({ kind: 'text', q: { id: 'x', message: 'Name?' } });
    await tick();
    app.stdin.write(keys.ctrlC);
    await expect(answer).rejects.toBeInstanceOf(Cancelled);
    expect(cancelled).toBe(1);
  });

  it('shows a running task and the recent log within 24 rows', async () => {
    const { store, app } = mount();
    for (let i = 0; i < 50; i++) store.log(`line ${i}`, ['detail'], 'info');
    store.setTask({ running: 'Generating keys', detail: 'encryption key', fraction: 0.5 });
    await tick();
    const frame = app.lastFrame()!;
    expect(frame).toContain('Generating keys · encryption key 50%');
    expect(frame).toContain('line 49');
    expect(frame).not.toContain('line 10');
    expect(frame.split('\n').length).toBeLessThanOrEqual(24);
  });
});

describe('choices', () => {
  const regions = Array.from({ length: 12 }, (_, i) => ({ value: `Region${i}`, label: `Region${i}` }));

  it('picks the default with a plain Enter', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'select', q: { id: 'r', message: 'Region?', choices: regions, default: 'Region3' } });
    await tick();
    expect(app.lastFrame()).toMatch(/❯ Region3/);
    await send(app, keys.enter);
    await expect(answer).resolves.toBe('Region3');
  });

  it('scrolls a long list and says how many more there are', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'select', q: { id: 'r', message: 'Region?', choices: regions, default: 'Region11' } });
    await tick();
    const frame = app.lastFrame()!;
    expect(frame).toMatch(/❯ Region11/);
    expect(frame).toMatch(/↑ 4 more/);
    expect(frame).not.toContain('Region0 ');
    await send(app, keys.down); // wraps to the top
    expect(app.lastFrame()).toMatch(/❯ Region0/);
    await send(app, keys.enter);
    await expect(answer).resolves.toBe('Region0');
  });
});

describe('keys in one burst', () => {
  it('Down then Enter in the same write picks the option Down moved to', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'select', q: { id: 'k', message: 'Algorithm?', choices: [{ value: 'curve25519', label: 'Curve25519' }, { value: 'rsa4096', label: 'RSA-4096' }] } });
    await tick();
    app.stdin.write(keys.down + keys.enter);
    await expect(answer).resolves.toBe('rsa4096');
  });
});

describe('text entry', () => {
  it('a paste that ends in a newline submits the pasted text', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'text', q: { id: 'u', message: 'Keystone auth URL?' } });
    await tick();
    app.stdin.write('https://keystone.example:5000/v3\r');
    await expect(answer).resolves.toBe('https://keystone.example:5000/v3');
  });

  it('edits like readline: Ctrl-U clears a default, backspace, arrows to insert in the middle', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'text', q: { id: 'c', message: 'Container?', default: 'backup-web1' } });
    await tick();
    await send(app, '\u0015'); // Ctrl-U: the default is gone
    await send(app, 'bakupz');
    await send(app, keys.backspace); // "bakup"
    await send(app, 's'); // "bakups"
    for (let i = 0; i < 4; i++) await send(app, '\u001B[D'); // ← ×4: cursor after "ba"
    await send(app, 'c');
    await send(app, keys.enter);
    await expect(answer).resolves.toBe('backups');
  });

  it('a secret pasted in one burst after Ctrl-U holds just the pasted text, no control character', async () => {
    const { store, app } = mount();
    const answer = store.ask({ kind: 'secret', q: { id: 'p', env: 'X', message: 'Passphrase?' } });
    await tick();
    await send(app, 'typo');
    await send(app, '\u0015correct horse\u0007\r');
    await expect(answer).resolves.toBe('correct horse');
  });
});
