import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerStep } from '../../src/flows/setup/container';
import { keystoneStep } from '../../src/flows/setup/keystone';
import type { SetupState } from '../../src/flows/setup/state';
import { runSteps } from '../../src/flows/run-steps';
import { AnswersPrompter } from '../../src/prompt/answers/answers-prompter';
import type { ConfirmQuestion, Prompter, ReportProgress, SecretQuestion, SelectQuestion, TextQuestion } from '../../src/prompt/port';
import { stack, type Stack } from '../helpers/stack';

// The wizard's Keystone and Container steps against the real stack: once through the answers front
// end (as `setup --answers`), once through a scripted "person" who mistypes the password first.

let s: Stack;
const containers: { project: string; container: string; user: 'demo' | 'ops' }[] = [];
const run = `${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  s = await stack();
});

afterAll(async () => {
  const { login } = await import('../../src/core/openstack/connect');
  for (const c of containers) {
    const u = c.user === 'demo' ? { username: 'demo', userDomainName: 'Default', password: s.demo.password } : { username: 'opsuser', userDomainName: 'ops', password: s.ops.password };
    const session = await login({ authUrl: s.keystone, ...u }, { password: u.password }, {});
    const scoped = await session.scope(session.projects.find((p) => p.name === c.project)!);
    const ep = scoped.endpoints.find((e) => e.type === 'object-store' && e.interface === 'public')!;
    await fetch(`${ep.url}/${c.container}`, { method: 'DELETE', headers: { 'X-Auth-Token': scoped.token } });
  }
});

function state(prompt: Prompter, env: NodeJS.ProcessEnv): SetupState {
  return { ctx: { prompt, env, signal: new AbortController().signal } };
}

describe('Keystone + Container steps, answers file', () => {
  it('fills state.openstack and state.container; the project comes from the answers, the password from OS_PASSWORD', async () => {
    const log: string[] = [];
    const container = `wizard-${run}`;
    const env = { OS_PASSWORD: s.demo.password };
    const prompt = new AnswersPrompter({
      answers: { openstack: { authUrl: 'http://127.0.0.1:5000', username: 'demo', userDomain: 'Default', project: 'backup-b', interface: 'public' }, container, createContainer: true },
      env, yes: false, log: (l) => log.push(l), source: 'answers file',
    });
    const st = state(prompt, env);
    await runSteps(prompt, [keystoneStep, containerStep], st);
    containers.push({ project: 'backup-b', container, user: 'demo' });
    expect(st.openstack?.target).toMatchObject({
      authUrl: 'http://127.0.0.1:5000/v3', identityVersion: '3', username: 'demo', userDomainName: 'Default',
      projectName: 'backup-b', projectDomainName: 'Default', region: 'RegionOne', interface: 'public',
    });
    expect(st.openstack?.password).toBe(s.demo.password);
    expect(st.container).toBe(container);
    expect(log.join('\n')).toMatch(/Container ".*" works/);
    expect(log.join('\n')).not.toContain(s.demo.password);
  });

  it('stops with the error (no retry loop) when the answers are wrong', async () => {
    const env = { OS_PASSWORD: 'wrong' };
    const prompt = new AnswersPrompter({ answers: { openstack: { authUrl: s.keystone, username: 'demo', userDomain: 'Default' } }, env, yes: true, log: () => {}, source: 'answers file' });
    await expect(runSteps(prompt, [keystoneStep], state(prompt, env))).rejects.toMatchObject({ code: 'auth' });
  });
});

/** A person, scripted: answers by question id, in order; records what was asked and shown. */
class ScriptedPerson implements Prompter {
  readonly kind = 'plain' as const;
  asked: string[] = [];
  shown: string[] = [];
  constructor(private readonly script: Record<string, unknown[]>) {}
  private next(id: string, fallback?: unknown): unknown {
    this.asked.push(id);
    const queue = this.script[id];
    if (queue && queue.length) return queue.shift();
    if (fallback !== undefined) return fallback;
    throw new Error(`unexpected question ${id}`);
  }
  /** As the real front ends do: a value the question's validator refuses is shown and asked again. */
  async text(q: TextQuestion): Promise<string> {
    const v = String(this.next(q.id, q.default));
    const problem = q.validate?.(v);
    if (!problem) return v;
    this.shown.push(`invalid: ${problem}`);
    return this.text(q);
  }
  async secret(q: SecretQuestion) { return String(this.next(q.id)); }
  async select<T>(q: SelectQuestion<T>) {
    const v = this.next(q.id, q.default);
    return (q.choices.find((c) => c.value === v || c.label === v) ?? q.choices[0]!).value;
  }
  async confirm(q: ConfirmQuestion) { return Boolean(this.next(q.id, q.default)); }
  async task<T>(_t: { running: string; done: string }, work: (report: ReportProgress) => Promise<T>) { return work(() => {}); }
  show(m: { title: string; lines?: string[] }) { this.shown.push([m.title, ...(m.lines ?? [])].join(' | ')); }
  steps() {}
  async close() {}
}

describe('Keystone + Container steps, a person at the keyboard', () => {
  it('explains a wrong password and asks again; a user with one project is not asked which; a URL typed as the container is refused with the reason', async () => {
    const container = `ops-wizard-${run}`;
    const person = new ScriptedPerson({
      'openstack.authUrl': [s.keystone, s.keystone],
      'openstack.username': ['opsuser', 'opsuser'],
      'openstack.userDomain': ['ops', 'ops'],
      'openstack.password': ['typo', s.ops.password],
      container: [`${s.swift}/v1/AUTH_0123/${container}`, container],
      createContainer: [true],
    });
    const st = state(person, {});
    await runSteps(person, [keystoneStep, containerStep], st);
    containers.push({ project: 'ops-project', container, user: 'ops' });
    expect(person.shown.join('\n')).toMatch(/refused the credentials for user "opsuser" in domain "ops" \(HTTP 401\)\. \| Fix: Check the password/);
    expect(person.shown.join('\n')).toMatch(/invalid: ".*" is a URL, not a container name\. Give only the name \(here probably "ops-wizard-/);
    expect(person.asked).not.toContain('openstack.project');
    expect(person.asked).toContain('openstack.interface'); // the stack offers public, internal and admin
    expect(st.openstack?.target).toMatchObject({ projectName: 'ops-project', projectDomainName: 'ops', userDomainName: 'ops' });
    expect(st.container).toBe(container);
  });
});
