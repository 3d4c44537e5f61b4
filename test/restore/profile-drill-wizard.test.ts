import { execa } from 'execa';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDuplicity } from '../../src/core/duplicity/detect';
import { drill, drillScriptFragment } from '../../src/core/restore/drill';
import { listBackupContainers } from '../../src/core/restore/containers';
import { openBackupStore } from '../../src/core/restore/swift-login';
import type { BackupSource } from '../../src/core/restore/source';
import { importKeyFiles, inspectKeyFiles } from '../../src/core/keys/import-files';
import { binPath, parseJson, runCli } from '../helpers/cli';
import { killAgentOf } from '../helpers/gpg';
import { deleteContainers, machineA, plainDuplicity, snapshotTree, swiftEnvFor, uniqueContainer, workWithSource, type MachineA } from '../helpers/restore';
import { stack, type Stack } from '../helpers/stack';
import { Terminal } from '../helpers/tmux';

/**
 * A backup made by hand the tutorial's way (plain duplicity, one key signs and encrypts, PASSPHRASE only), restored
 * through a profile, through the guided wizard from a bare machine, and drilled.
 */
let s: Stack;
let a: MachineA;
let work: string;
let source: string;
let container: string;
let empty: string;
const homes: string[] = [];
let term: Terminal | undefined;

beforeAll(async () => {
  [s, a] = await Promise.all([stack(), machineA()]);
  ({ work, source } = await workWithSource('ds-restore-tut-'));
  container = uniqueContainer('ds-tut');
  empty = uniqueContainer('ds-empty');
  // One key for both jobs and one passphrase, the tutorial's way.
  await plainDuplicity(['--encrypt-key', a.encrypt.fpr, '--sign-key', a.encrypt.fpr, '--archive-dir', join(work, 'cache-A'), source, `swift://${container}`], {
    ...swiftEnvFor(s), GNUPGHOME: a.gnupgHome, PASSPHRASE: a.encrypt.passphrase,
  });
}, 120_000);

afterAll(async () => {
  term?.close();
  for (const h of homes) await killAgentOf(h);
  if (s && container) await deleteContainers(s, [container, empty]).catch(() => undefined);
  await a?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a hand-made, one-key backup', () => {
  it('restores through a profile, with the secrets from the environment', async () => {
    const configDir = join(work, 'profiles');
    await mkdir(join(configDir, 'tut'), { recursive: true });
    const profile = {
      version: 1, name: 'tut', source, exclude: [], gnupgHome: a.gnupgHome,
      keys: { encrypt: a.encrypt.fpr, sign: a.encrypt.fpr },
      openstack: { authUrl: s.keystone, identityVersion: '3', username: s.demo.username, userDomainName: 'Default', projectName: 'backup-a', projectDomainName: 'Default', region: s.region, interface: 'public' },
      container, schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 2 }, secrets: 'file', install: 'none', archiveDir: join(work, 'cache-A'),
    };
    await writeFile(join(configDir, 'tut', 'profile.json'), JSON.stringify(profile));
    const target = join(work, 'via-profile');
    const result = await runCli(['restore', '--profile', 'tut', '--config-dir', configDir, '--target', target, '--json'], {
      cleanEnv: true, env: { OS_PASSWORD: s.demo.password, DUPLISWIFT_ENCRYPT_PASSPHRASE: a.encrypt.passphrase },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await snapshotTree(target)).toEqual(await snapshotTree(source));
    expect(parseJson<{ restored: { files: number } }>(result).restored.files).toBe(5);
  });

  it('is found and restored by the guided wizard on a bare machine (answers front end)', async () => {
    const homeC = join(work, 'gnupg-C');
    homes.push(homeC);
    const target = join(work, 'via-wizard');
    const answers = {
      restore: { from: 'bare', keys: 'import', path: 'etc/app/secret.conf', target },
      keys: { import: { files: `${a.encrypt.asc} ${a.sign.asc}` } },
      container,
    };
    await writeFile(join(work, 'answers.json'), JSON.stringify(answers));
    await mkdir(join(work, 'no-profiles'), { recursive: true });
    const result = await runCli(['restore', '--answers', join(work, 'answers.json'), '--yes', '--config-dir', join(work, 'no-profiles'), '--json'], {
      cleanEnv: true, env: { ...s.demo.env, GNUPGHOME: homeC, DUPLISWIFT_ENCRYPT_PASSPHRASE: a.encrypt.passphrase },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Keys imported/);
    expect(result.stderr).toMatch(/1 chain, 1 point in time/);
    const restored = await snapshotTree(target);
    expect(Object.keys(restored)).toEqual(['etc', 'etc/app', 'etc/app/secret.conf']);
    expect(restored['etc/app/secret.conf']).toEqual((await snapshotTree(source))['etc/app/secret.conf']);
    expect(parseJson<{ restored: { files: number } }>(result).restored.files).toBe(1);
  });

  it('marks the containers that hold duplicity backups', async () => {
    const { auth } = await openBackupStore({ authUrl: s.keystone, username: s.demo.username, userDomainName: 'Default', projectName: 'backup-a', projectDomainName: 'Default', region: s.region }, { password: s.demo.password }, {});
    await fetch(`${auth.endpoint}/${empty}`, { method: 'PUT', headers: { 'x-auth-token': auth.token } });
    const containers = await listBackupContainers(auth, {});
    expect(containers.find((c) => c.name === container)).toMatchObject({ hasBackup: true, lastFull: expect.stringMatching(/^\d{8}T\d{6}Z$/) });
    expect(containers.find((c) => c.name === empty)).toMatchObject({ hasBackup: false });
  });
});

describe('the restore drill', () => {
  it('restores a sample into a temp folder and finds it identical to the live file', async () => {
    const src: BackupSource = {
      location: { kind: 'swift', target: { authUrl: s.keystone, identityVersion: '3', username: s.demo.username, userDomainName: 'Default', projectName: 'backup-a', projectDomainName: 'Default', region: s.region, interface: 'public' }, password: s.demo.password, container },
      gnupgHome: a.gnupgHome, encryptPassphrase: a.encrypt.passphrase, signPassphrase: a.encrypt.passphrase, archiveDir: join(work, 'drill-cache'),
    };
    const report = await drill({ source: src, liveRoot: source, path: 'bin/tool.sh', flagFamily: (await detectDuplicity()).family });
    expect(report).toMatchObject({ ok: true, sample: 'bin/tool.sh', comparison: 'identical' });
  });

  it('as the generated job runs it: OK with the right passphrase, FAILED and non-zero with a wrong one', async () => {
    const dup = await detectDuplicity();
    const fragment = drillScriptFragment({ duplicity: dup.path, family: dup.family, url: `swift://${container}`, source });
    const script = join(work, 'drill.sh');
    await writeFile(script, `${fragment}\ndupliswift_restore_drill\n`, { mode: 0o700 });
    const env = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...swiftEnvFor(s), GNUPGHOME: a.gnupgHome, PASSPHRASE: a.encrypt.passphrase, SIGN_PASSPHRASE: a.encrypt.passphrase };
    const ok = await execa('bash', [script], { env, extendEnv: false, reject: false, stdin: 'ignore' });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^restore drill OK: .+ restored/);
    await killAgentOf(a.gnupgHome);
    const bad = await execa('bash', [script], { env: { ...env, PASSPHRASE: 'wrong', SIGN_PASSPHRASE: 'wrong' }, extendEnv: false, reject: false, stdin: 'ignore' });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/restore drill FAILED/);
    expect(await readFile(script, 'utf8')).not.toContain(a.encrypt.passphrase);
  });
});

