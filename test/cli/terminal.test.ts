import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { binPath } from '../helpers/cli';
import { Terminal } from '../helpers/tmux';

// Real terminals (tmux ptys): what only a terminal shows — raw mode, Ctrl-C, exit codes, colours.

let term: Terminal | undefined;
afterEach(() => {
  term?.close();
  term = undefined;
});

function sandbox() {
  const home = mkdtempSync(join(tmpdir(), 'dupliswift-term-'));
  const env = {
    HOME: home,
    GNUPGHOME: join(home, 'gnupg'),
    XDG_CONFIG_HOME: join(home, 'config'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TERM: 'xterm-256color',
  };
  return { home, env };
}

/** What a run may have written: secret keys in GnuPG, anything in the profile folder. */
function written(home: string): { secretKeys: string; config: string[] } {
  const gnupg = join(home, 'gnupg');
  const secretKeys = existsSync(gnupg)
    ? execFileSync('gpg', ['--batch', '--list-secret-keys', '--with-colons'], { env: { ...process.env, GNUPGHOME: gnupg }, encoding: 'utf8' })
    : '';
  if (existsSync(gnupg)) execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupg } });
  const configDir = join(home, 'config');
  return { secretKeys, config: existsSync(configDir) ? readdirSync(configDir, { recursive: true }) as string[] : [] };
}

describe('the wizard in a real terminal', () => {
  it('moves past Preflight to the Keys question, and Ctrl-C there exits 130 having written nothing', async () => {
    const { home, env } = sandbox();
    term = Terminal.start(`node ${binPath}`, { env });
    await term.waitFor(/✔ 1\. Preflight/);
    const screen = await term.waitFor(/▸ 2\. Keys[\s\S]*\? /);
    expect(screen).toContain('Esc back');
    term.keys('C-c');
    expect(await term.exitCode()).toBe(130);
    const after = term.screen();
    expect(after).toContain('Cancelled. Nothing half-done was written.');
    // Ink restored the terminal: the cursor is visible again for the shell.
    expect(execFileSync('tmux', ['-L', term.socket, 'display', '-p', '#{cursor_flag}'], { encoding: 'utf8' }).trim()).toBe('1');
    expect(written(home)).toEqual({ secretKeys: '', config: [] });
  });

  it('Ctrl-C while keys are being generated stops at once: exit 130, no key in GnuPG, nothing in the profile folder', async () => {
    const { home, env } = sandbox();
    term = Terminal.start(`node ${binPath}`, { env });
    const answer = async (question: RegExp | string, text?: string) => {
      await term!.waitFor(question);
      await new Promise((r) => setTimeout(r, 150));
      if (text) term!.type(text);
      await new Promise((r) => setTimeout(r, 150));
      term!.keys('Enter');
    };
    await answer('GnuPG home');
    await answer('Name for the keys', 'web1');
    await answer('E-mail for the keys', 'root@web1.example');
    await term.waitFor('Which kind of keys');
    term.keys('Down'); // RSA-4096: generation takes long enough to interrupt
    await answer('Which kind of keys');
    await answer('passphrase for the encryption key', 'correct horse battery staple');
    await answer('Type it again', 'correct horse battery staple');
    await answer('passphrase for the signing key', 'a second, different passphrase');
    await answer('Type it again', 'a second, different passphrase');
    await term.waitFor('Generating the encryption and signing keys');
    term.keys('C-c');
    expect(await term.exitCode()).toBe(130);
    expect(term.screen()).toContain('Cancelled. Nothing half-done was written.');
    expect(written(home)).toEqual({ secretKeys: '', config: [] });
  });

  it('goes back a step with Esc and forward again', async () => {
    const { env } = sandbox();
    term = Terminal.start(`node ${binPath}`, { env });
    await term.waitFor(/▸ 2\. Keys[\s\S]*\? /);
    term.keys('Escape');
    // Preflight runs again (it asks nothing) and the wizard is back at the Keys question.
    await term.waitFor(/▸ 1\. Preflight|Checking gpg/);
    await term.waitFor(/▸ 2\. Keys[\s\S]*\? /);
    term.keys('C-c');
    expect(await term.exitCode()).toBe(130);
  });

  it('honours NO_COLOR: not one colour code on the screen', async () => {
    const { env } = sandbox();
    term = Terminal.start(`node ${binPath}`, { env: { ...env, NO_COLOR: '1' } });
    await term.waitFor(/▸ 2\. Keys[\s\S]*\? /);
    const raw = term.screenWithColours();
    expect(raw).not.toMatch(/\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;[25])[;m]/);
    term.keys('C-c');
    expect(await term.exitCode()).toBe(130);
  });

  it('line mode (--plain) asks one question a line and Ctrl-C exits 130 with nothing written', async () => {
    const { home, env } = sandbox();
    term = Terminal.start(`node ${binPath} --plain`, { env });
    await term.waitFor('== Step 2/6: Keys ==');
    await term.waitFor(/\? .+/);
    term.keys('C-c');
    expect(await term.exitCode()).toBe(130);
    expect(written(home)).toEqual({ secretKeys: '', config: [] });
  });

  it('TERM=dumb gets line mode without asking for it', async () => {
    const { env } = sandbox();
    term = Terminal.start(`node ${binPath}`, { env: { ...env, TERM: 'dumb' } });
    await term.waitFor('== Step 2/6: Keys ==');
    term.keys('C-c');
    expect(await term.exitCode()).toBe(130);
  });
});
