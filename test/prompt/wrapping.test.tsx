import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { OFFLINE_ADVICE } from '../../src/flows/keys/export';
import { App } from '../../src/prompt/ink/App';
import { WizardStore } from '../../src/prompt/ink/store';
import { StorePrompter } from '../../src/prompt/ink/store-prompter';
import { tick } from '../helpers/ink';

let app: ReturnType<typeof render> | undefined;
afterEach(() => app?.unmount());

const message = {
  title: 'Both keys are exported to /root/dupliswift-keys (folder 0700, files 0600).',
  lines: OFFLINE_ADVICE,
};

/** The words of the frame right of the step rail, in order, with the marks and rail stripped. */
function wordsRightOfRail(frame: string): string[][] {
  // The first line is the title, the last the key help: between them, the rail, then the log.
  return frame.split('\n').slice(1, -1).filter((line) => line.includes('│')).map((line) => (line.split('│').pop() ?? '').replace(/^[\s✔ℹ⚠✖]+/, '').trim()).filter(Boolean).map((l) => l.split(/\s+/));
}

describe('messages wrap at word boundaries', () => {
  it('a message line is whole sentences: a break inside one leaves a ragged line at every width but one', () => {
    for (const line of [message.title, ...message.lines]) expect(line).toMatch(/[.!?:]\)?$/);
  });

  for (const columns of [60, 64, 72, 80, 100, 132]) {
    it(`at ${columns} columns no word is cut, and every line fits`, async () => {
      const store = new WizardStore('setup');
      const prompt = new StorePrompter(store);
      prompt.steps([{ id: 'export', title: 'Export' }], { export: 'current' });
      prompt.show({ ...message, tone: 'success' });
      app = render(<App store={store} size={{ columns, rows: 30 }} />);
      await tick(60);
      const frame = app.lastFrame() ?? '';
      for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(columns);
      const source = new Set([message.title, ...message.lines].join(' ').split(/\s+/));
      const shown = wordsRightOfRail(frame).flat().filter((w) => !/^(Export|●|○|✔)$/.test(w));
      const cut = shown.filter((w) => !source.has(w));
      expect(cut, frame).toEqual([]);
      expect(shown.join(' ')).toContain('a USB stick in a drawer, a password manager).');
      // Greedy, as a reader expects: a continuation line's first word would not have fitted on the
      // line before it (a hard break inside a sentence leaves a short ragged line).
      const rows = frame.split('\n').slice(1, -1).filter((l) => l.includes('│')).map((l) => l.slice(l.indexOf('│') + 1).replace(/\s+$/, ''));
      const width = Math.min(columns, 100) - 20; // the App never grows past 100 columns
      const starts = [message.title, ...message.lines].map((l) => l.split(' ').slice(0, 3).join(' '));
      for (let i = 1; i < rows.length; i++) {
        const text = rows[i]!.trim();
        if (!text || starts.some((s) => text.replace(/^[✔ℹ⚠✖]\s*/, '').startsWith(s))) continue;
        const firstWord = text.split(' ')[0]!;
        expect([...rows[i - 1]!].length + 1 + [...firstWord].length, `${rows[i - 1]}\n${rows[i]}`).toBeGreaterThan(width);
      }
    });
  }
});
