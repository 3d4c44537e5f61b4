import { existingExportFiles } from '../../core/keys/export';
import { resolveGnupgHome } from '../../core/keys/gnupg';
import { UsageError } from '../../core/errors';
import { TOOL_PATH } from '../../core/duplicity/detect';
import { which } from '../../core/exec';
import { checkPrivateDir } from '../../core/fs/atomic-write';
import { authUrlProblem } from '../../core/openstack/discovery';
import { gatherPrefill } from '../../core/openstack/os-env';
import { containerNameProblem } from '../../core/openstack/swift';
import { loadProfile } from '../../core/profile/load';
import { checkProfileName } from '../../core/profile/paths';
import type { Profile } from '../../core/profile/types';
import { cronProblem } from '../../core/schedule/cron-expression';
import { lookup } from '../../prompt/answers/answers-prompter';
import type { FlowContext } from '../context';
import { defaultExportDir, expandPath } from '../keys/export';
import { PASSPHRASE_ENV } from '../keys/passphrases';
import {
  alertMailProblem, drillProblem, excludeProblem, fullEveryProblem, installForUserProblem, pingUrlProblem, positiveInt,
  secretsForInstallProblem, sourceProblem, volsizeProblem,
} from './answer-checks';

/**
 * An answers file is checked whole before the first step touches anything: every answer the run will
 * need is there (or has a default under --yes), and every value passes the same checks the wizard
 * runs as a person types. Otherwise a bad cron field in the Schedule step would be found after keys
 * were generated and exported and the container created.
 *
 * `answerProblems` is pure; `gatherAnswerFacts` does the few reads it needs (never a write).
 */

