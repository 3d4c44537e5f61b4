import { describe, expect, it } from 'vitest';
import { parseCollectionStatus, pointsInTime, timeArg } from '../../src/core/restore/collection';
import { fullManifestTime } from '../../src/core/restore/containers';
import { execa } from 'execa';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli';
import { FileIndex, parseListRecord } from '../../src/core/restore/listing';
import { LogFdParser, parseDuplicityTime, unescapeDuplicityPath, type LogRecord } from '../../src/core/duplicity/logfd';
import { normalizeBackupPath, pathFlag } from '../../src/core/restore/restore';
import { timeProblem } from '../../src/core/restore/resolve';
import { openBackupStore, profileInput } from '../../src/core/restore/swift-login';
import { resolveOpenStack } from '../../src/commands/openstack-options';

/** Real --log-fd output of duplicity 0.8.22 (collection-status, then list-current-files), as captured. */
const LOG = `NOTICE 1
. Last full backup date: Thu Nov 26 07:35:08 2026

INFO 3 
backend BackendWrapper
archive-dir (. dir)
chain-no-sig 0
 full 20261120T010000Z 3 enc
 inc 20261121T010000Z 1 enc
chain-complete
 full 20261126T073508Z 1 enc
 inc 20261126T073511Z 1 enc
orphaned-sets-num 0
incomplete-sets-num 1
. Collection Status
. -----------------
. 

INFO 10 20261126T073510Z '.' dir
. Thu Nov 26 07:35:10 2026 .

INFO 10 20200102T030405Z 'a.txt' reg
. Thu Jan  2 03:04:05 2020 a.txt

INFO 10 20261126T073507Z 'dir with space/f n.txt' reg
. Thu Nov 26 07:35:07 2026 dir with space/f n.txt

INFO 10 20261126T073507Z 'caf\\xe9/it\\x27s\\nnew \\u263a \\U0001f600 back\\\\slash' reg
. whatever

INFO 10 20261126T073507Z 'link' sym
. Thu Nov 26 07:35:07 2026 link
`;

function records(text: string): LogRecord[] {
  const out: LogRecord[] = [];
  const parser = new LogFdParser();
  for (const line of text.split('\n')) {
    const r = parser.line(line);
    if (r) out.push(r);
  }
  const open = parser.flush();
  if (open) out.push(open);
  return out;
}

