import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDuplicity } from '../../src/core/duplicity/detect';
import { parseJson, runCli } from '../helpers/cli';

describe('the dupliswift command', () => {
  it('prints help naming every command, and its version', async () => {
    const help = await runCli(['--help']);
    expect(help.exitCode).toBe(0);
    for (const command of ['setup', 'restore', 'keys', 'tenants', 'check', 'doctor']) expect(help.stdout).toContain(command);
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    for (const sub of [['keys', 'generate'], ['tenants'], ['check'], ['restore'], ['doctor'], ['setup']]) {
      const r = await runCli([...sub, '--help']);
      expect(r.exitCode, sub.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: dupliswift');
    }
  });

  it('refuses to prompt without a terminal, and says how to run unattended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dupliswift-cli-'));
    const r = await runCli(['setup', '--config-dir', dir]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('--answers');
    expect(r.stderr).toContain('OS_PASSWORD');
    expect(r.stderr).toContain('DUPLISWIFT_ENCRYPT_PASSPHRASE');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects an answers file with unknown keys before touching anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dupliswift-cli-'));
    const file = join(dir, 'answers.json');
    writeFileSync(file, JSON.stringify({ profile: 'x', contaner: 'typo' }));
    const r = await runCli(['setup', '--answers', file, '--yes', '--json', '--config-dir', join(dir, 'cfg')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown key "contaner"');
    expect(parseJson<{ error: { code: string } }>(r).error.code).toBe('usage');
    expect(readdirSync(dir)).toEqual(['answers.json']);
  });

  it('says clearly when the answers file is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dupliswift-cli-'));
    const file = join(dir, 'answers.json');
    writeFileSync(file, '{ profile: nightly');
    const r = await runCli(['setup', '--answers', file, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/is not a JSON object/);
  });

  it('doctor reports every check as JSON and passes on this machine', async () => {
    const r = await runCli(['doctor', '--json']);
    const report = parseJson<{ ok: boolean; checks: { id: string; status: string }[]; duplicityFlags: string }>(r);
    expect(report.checks.map((c) => c.id)).toEqual(['gpg', 'duplicity', 'swiftclient', 'keystoneclient', 'scheduler', 'secret-service', 'gpg-agent']);
    expect(report.ok, r.stdout).toBe(true);
    expect(r.exitCode).toBe(0);
    expect(report.duplicityFlags).toBe((await detectDuplicity()).family);
  });

  it('doctor fails, with the fix, when gpg-agent forbids loopback pinentry', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dupliswift-gnupg-'));
    writeFileSync(join(home, 'gpg-agent.conf'), 'default-cache-ttl 600\nno-allow-loopback-pinentry\n');
    const r = await runCli(['doctor'], { env: { GNUPGHOME: home } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('no-allow-loopback-pinentry');
    expect(r.stdout).toContain(`Remove that line from ${home}/gpg-agent.conf`);
  });

  it('doctor names the package to install when duplicity is missing', async () => {
    // duplicity is found where the job looks for it, not on PATH: point that at nothing.
    const r = await runCli(['doctor', '--json'], { env: { PATH: '/nonexistent', DUPLISWIFT_DUPLICITY: '/nonexistent/duplicity' }, cleanEnv: true });
    const report = parseJson<{ ok: boolean; checks: { id: string; status: string; fix?: { apt?: string; dnf?: string } }[] }>(r);
    expect(r.exitCode).toBe(1);
    const dup = report.checks.find((c) => c.id === 'duplicity')!;
    expect(dup.status).toBe('missing');
    expect(dup.fix).toEqual({ apt: 'apt-get install duplicity', dnf: 'dnf install duplicity' });
  });
});

describe('the preflight summary', () => {
  it('shows a required problem with its fixes and an optional one on a single line', async () => {
    const { formatSummary } = await import('../../src/core/doctor/format');
    const lines = formatSummary({
      ok: false,
      checks: [
        { id: 'gpg', title: 'GnuPG', status: 'ok', required: true, version: '2.2.40', detail: 'gpg 2.2.40' },
        { id: 'duplicity', title: 'duplicity', status: 'missing', required: true, detail: 'duplicity was not found on PATH.', fix: { apt: 'apt-get install duplicity', dnf: 'dnf install duplicity' } },
        { id: 'secret-service', title: 'Keyring', status: 'warning', required: false, detail: 'No D-Bus session.', fix: { apt: 'apt-get install gnome-keyring dbus' } },
      ],
    });
    expect(lines).toEqual([
      '✔ GnuPG 2.2.40',
      '✖ duplicity: duplicity was not found on PATH.',
      '    Debian/Ubuntu: apt-get install duplicity',
      '    Fedora/RHEL:   dnf install duplicity',
      '⚠ Keyring: No D-Bus session.',
    ]);
  });
});