/** What the check needs to know about this machine, read beforehand. */
export interface AnswerFacts {
  uid: number;
  env: NodeJS.ProcessEnv;
  /** Keystone settings from OS_*, an openrc or clouds.yaml: they answer authUrl and username. */
  prefill: { authUrl?: string; username?: string };
  /** The profile of that name already on disk (its answers are the defaults). */
  existing?: Pick<Profile, 'source' | 'exclude'>;
  /** The source path (answer or default) is an existing folder. */
  sourceIsDir: boolean;
  /** The export folder: a problem with it (not private, not a folder), and the export files already in it. */
  exportDir?: { path: string; problem?: string; clashes: string[] };
  tools: { mail: boolean; curl: boolean; flock: boolean };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** The values the run will use, each the answer or (with --yes) the question's default. */
export function effectiveAnswers(answers: Record<string, unknown>, yes: boolean, facts: Pick<AnswerFacts, 'env' | 'prefill' | 'existing'>) {
  const missing: string[] = [];
  const pick = (id: string, fallback: string | undefined): string | undefined => {
    const v = lookup(answers, id);
    if (v !== undefined) return Array.isArray(v) ? v.map(String).join('\n') : str(v);
    if (yes && fallback !== undefined) return fallback;
    missing.push(id);
    return undefined;
  };
  const keysAnswer = lookup(answers, 'keys') as { generate?: Record<string, unknown>; encrypt?: string; sign?: string } | undefined;
  const generate = keysAnswer ? Boolean(keysAnswer.generate) : yes;
  if (!keysAnswer && !yes) missing.push('keys');
  return {
    missing,
    pick,
    generate,
    sameKey: !generate && keysAnswer?.encrypt !== undefined && keysAnswer.encrypt.toUpperCase().replace(/^0X/, '') === keysAnswer.sign?.toUpperCase().replace(/^0X/, ''),
    // Several folders ("sources", checked by core/sources/answers-check) back up / through a filelist.
    source: Array.isArray(lookup(answers, 'sources')) ? '/' : pick('source', facts.existing?.source),
  };
}

/** Every problem with the answers, in words naming the key and the fix; empty when the run may start. */
export function answerProblems(answers: Record<string, unknown>, yes: boolean, facts: AnswerFacts): string[] {
  const problems: string[] = [];
  const e = effectiveAnswers(answers, yes, facts);
  const check = (id: string, value: string | undefined, problem: (v: string) => string | undefined) => {
    if (value === undefined) return;
    const p = problem(value);
    if (p) problems.push(`"${id}": ${p}`);
  };

  check('gnupgHome', e.pick('gnupgHome', resolveGnupgHome(facts.env)), (v) => (v.trim().startsWith('/') ? undefined : 'Give an absolute path.'));
  if (e.generate) {
    check('keys.generate.name', e.pick('keys.generate.name', undefined), (v) => (!v.trim() ? 'Type a name.' : /[<>]/.test(v) ? 'A name cannot contain < or >.' : undefined));
    check('keys.generate.email', e.pick('keys.generate.email', undefined), (v) => (/^[^@\s<>]+@[^@\s<>]+$/.test(v.trim()) ? undefined : 'Give an e-mail address such as backup@example.org.'));
  }
  for (const [role, name] of Object.entries(PASSPHRASE_ENV)) {
    if (role === 'sign' && e.sameKey) continue;
    const value = facts.env[name];
    if (value === undefined) problems.push(`${name} is not set: the ${role === 'encrypt' ? 'encryption' : 'signing'} key's passphrase comes from it (export it; an empty value means no passphrase${e.generate ? '' : ' and must be right for the key'}).`);
    else if (/[\r\n]/.test(value)) problems.push(`${name}: a passphrase cannot contain a line break.`);
  }

  const exportDir = e.pick('export.dir', e.generate ? defaultExportDir(facts.env) : '');
  if (exportDir !== undefined) {
    if (!exportDir.trim() && e.generate) problems.push('"export.dir": new keys must be exported: give a folder.');
    if (exportDir.trim()) {
      e.pick('export.paper', 'false');
      if (facts.exportDir?.problem) problems.push(`"export.dir": ${facts.exportDir.problem}`);
      else if (facts.exportDir?.clashes.length && lookup(answers, 'export.overwrite') !== true) {
        problems.push(`"export.dir": ${facts.exportDir.path} already holds an export (${facts.exportDir.clashes.join(', ')}); pick another folder or move those files away first.`);
      }
    }
  }

  check('openstack.authUrl', e.pick('openstack.authUrl', facts.prefill.authUrl), authUrlProblem);
  // An application credential is scoped: no user name or domain is asked (unless it is named, which
  // needs its owner), and its secret has a variable of its own.
  const appCredential = (str(lookup(answers, 'openstack.authType')) ?? facts.env.OS_AUTH_TYPE) === 'v3applicationcredential';
  const byName = appCredential && !lookup(answers, 'openstack.applicationCredentialId') && !facts.env.OS_APPLICATION_CREDENTIAL_ID;
  if (!appCredential || byName) {
    check('openstack.username', e.pick('openstack.username', facts.prefill.username), (v) => (v.trim() ? undefined : 'The user name cannot be empty.'));
    const v2 = lookup(answers, 'openstack.identityVersion') === '2.0' || /\/v2\.0\/?$/.test(str(lookup(answers, 'openstack.authUrl')) ?? facts.prefill.authUrl ?? '');
    if (!v2) check('openstack.userDomain', e.pick('openstack.userDomain', 'Default'), (v) => (v.trim() ? undefined : 'The domain cannot be empty.'));
  }
  if (appCredential) {
    if (!facts.env.OS_APPLICATION_CREDENTIAL_SECRET) problems.push('OS_APPLICATION_CREDENTIAL_SECRET is not set (or empty): the application credential\'s secret comes from it (export it; never put it in the answers file).');
  } else if (!facts.env.OS_PASSWORD) problems.push('OS_PASSWORD is not set (or empty): the OpenStack password comes from it (export it; never put it in the answers file).');
  check('container', e.pick('container', 'backup'), containerNameProblem);

  check('profile', e.pick('profile', 'nightly'), (v) => checkProfileName(v));
  check('source', e.source, sourceProblem);
  if (e.source !== undefined && !sourceProblem(e.source) && !facts.sourceIsDir) problems.push(`"source": ${e.source.trim()} is not a folder; give the absolute path of an existing folder to back up.`);
  const exclude = lookup(answers, 'exclude');
  if (exclude === undefined && !yes) e.missing.push('exclude');
  const excludeList = Array.isArray(exclude) ? exclude.map(String) : typeof exclude === 'string' ? exclude.split(/\n|,\s*/).map((x) => x.trim()).filter(Boolean) : facts.existing?.exclude ?? [];
  const excluded = excludeProblem(excludeList, e.source?.trim());
  if (excluded) problems.push(`"exclude": ${excluded}`);
  check('schedule.cron', e.pick('schedule.cron', '17 3 * * *'), cronProblem);
  check('schedule.fullEvery', e.pick('schedule.fullEvery', '7D'), fullEveryProblem);
  check('schedule.keepFull', e.pick('schedule.keepFull', '4'), positiveInt);
  check('schedule.volsize', e.pick('schedule.volsize', '200'), volsizeProblem);
  const mail = e.pick('schedule.alertMail', '');
  check('schedule.alertMail', mail, alertMailProblem);
  if (mail?.trim() && !alertMailProblem(mail) && !facts.tools.mail) problems.push('"schedule.alertMail": the mail command is missing: apt-get install bsd-mailx (or mailutils), with a working MTA, or leave alertMail empty.');
  const ping = e.pick('schedule.pingUrl', '');
  check('schedule.pingUrl', ping, pingUrlProblem);
  if (ping?.trim() && !pingUrlProblem(ping) && !facts.tools.curl) problems.push('"schedule.pingUrl": curl is missing: apt-get install curl, or leave pingUrl empty.');
  check('schedule.drill', e.pick('schedule.drill', '41 4 1 * *'), drillProblem);
  if (!facts.tools.flock) problems.push('flock is missing (the job takes its lock with it): apt-get install util-linux.');

  const secrets = (e.pick('secrets', 'file') ?? 'file') as Profile['secrets'];
  const install = (e.pick('install', secrets === 'keyring' ? 'none' : 'crontab') ?? 'none') as Profile['install'];
  const combined = secretsForInstallProblem(secrets, install);
  if (combined) problems.push(combined);
  const forUser = installForUserProblem(install, facts.uid);
  if (forUser) problems.push(`"install": ${forUser}`);
  e.pick('firstRun', 'true');

  for (const id of e.missing) problems.push(`"${id}" has no answer${yes ? ' and no default' : ''}: add it to the answers file${yes ? '' : ', or pass --yes to accept the defaults'}.`);
  return problems;
}

/** The reads `answerProblems` needs: the existing profile, the source folder, the export folder, tools. */
export async function gatherAnswerFacts(ctx: FlowContext, answers: Record<string, unknown>, yes: boolean): Promise<AnswerFacts> {
  const { env } = ctx;
  const uid = process.getuid?.() ?? 1000;
  const prefill = await gatherPrefill({ env, openrc: ctx.openstackFrom?.openrc, cloud: ctx.openstackFrom?.cloud });
  const name = str(lookup(answers, 'profile')) ?? 'nightly';
  const existing = checkProfileName(name) ? undefined : await loadProfile(name, ctx.configDir, { env, uid }).catch(() => undefined);
  const partial = effectiveAnswers(answers, yes, { env, prefill: prefill.input, existing });
  const { stat } = await import('node:fs/promises');
  const sourceIsDir = partial.source ? Boolean((await stat(partial.source.trim()).catch(() => undefined))?.isDirectory()) : false;
  let exportDir: AnswerFacts['exportDir'];
  const dirAnswer = str(lookup(answers, 'export.dir')) ?? (partial.generate ? defaultExportDir(env) : '');
  if (dirAnswer.trim()) {
    const path = expandPath(dirAnswer, env);
    const problem = await checkPrivateDir(path).then(() => undefined, (error: Error) => error.message);
    exportDir = { path, problem, clashes: problem ? [] : await existingExportFiles(path, lookup(answers, 'export.paper') === true) };
  }
  const has = async (tool: string) => Boolean(await which(tool, { PATH: TOOL_PATH }));
  const [mail, curl, flock] = await Promise.all([has('mail'), has('curl'), has('flock')]);
  return { uid, env, prefill: { authUrl: prefill.input.authUrl, username: prefill.input.username }, existing, sourceIsDir, exportDir, tools: { mail, curl, flock } };
}

/** `over` laid on `base`, object by object: what the answers file says wins, the rest stays. */
export function layAnswers(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const plain = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = plain(b) && plain(v) ? layAnswers(b, v) : v;
  }
  return out;
}

/**
 * Refuses the run, naming every problem at once, when the answers file would fail part-way. Setup
 * again on a profile (`seed`): the profile's own answers stand where the file says nothing.
 */
export async function checkAnswersFirst(ctx: FlowContext, seed?: Record<string, unknown>): Promise<void> {
  if (!ctx.answers) return;
  const { yes, source } = ctx.answers;
  const values = seed ? layAnswers(seed, ctx.answers.values) : ctx.answers.values;
  const problems = answerProblems(values, yes, await gatherAnswerFacts(ctx, values, yes));
  if (problems.length === 0) return;
  throw new UsageError(
    `The ${source} would fail part-way; nothing was touched:\n  - ${problems.join('\n  - ')}`,
    'Fix those answers (and environment variables), then run setup again.',
  );
}
