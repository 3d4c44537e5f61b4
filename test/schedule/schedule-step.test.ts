/**
 * The Schedule step through the answers front end, with the Keys/Keystone/Container parts of the
 * state filled as those steps leave them; real gpg, duplicity and Swift.
 */
import { profileSnapshot } from '../helpers/profile-snapshot';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowContext } from '../../src/flows/context';
import { scheduleStep } from '../../src/flows/setup/schedule';
import type { SetupState } from '../../src/flows/setup/state';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';
import { loadProfile } from '../../src/core/profile/load';
import { failureOf } from '../../src/core/schedule/first-run';
import { makeSource, makeTestKeys, stackUp, swiftDelete, targetOf, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { throwawayUser } from '../helpers/crontab';

let stack: StackEnv;
let keys: TestKeys;
let source: string;
let configDir: string;
let user: Awaited<ReturnType<typeof throwawayUser>>;
let targets: NonNullable<FlowContext['scheduleTargets']>;
// A name of its own, and schedules sent to a throwaway user and folders: this machine's own
// profiles ("nightly" above all) are never touched, even by install: "none" taking a schedule out.
const PROFILE = `dsw-step-${process.pid}`;
const container = `dsw-step-${process.pid}-${Date.now()}`;
const logs: string[] = [];

function stateFor(answers: Record<string, unknown>): SetupState {
  const env = { ...process.env, HOME: '/root' };
  const ctx: FlowContext = {
    prompt: new AnswersPrompter({ answers, env, yes: true, log: (l) => logs.push(l), source: 'answers file test.json' }),
    env, signal: new AbortController().signal, configDir, scheduleTargets: targets,
  };
  return {
    ctx,
    keys: { encrypt: keys.encrypt, sign: keys.sign, generated: false, gnupgHome: keys.home, encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase },
    openstack: { target: targetOf(stack), password: stack.OS_PASSWORD },
    container,
  };
}


beforeAll(async () => {
  [stack, keys, source, user] = await Promise.all([stackUp(), makeTestKeys(), makeSource(), throwawayUser('dswstep')]);
  configDir = await mkdtemp(join(tmpdir(), 'dsw-step-cfg-'));
  targets = { crontabUser: user.name, cronDDir: join(configDir, 'cron.d'), unitDir: join(configDir, 'units') };
});

afterAll(async () => {
  await swiftDelete(stack, container).catch(() => undefined);
  await Promise.all([keys?.cleanup(), user?.remove(), rm(source, { recursive: true, force: true }), rm(configDir, { recursive: true, force: true })]);
});

describe('Schedule step', () => {
  const answers = (firstRun: boolean) => ({
    profile: PROFILE, exclude: [] as string[], secrets: 'file', install: 'none', firstRun,
    schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 2 },
  });

  it('writes the profile folder, runs the first backup as cron would, and proves it with a test restore', async () => {
    const state = stateFor({ ...answers(true), source, exclude: [join(source, 'tmp')] });
    await scheduleStep.run(state);
    const dir = join(configDir, PROFILE);
    expect(state.result).toMatchObject({ profileDir: dir, script: join(dir, 'backup.sh'), firstRun: { exitCode: 0, identical: true, chains: 1 } });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const files = await profileSnapshot(dir);
    expect(files['backup.sh']!.mode).toBe(0o700);
    expect(files['profile.json']!.mode).toBe(0o600);
    expect(files['exclude.txt']!.bytes).toBe(`${join(source, 'tmp')}\n`);
    for (const name of ['encrypt-passphrase', 'sign-passphrase', 'swift-password']) expect(files[`secrets/${name}`]!.mode).toBe(0o600);
    expect(files['secrets/sign-passphrase']!.bytes).toBe(keys.signPassphrase);
    for (const [rel, f] of Object.entries(files)) {
      if (rel.startsWith('secrets/')) continue;
      for (const secret of [keys.encryptPassphrase, keys.signPassphrase, stack.OS_PASSWORD]) expect(f.bytes, rel).not.toContain(secret);
    }
    expect(files['RESTORE.txt']!.bytes).toContain(`dupliswift restore --profile ${PROFILE}`);
    const profile = await loadProfile(PROFILE, configDir);
    expect(profile).toMatchObject({ name: PROFILE, container, keys: { encrypt: keys.encrypt, sign: keys.sign }, schedule: { keepFull: 2, volsize: 200 }, tools: { duplicity: '/usr/bin/duplicity' } });
    // No "schedule.drill" in the answers, and --yes: the monthly restore drill, kept in the profile.
    expect(profile.schedule.drill).toBe('41 4 1 * *');
    expect(state.result).toMatchObject({ drill: '41 4 1 * *' });
    expect(files['backup.sh']!.bytes).toMatch(/^  drill\) drill ;;$/m);
    expect(logs.join('\n')).toMatch(/Test restore of .* matches the original byte for byte/);
    // Progress from duplicity's --log-fd: bytes processed against the source's size.
    expect(logs.join('\n')).toMatch(/\d+(\.\d)? [KMG]?i?B of \d+(\.\d)? [KMG]?i?B processed/);
  });

  it('is idempotent: the same answers again leave every file byte-identical and untouched', async () => {
    const dir = join(configDir, PROFILE);
    const before = await profileSnapshot(dir);
    const state = stateFor({ ...answers(false), source, exclude: [join(source, 'tmp')] });
    await scheduleStep.run(state);
    expect(await profileSnapshot(dir)).toEqual(before);
    expect(state.result).toMatchObject({ changed: false });
  });

  it('takes "off" for the drill, and refuses a drill that is not a cron schedule', async () => {
    const state = stateFor({ ...answers(false), source, exclude: [join(source, 'tmp')], schedule: { ...answers(false).schedule, drill: 'off' } });
    await scheduleStep.run(state);
    expect((await loadProfile(PROFILE, configDir)).schedule.drill).toBe('off');
    expect(state.result).toMatchObject({ drill: 'off' });
    const bad = stateFor({ ...answers(false), profile: `${PROFILE}-other`, source, schedule: { ...answers(false).schedule, drill: 'monthly' } });
    await expect(scheduleStep.run(bad)).rejects.toThrow(/schedule\.drill.*five/);
    await expect(stat(join(configDir, `${PROFILE}-other`))).rejects.toThrow();
  });

  it('keyring secrets get no schedule: cron or systemd could never unlock the keyring, so every run would exit 78', async () => {
    for (const install of ['crontab', 'systemd', 'cron.d']) {
      const state = stateFor({ ...answers(false), profile: `${PROFILE}-other`, source, secrets: 'keyring', install });
      await expect(scheduleStep.run(state)).rejects.toThrow(/keyring cannot go with a .* schedule/);
      await expect(stat(join(configDir, `${PROFILE}-other`))).rejects.toThrow();
    }
    // A job that does stop at its own setup check (exit 78) is said to be one, not "duplicity failed (code 78)".
    const said = failureOf({ exitCode: 78, problems: [], stderr: 'dupliswift p: the keyring did not give encrypt-passphrase (locked?)\n' }, '/x/backup.log');
    expect(said.message).toBe('The backup job stopped before duplicity ran (exit 78, a setup problem): the keyring did not give encrypt-passphrase (locked?).');
  });

  it('refuses a bad answer before writing anything', async () => {
    const state = stateFor({ ...answers(false), profile: `${PROFILE}-other`, source, schedule: { cron: '61 3 * * *' } });
    await expect(scheduleStep.run(state)).rejects.toThrow(/schedule\.cron.*out of range/);
    await expect(stat(join(configDir, `${PROFILE}-other`))).rejects.toThrow();
  });
});
