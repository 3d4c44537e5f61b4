/**
 * `dupliswift setup --answers FILE --yes` checks the whole file before the first side effect: with
 * keys.generate and one bad or missing answer anywhere (a Schedule-step cron, the Keystone user
 * name…), the run fails at once and leaves the GnuPG home (its keys counted by gpg), the export
 * folder (listed), Swift (the containers listed) and the profile folder (stat'ed) as they were.
 * A good file, by contrast, changes all four: the same measurements see it. Real gpg, Keystone, Swift.
 * Setup runs as a throwaway user (its crontab, its unit folder; no /etc/cron.d), so even the good
 * run's install: "none" touches no schedule of this machine's.
 */
import { execa } from 'execa';
import { chmod, chown, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath } from '../helpers/cli';
import { throwawayUser } from '../helpers/crontab';
import { makeSource, stackUp, swiftDelete, type StackEnv } from '../helpers/backup-job';

let stack: StackEnv;
let user: Awaited<ReturnType<typeof throwawayUser>>;
let root: string;
let source: string;
const profile = `dsw-first-${process.pid}`;
const container = `dsw-first-${process.pid}-${Date.now()}`;
const paths = () => ({ gnupg: join(root, 'gnupg'), exportDir: join(root, 'keys-export'), cfg: join(root, 'cfg') });

/** A command as the throwaway user, in a clean environment as cron gives. */
function asUser(command: string, args: string[], env: Record<string, string | undefined> = {}) {
  return execa('/usr/bin/setpriv', ['--reuid', String(user.uid), '--regid', String(user.uid), '--clear-groups', '--', command, ...args], {
    env: { PATH: '/usr/bin:/bin', HOME: root, USER: user.name, LOGNAME: user.name, LANG: 'C.UTF-8', ...env }, extendEnv: false, reject: false, stdin: 'ignore', cwd: root, timeout: 240_000,
  });
}

async function keysIn(home: string): Promise<number> {
  // As the user: a listing by root would leave root-owned files in the user's GnuPG home.
  const r = await asUser('/usr/bin/gpg', ['--homedir', home, '--batch', '--with-colons', '--list-secret-keys']);
  return r.stdout.split('\n').filter((l) => l.startsWith('sec:')).length;
}

let swift: { url: string; token: string } | undefined;