describe('duplicity --log-fd records', () => {
  it('splits records, keeping multi-line control blocks apart from the human text', () => {
    const all = records(LOG);
    expect(all.map((r) => `${r.level} ${r.code}`)).toEqual(['NOTICE 1', 'INFO 3', 'INFO 10', 'INFO 10', 'INFO 10', 'INFO 10', 'INFO 10']);
    expect(all[1]!.control).toContain('chain-complete');
    expect(all[1]!.message[0]).toBe('Collection Status');
  });

  it('undoes duplicity\'s escaping of file names (quotes, newlines, non-ASCII, backslashes)', () => {
    expect(unescapeDuplicityPath("'caf\\xe9/it\\x27s\\nnew \\u263a \\U0001f600 back\\\\slash'")).toBe("café/it's\nnew ☺ 😀 back\\slash");
    expect(unescapeDuplicityPath("'plain name'")).toBe('plain name');
  });

  it('reads the chains and points in time of collection-status', () => {
    const status = parseCollectionStatus(records(LOG)[1]!.control);
    expect(status.chains).toHaveLength(2);
    expect(status.chains.map((c) => c.primary)).toEqual([false, true]);
    expect(status.chains[0]!.sets.map((s) => s.volumes)).toEqual([3, 1]);
    expect(status.incompleteSets).toBe(1);
    const points = pointsInTime(status);
    expect(points.map((p) => p.time.toISOString())).toEqual(['2026-11-26T07:35:11.000Z', '2026-11-26T07:35:08.000Z', '2026-11-21T01:00:00.000Z', '2026-11-20T01:00:00.000Z']);
    expect(timeArg(points[0]!.time)).toBe(String(Date.UTC(2026, 10, 26, 7, 35, 11) / 1000));
  });

  it('lists entries with UTC mtimes and types, skipping the root', () => {
    const entries = records(LOG).map(parseListRecord).filter((e) => e !== undefined);
    expect(entries.map((e) => [e.path, e.type])).toEqual([['a.txt', 'reg'], ['dir with space/f n.txt', 'reg'], ["café/it's\nnew ☺ 😀 back\\slash", 'reg'], ['link', 'sym']]);
    expect(entries[0]!.mtime.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(parseDuplicityTime('garbage')).toBeUndefined();
  });
});

describe('the browse index', () => {
  const index = new FileIndex();
  for (let i = 0; i < 100_000; i++) index.add({ path: `srv/data/dir${i % 100}/file-${i}.txt`, type: 'reg', mtime: new Date(0) });
  index.add({ path: 'etc/Hosts', type: 'reg', mtime: new Date(0) });

  it('filters 100 000 entries by words, any case, capped with a total', () => {
    const started = performance.now();
    const hit = index.filter('hosts ETC');
    expect(hit.entries.map((e) => e.path)).toEqual(['etc/Hosts']);
    const many = index.filter('dir7/', 50);
    expect(many.entries).toHaveLength(50);
    expect(many.total).toBe(1000);
    expect(index.filter('').total).toBe(100_001);
    expect(performance.now() - started).toBeLessThan(5_000); // sanity bound, not a benchmark
  });

});

describe('the job\'s drill reads duplicity\'s escaped names', () => {
  it('turns util.escape output (unicode-escape, \\x27 quotes, surrogate-escaped bytes) back into the name\'s bytes', async () => {
    const names = [Buffer.from('plain.txt'), Buffer.from('ünïcödé ïs fïne – ☃ 𝄞.txt'), Buffer.from('it\'s "q"\ttab\nnl\\back'), Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0xe9, 0xff]), Buffer.from('-dash %b \\x41 trailing ')];
    // duplicity's own escape, as it writes names into the machine log.
    const escaped = await execa('/usr/bin/python3', ['-c', 'import sys, base64\nfrom duplicity import util\nfor a in sys.argv[1:]: print(util.escape(base64.b64decode(a)))', ...names.map((n) => n.toString('base64'))], { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' }, extendEnv: false });
    const lines = escaped.stdout.split('\n');
    expect(lines).toHaveLength(names.length);
    const drillSh = join(repoRoot, 'src/core/schedule/job-sh/drill.sh');
    for (const [i, line] of lines.entries()) {
      const out = await execa('/bin/bash', ['-c', `. "$1"; e=$2; e=\${e#\\'}; drill_unescape "\${e%\\'}"; printf '%s' "$REPLY"`, 'x', drillSh, line], { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' }, extendEnv: false, encoding: 'buffer' });
      expect(Buffer.from(out.stdout).toString('hex'), line).toBe(names[i]!.toString('hex'));
    }
  });
});

describe('restore inputs', () => {
  it('uses --file-to-restore before duplicity 2.0 and --path-to-restore since', () => {
    expect(pathFlag('0.8')).toBe('--file-to-restore');
    expect(pathFlag('2.x')).toBe('--path-to-restore');
    expect(pathFlag('3.x')).toBe('--path-to-restore');
  });

  it('keeps paths inside the backup', () => {
    expect(normalizeBackupPath('./etc//hosts/')).toBe('etc/hosts');
    expect(normalizeBackupPath('.')).toBeUndefined();
    expect(() => normalizeBackupPath('/etc/hosts')).toThrow(/not inside the backup/);
    expect(() => normalizeBackupPath('a/../../x')).toThrow(/not inside the backup/);
  });

  it('accepts the times duplicity takes and names the problem otherwise', () => {
    for (const t of ['1764142509', '2026-11-26', '2026-11-26T07:35:08Z', '3D', '1W2D', 'now']) expect(timeProblem(t)).toBeUndefined();
    expect(timeProblem('yesterday')).toMatch(/epoch seconds/);
  });

  it('builds the OpenStack target from flags over OS_* variables', async () => {
    const { input } = await resolveOpenStack({ region: 'R2' }, { OS_AUTH_URL: 'http://k:5000/v3', OS_USERNAME: 'u', OS_PROJECT_NAME: 'p', OS_USER_DOMAIN_NAME: 'Default', OS_REGION_NAME: 'R1' });
    expect(input).toMatchObject({ authUrl: 'http://k:5000/v3', username: 'u', projectName: 'p', userDomainName: 'Default', region: 'R2' });
    await expect(openBackupStore((await resolveOpenStack({}, {})).input, {}, {})).rejects.toMatchObject({ fix: expect.stringMatching(/OS_AUTH_URL/) });
  });

  it('lays the command line over a profile\'s target: a project name given replaces the saved id', () => {
    const saved = { authUrl: 'http://k:5000/v3', identityVersion: '3' as const, username: 'u', userDomainName: 'Default', projectName: 'p', projectId: 'a'.repeat(32), region: 'R1', interface: 'public' as const };
    expect(profileInput(saved, { region: 'R2', cacert: '/etc/ca.pem' })).toMatchObject({ projectId: 'a'.repeat(32), region: 'R2', cacert: '/etc/ca.pem', interface: 'public' });
    const other = profileInput(saved, { projectName: 'q' });
    expect(other.projectName).toBe('q');
    expect(other.projectId).toBeUndefined();
  });

  it('recognises full-backup manifests among object names', () => {
    expect(fullManifestTime('duplicity-full.20261126T073508Z.manifest.gpg')).toBe('20261126T073508Z');
    expect(fullManifestTime('duplicity-full.20261126T073508Z.manifest')).toBe('20261126T073508Z');
    expect(fullManifestTime('duplicity-full.20261126T073508Z.vol1.difftar.gpg')).toBeUndefined();
    expect(fullManifestTime('duplicity-inc.20261126T073508Z.to.20261126T073511Z.manifest.gpg')).toBeUndefined();
  });
});