/**
 * Keys only once a question has settled, and Enter only once the screen shows their effect: Ink
 * starts listening just after it draws a question, and Enter in the same burst of input as the
 * keys before it would answer with what the screen showed before them.
 */
const settle = () => new Promise((r) => setTimeout(r, 300));

async function moveTo(term: Terminal, steps: number, focused: RegExp): Promise<void> {
  await settle();
  for (let i = 0; i < steps; i++) term.keys('Down');
  await term.waitFor(focused, 10_000);
}

async function typeIn(term: Terminal, text: string): Promise<void> {
  await settle();
  term.type(text);
  await term.waitFor(new RegExp(`│ *${text}\\s*$`, 'm'), 10_000);
}

describe('the browse screen in a real terminal (tmux)', () => {
  it('filters the file list and restores the one file picked', async () => {
    const homeB = join(work, 'gnupg-B');
    homes.push(homeB);
    await importKeyFiles(homeB, await inspectKeyFiles(homeB, [a.encrypt.asc, a.sign.asc]));
    term = Terminal.start(
      `node '${binPath}' restore --container ${container} --project backup-a --auth-url ${s.keystone} --username ${s.demo.username} --user-domain Default --time now --config-dir '${join(work, 'no-profiles')}'`,
      {
        cwd: work, cols: 110, rows: 32,
        env: {
          PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color',
          ...s.demo.env, GNUPGHOME: homeB, DUPLISWIFT_ENCRYPT_PASSPHRASE: a.encrypt.passphrase,
        },
      },
    );
    await term.waitFor('import them from the exported .asc files?', 30_000);
    await moveTo(term, 1, /❯ They are already in/); // the keys are already in this GnuPG home
    term.keys('Enter');
    await term.waitFor('Restore what?', 60_000);
    expect(term.screen()).toMatch(/of 1[0-9] entries match/);
    await moveTo(term, 1, /❯ Filter the list/);
    term.keys('Enter');
    await term.waitFor('Show paths containing', 30_000);
    await typeIn(term, 'secret');
    term.keys('Enter');
    const filtered = await term.waitFor(/\b1 of 1[0-9] entries match/, 30_000);
    expect(filtered).toContain('etc/app/secret.conf');
    await moveTo(term, 2, /❯ etc\/app\/secret\.conf/); // the one match, below "Everything" and the filter line
    term.keys('Enter');
    await term.waitFor('Restore into which folder?', 30_000);
    await settle();
    term.keys('Enter'); // the default: ./restored-<container>, new
    const done = await term.waitFor(/Restored 1 file /, 60_000);
    expect(done).toMatch(/restored-ds-tut/);
    expect(await term.exitCode(10_000)).toBe(0);
    const target = join(work, `restored-${container}`);
    const restored = await snapshotTree(target);
    expect(Object.keys(restored)).toEqual(['etc', 'etc/app', 'etc/app/secret.conf']);
    expect(restored['etc/app/secret.conf']).toEqual((await snapshotTree(source))['etc/app/secret.conf']);
    expect(await readFile(join(target, 'etc/app/secret.conf'), 'utf8')).toBe('token = 42\n');
  });
});