/** The project's containers, straight from Swift's API (the swift CLI takes seconds to start under load). */
async function containers(): Promise<string[]> {
  if (!swift) {
    const auth = await fetch(`${stack.OS_AUTH_URL.replace(/\/v3\/?$/, '')}/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name: stack.OS_USERNAME, domain: { name: stack.OS_USER_DOMAIN_NAME }, password: stack.OS_PASSWORD } } },
        scope: { project: { name: stack.OS_PROJECT_NAME, domain: { name: stack.OS_PROJECT_DOMAIN_NAME } } },
      } }),
    });
    expect(auth.status).toBe(201);
    const body = await auth.json() as { token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> } };
    const url = body.token.catalog.find((c) => c.type === 'object-store')!.endpoints.find((e) => e.interface === 'public')!.url;
    swift = { url, token: auth.headers.get('x-subject-token')! };
  }
  const r = await fetch(`${swift.url}?format=json`, { headers: { 'x-auth-token': swift.token } });
  expect([200, 204]).toContain(r.status);
  return r.status === 204 ? [] : ((await r.json()) as Array<{ name: string }>).map((c) => c.name);
}

/** What a failed run must not change: keys in GnuPG, the export folder, our container, the profile folder. */
async function snapshot() {
  const p = paths();
  const cfg = await stat(p.cfg);
  return {
    keys: await keysIn(p.gnupg),
    exportDir: await readdir(p.exportDir).catch((e: NodeJS.ErrnoException) => e.code),
    container: (await containers()).includes(container),
    cfg: { entries: await readdir(p.cfg), mtimeMs: cfg.mtimeMs },
    profileDir: await stat(join(p.cfg, profile)).then(() => 'exists', (e: NodeJS.ErrnoException) => e.code),
  };
}

function answers(overrides: (a: Record<string, any>) => void = () => {}) {
  const p = paths();
  const a: Record<string, any> = {
    profile, source, exclude: [join(source, 'tmp')], gnupgHome: p.gnupg,
    keys: { generate: { name: 'First Check', email: 'first@example.org' } },
    export: { dir: p.exportDir },
    openstack: { authUrl: stack.OS_AUTH_URL, username: stack.OS_USERNAME, userDomain: stack.OS_USER_DOMAIN_NAME, project: stack.OS_PROJECT_NAME, projectDomain: stack.OS_PROJECT_DOMAIN_NAME, region: stack.OS_REGION_NAME, interface: 'public' },
    container, createContainer: true,
    schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 2, drill: 'off' },
    secrets: 'file', install: 'none', firstRun: false,
  };
  overrides(a);
  return a;
}

async function setup(a: Record<string, unknown>, env: Record<string, string | undefined> = {}) {
  const file = join(root, `answers-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(a));
  await chown(file, user.uid, user.uid);
  // A clean environment, as cron's: no OS_* from the shell running the tests answers anything.
  const r = await asUser(process.execPath, [binPath, 'setup', '--answers', file, '--yes', '--json', '--config-dir', paths().cfg], {
    OS_PASSWORD: stack.OS_PASSWORD, DUPLISWIFT_ENCRYPT_PASSPHRASE: 'first check encrypt words', DUPLISWIFT_SIGN_PASSPHRASE: 'first check sign words', ...env,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(async () => {
  [stack, user] = await Promise.all([stackUp(), throwawayUser('dswfirst')]);
  root = user.home;
  // The source inside the user's home, readable by them.
  const made = await makeSource();
  source = join(root, 'data');
  await execa('cp', ['-a', `${made}/.`, source]);
  await rm(made, { recursive: true, force: true });
  await mkdir(paths().gnupg, { mode: 0o700 });
  await chmod(paths().gnupg, 0o700);
  await mkdir(paths().cfg, { mode: 0o700 });
  await execa('chown', ['-R', `${user.name}:`, root]);
});

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await execa('pkill', ['-u', user?.name ?? 'nobody-here', 'gpg-agent'], { reject: false });
  await user?.remove();
});

describe('setup --answers: every answer checked before anything is touched', () => {
  const bad: Array<[string, (a: Record<string, any>) => void, RegExp, Record<string, string | undefined>?]> = [
    ['a missing openstack.username', (a) => { delete a.openstack.username; }, /"openstack\.username" has no answer/],
    ['a cron minute of 61', (a) => { a.schedule.cron = '61 * * * *'; }, /"schedule\.cron": .*61 is out of range \(0-59\)/],
    ['a source that is not a folder', (a) => { a.source = join(root, 'nowhere'); a.exclude = []; }, /"source": .* is not a folder/],
    ['an exclusion outside the source', (a) => { a.exclude = ['/etc']; }, /"exclude": "\/etc" is not inside the source/],
    ['a drill that is not a schedule', (a) => { a.schedule.drill = 'monthly'; }, /"schedule\.drill": .*five/],
    ['an alert address that is not one', (a) => { a.schedule.alertMail = 'ops team'; }, /"schedule\.alertMail": .*not one e-mail address/],
    ['a container name with a slash', (a) => { a.container = 'a/b'; }, /"container": .*contains "\/"/],
    ['a volume of 100000 MB', (a) => { a.schedule.volsize = 100000; }, /"schedule\.volsize": 100000 MB is more than a volume can be.*at most 5000/],
    ['keyring secrets with a crontab schedule', (a) => { a.secrets = 'keyring'; a.install = 'crontab'; }, /keyring cannot go with a crontab schedule/],
    ['no OS_PASSWORD', () => {}, /OS_PASSWORD is not set/, { OS_PASSWORD: undefined }],
    ['a passphrase variable missing', () => {}, /DUPLISWIFT_SIGN_PASSPHRASE is not set/, { DUPLISWIFT_SIGN_PASSPHRASE: undefined }],
  ];

  for (const [what, change, message, env] of bad) {
    it(`${what}: refused at once, naming it; GnuPG, the export folder, Swift and the profile folder unchanged`, async () => {
      const before = await snapshot();
      const r = await setup(answers(change), env);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/nothing was touched/);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'usage' } });
      expect(await snapshot()).toEqual(before);
    });
  }

  it('names every problem at once', async () => {
    const r = await setup(answers((a) => { a.schedule.cron = '61 * * * *'; delete a.openstack.username; a.schedule.volsize = 100000; }));
    expect(r.exitCode).toBe(2);
    for (const key of ['schedule.cron', 'openstack.username', 'schedule.volsize']) expect(r.stderr).toContain(`"${key}"`);
  });

  it('a good file goes ahead, and the same measurements see keys, export, container and profile folder appear', async () => {
    const before = await snapshot();
    expect(before).toMatchObject({ keys: 0, exportDir: 'ENOENT', container: false, profileDir: 'ENOENT' });
    const r = await setup(answers());
    expect(r.exitCode, r.stderr).toBe(0);
    const after = await snapshot();
    expect(after).toMatchObject({ keys: 2, container: true, profileDir: 'exists' });
    expect(after.exportDir).toEqual(expect.arrayContaining([expect.stringMatching(/\.asc$/)]));
  });
});
