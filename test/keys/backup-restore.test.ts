import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseJson, runCli } from '../helpers/cli';
import { execRecorder, secretsInArgv } from '../helpers/exec-trace';
import { duplicityAsCron, killAgentOf, tempGnupgHome } from '../helpers/gpg';

/**
 * The user outcome end to end, per algorithm: keys made by `dupliswift keys generate` carry a full
 * and an incremental duplicity backup run as cron runs it; a fresh machine that gets only the
 * exported files through `dupliswift keys import` restores the backup byte-identical. No secret
 * appears in any process's argv meanwhile.
 */
describe.concurrent('generated keys back up and restore with duplicity', () => {
  for (const algorithm of ['curve25519', 'rsa4096'] as const) {
    test(algorithm, async () => {
      const box = await tempGnupgHome(`ds-keys-${algorithm}-`);
      const fresh = join(box.root, 'fresh-gnupg');
      const encryptPassphrase = `enc-${randomBytes(9).toString('base64url')}`;
      const signPassphrase = `sig-${randomBytes(9).toString('base64url')}`;
      // The CLI's runs under strace (the two algorithms run concurrently: one tracer per command).
      const trace = await execRecorder();
      const t0 = Date.now(); const mark = (what: string) => { if (process.env.DS_TIMING) appendFileSync(process.env.DS_TIMING, `${algorithm} ${what} ${Date.now() - t0}\n`); };
      try {
        const source = join(box.root, 'source');
        await mkdir(join(source, 'sub'), { recursive: true });
        await writeFile(join(source, 'a.bin'), randomBytes(200_000));
        await writeFile(join(source, 'sub', 'b.txt'), 'first version\n');
        const exportDir = join(box.root, 'export');

        const gen = await runCli(['keys', 'generate', '--name', 'Test Server', '--email', 'backup@example.org', '--algorithm', algorithm, '--export-dir', exportDir, '--json'], {
          env: { GNUPGHOME: box.home, DUPLISWIFT_ENCRYPT_PASSPHRASE: encryptPassphrase, DUPLISWIFT_SIGN_PASSPHRASE: signPassphrase }, wrap: trace.wrap,
        });
        mark('generated');
        expect(gen.exitCode, gen.stderr).toBe(0);
        const out = parseJson<{ encryptKey: string; signKey: string; exportDir: string }>(gen);
        expect(out.encryptKey).toMatch(/^[0-9A-F]{40}$/);
        expect(out.signKey).toMatch(/^[0-9A-F]{40}$/);
        expect(out.signKey).not.toBe(out.encryptKey);
        expect(out.exportDir).toBe(exportDir);
        expect((await stat(box.home)).mode & 0o777).toBe(0o700);
        expect((await stat(exportDir)).mode & 0o777).toBe(0o700);
        for (const f of await readdir(exportDir)) expect((await stat(join(exportDir, f))).mode & 0o777, f).toBe(0o600);

        const target = `file://${join(box.root, 'target')}`;
        const keyArgs = ['--encrypt-key', out.encryptKey, '--sign-key', out.signKey, '--archive-dir', join(box.root, 'cache'), '--name', 't'];
        const cron = { HOME: box.root, GNUPGHOME: box.home, PASSPHRASE: encryptPassphrase, SIGN_PASSPHRASE: signPassphrase };
        const full = await duplicityAsCron(['full', ...keyArgs, source, target], cron);
        mark('full');
        expect(full.exitCode, full.stdout + full.stderr).toBe(0);
        await writeFile(join(source, 'sub', 'b.txt'), 'second version\n');
        await writeFile(join(source, 'c.txt'), 'added later\n');
        const incr = await duplicityAsCron(['incremental', ...keyArgs, source, target], cron);
        mark('incremental');
        expect(incr.exitCode, incr.stdout + incr.stderr).toBe(0);
        await killAgentOf(box.home);

        // A new machine: only the exported files, through the CLI, into an empty GnuPG home.
        const files = (await readdir(exportDir)).filter((f) => f.endsWith('.asc')).map((f) => join(exportDir, f));
        const imp = await runCli(['keys', 'import', ...files, '--json'], {
          env: { GNUPGHOME: fresh, DUPLISWIFT_ENCRYPT_PASSPHRASE: encryptPassphrase, DUPLISWIFT_SIGN_PASSPHRASE: signPassphrase }, wrap: trace.wrap,
        });
        mark('imported');
        expect(imp.exitCode, imp.stderr).toBe(0);
        const imported = parseJson<{ keys: Array<{ fingerprint: string; secret: boolean; passphraseChecked: boolean }> }>(imp).keys;
        expect(imported.map((k) => k.fingerprint).sort()).toEqual([out.encryptKey, out.signKey].sort());
        expect(imported.every((k) => k.secret && k.passphraseChecked)).toBe(true);

        const restored = join(box.root, 'restored');
        const rest = await duplicityAsCron(['restore', '--encrypt-key', out.encryptKey, '--sign-key', out.signKey, '--archive-dir', join(box.root, 'cache-new'), '--name', 't', target, restored],
          { HOME: box.root, GNUPGHOME: fresh, PASSPHRASE: encryptPassphrase });
        mark('restored');
        expect(rest.exitCode, rest.stdout + rest.stderr).toBe(0);
        expect(await readFile(join(restored, 'a.bin'))).toEqual(await readFile(join(source, 'a.bin')));
        expect(await readFile(join(restored, 'sub', 'b.txt'), 'utf8')).toBe('second version\n');
        expect(await readFile(join(restored, 'c.txt'), 'utf8')).toBe('added later\n');
      } finally {
        const execs = await trace.execs().finally(() => trace.cleanup());
        await killAgentOf(fresh);
        await box.cleanup();
        expect(execs.some((e) => e.ok && e.file.endsWith('/gpg'))).toBe(true);
        expect(secretsInArgv(execs, [encryptPassphrase, signPassphrase])).toEqual([]);
      }
    });
  }
});
