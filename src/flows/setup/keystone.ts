import { UserError, describeError } from '../../core/errors';
import { interfacesIn, pickEndpoint, regionsOf, type Interface } from '../../core/openstack/catalog';
import { login, noProjectChosen, toTarget, type Login } from '../../core/openstack/connect';
import { authUrlProblem, discover, splitAuthUrl } from '../../core/openstack/discovery';
import type { Project } from '../../core/openstack/keystone-v3';
import { gatherPrefill, normaliseAuthType, type ConnectionInput } from '../../core/openstack/os-env';
import { DEFAULT_TIMEOUT_MS, type HttpOptions } from '../../core/openstack/http';
import type { IdentityVersion } from '../../core/openstack/target';
import type { Prompter } from '../../prompt/port';
import type { Step } from '../run-steps';
import type { SetupState } from './state';

/**
 * The Keystone step: where the cloud is, who the user is, which project and which object-store
 * endpoint. Prefilled from OS_* / OS_CLOUD; a wrong password or URL is explained and asked again
 * (a person can fix it); from an answers file it stops with the error instead of looping.
 */

interface Credentials {
  input: ConnectionInput;
  password: string;
  session: Login;
}

const nonEmpty = (what: string) => (value: string) => (value.trim() ? undefined : `${what} cannot be empty.`);

async function askCredentials(state: SetupState, prefill: ConnectionInput, http: HttpOptions): Promise<Credentials> {
  const { prompt } = state.ctx;
  const previous = state.openstack?.target;
  const fileCa = prompt.given?.('openstack.cacert');
  let defaults: ConnectionInput = {
    ...prefill,
    ...(typeof fileCa === 'string' && fileCa.trim() ? { cacert: fileCa.trim() } : {}),
    ...(previous ? { authUrl: previous.authUrl, username: previous.username, userDomainName: previous.userDomainName, identityVersion: previous.identityVersion } : {}),
  };
  for (;;) {
    const authUrl = (await prompt.text({
      id: 'openstack.authUrl',
      message: 'Keystone auth URL?',
      help: 'OS_AUTH_URL in your openrc, or auth_url in clouds.yaml; with or without /v3.',
      default: defaults.authUrl,
      validate: authUrlProblem,
    })).trim();
    try {
      if (authTypeOf(prompt, defaults) === 'v3applicationcredential') return await askApplicationCredential(prompt, defaults, authUrl, http);
      const version = await chooseVersion(prompt, authUrl, defaults.identityVersion, { ...http, cacert: defaults.cacert });
      const username = (await prompt.text({
        id: 'openstack.username',
        message: version === '2.0' ? 'User name (or tenant:user)?' : 'User name?',
        default: defaults.username,
        validate: nonEmpty('The user name'),
      })).trim();
      let userDomainName: string | undefined;
      if (version === '3') {
        userDomainName = (await prompt.text({
          id: 'openstack.userDomain',
          message: 'The user\'s domain?',
          help: 'OS_USER_DOMAIN_NAME; nearly every cloud uses "Default".',
          default: defaults.userDomainName ?? defaults.userDomainId ?? 'Default',
          validate: nonEmpty('The domain'),
        })).trim();
      }
      const password = await prompt.secret({
        id: 'openstack.password',
        env: 'OS_PASSWORD',
        message: `OpenStack password for ${username}?`,
        validate: (v) => (v ? undefined : 'The password cannot be empty.'),
      });
      const input: ConnectionInput = {
        ...defaults, authUrl, identityVersion: version, username, userDomainName, userId: undefined,
        userDomainId: undefined, applicationCredentialId: undefined, applicationCredentialName: undefined,
      };
      const session = await prompt.task({ running: 'Signing in to Keystone', done: 'Signed in to Keystone' }, () => login(input, { password }, { ...http, cacert: input.cacert }));
      return { input, password, session };
    } catch (error) {
      if (!(error instanceof UserError) || prompt.kind === 'answers') throw error;
      const { message, fix } = describeError(error);
      prompt.show({ title: message, lines: fix ? [`Fix: ${fix}`] : [], tone: 'error' });
      defaults = { ...defaults, authUrl };
      if (error.code === 'tls') {
        const cacert = (await prompt.text({
          id: 'openstack.cacert',
          message: 'CA file (PEM) to trust for this cloud? (leave empty to re-enter the URL)',
          default: defaults.cacert ?? '',
        })).trim();
        defaults.cacert = cacert || undefined;
      }
    }
  }
}

/**
 * Password or application credential: what the answers file (openstack.authType), OS_AUTH_TYPE or
 * clouds.yaml's auth_type say, else a credential id or name given anywhere; a password otherwise.
 */
function authTypeOf(prompt: Prompter, defaults: ConnectionInput): 'password' | 'v3applicationcredential' {
  const fromFile = prompt.given?.('openstack.authType');
  const named = prompt.given?.('openstack.applicationCredentialId') ?? prompt.given?.('openstack.applicationCredentialName');
  return normaliseAuthType(typeof fromFile === 'string' ? fromFile : undefined) ?? defaults.authType
    ?? (defaults.applicationCredentialId || defaults.applicationCredentialName || named !== undefined ? 'v3applicationcredential' : 'password');
}

/**
 * An application credential is bound to its project: no user name or project is asked, only the
 * credential (its id; or its name with the owner and the owner's domain) and its secret, which comes
 * from OS_APPLICATION_CREDENTIAL_SECRET or a person, never from the answers file.
 */
async function askApplicationCredential(prompt: Prompter, defaults: ConnectionInput, authUrl: string, http: HttpOptions): Promise<Credentials> {
  const byName = (prompt.given?.('openstack.applicationCredentialName') !== undefined || defaults.applicationCredentialName !== undefined)
    && prompt.given?.('openstack.applicationCredentialId') === undefined && !defaults.applicationCredentialId;
  let input: ConnectionInput = {
    ...defaults, authUrl, identityVersion: '3', authType: 'v3applicationcredential', projectName: undefined, projectId: undefined,
    projectDomainName: undefined, projectDomainId: undefined,
  };
  if (byName) {
    const name = (await prompt.text({ id: 'openstack.applicationCredentialName', message: 'Application credential name?', default: defaults.applicationCredentialName, validate: nonEmpty('The name') })).trim();
    const username = (await prompt.text({ id: 'openstack.username', message: 'Its owner (user name)?', default: defaults.username, validate: nonEmpty('The user name') })).trim();
    const userDomainName = (await prompt.text({
      id: 'openstack.userDomain', message: 'The owner\'s domain?', default: defaults.userDomainName ?? defaults.userDomainId ?? 'Default', validate: nonEmpty('The domain'),
    })).trim();
    input = { ...input, applicationCredentialName: name, applicationCredentialId: undefined, username, userDomainName, userId: undefined, userDomainId: undefined };
  } else {
    const id = (await prompt.text({
      id: 'openstack.applicationCredentialId', message: 'Application credential ID?', help: 'OS_APPLICATION_CREDENTIAL_ID; `openstack application credential create` prints it.',
      default: defaults.applicationCredentialId, validate: nonEmpty('The ID'),
    })).trim();
    input = { ...input, applicationCredentialId: id, applicationCredentialName: undefined };
  }
  const secret = await prompt.secret({
    id: 'openstack.applicationCredentialSecret', env: 'OS_APPLICATION_CREDENTIAL_SECRET', message: 'Application credential secret?',
    validate: (v) => (v ? undefined : 'The secret cannot be empty.'),
  });
  const session = await prompt.task({ running: 'Signing in to Keystone with the application credential', done: 'Signed in to Keystone' },
    () => login(input, { applicationCredentialSecret: secret }, { ...http, cacert: input.cacert }));
  return { input, password: secret, session };
}

async function chooseVersion(prompt: Prompter, authUrl: string, wanted: IdentityVersion | undefined, http: HttpOptions): Promise<IdentityVersion> {
  if (splitAuthUrl(authUrl).version) return splitAuthUrl(authUrl).version!;
  const found = await discover(authUrl, undefined, http);
  if (found.offered.length < 2) return found.version;
  return prompt.select<IdentityVersion>({
    id: 'openstack.identityVersion',
    message: 'This Keystone speaks v3 and v2.0. Which one?',
    choices: [{ value: '3', label: 'v3', hint: 'recommended' }, { value: '2.0', label: 'v2.0', hint: 'deprecated' }],
    default: wanted ?? '3',
  });
}

export async function chooseProject(prompt: Prompter, session: Login, defaults: ConnectionInput): Promise<Project> {
  const { projects } = session;
  if (projects.length === 0) throw noProjectChosen(session);
  if (projects.length === 1) return projects[0]!;
  const names = [...new Set(projects.map((p) => p.name))];
  const wanted = projects.find((p) => p.id === defaults.projectId)?.name ?? defaults.projectName ?? session.tenantFromUsername;
  const name = await prompt.select<string>({
    id: 'openstack.project',
    message: session.version === '2.0' ? 'Which tenant holds the backups?' : 'Which project holds the backups?',
    choices: names.map((n) => {
      const same = projects.filter((p) => p.name === n);
      return { value: n, label: n, hint: same.length === 1 ? `${same[0]!.domainName ? `domain ${same[0]!.domainName}, ` : ''}${same[0]!.id}` : `${same.length} domains` };
    }),
    default: wanted && names.includes(wanted) ? wanted : undefined,
  });
  const same = projects.filter((p) => p.name === name);
  if (same.length === 1) return same[0]!;
  return prompt.select<Project>({
    id: 'openstack.projectDomain',
    message: `Several projects are named "${name}". In which domain?`,
    choices: same.map((p) => ({ value: p, label: p.domainName ?? p.domainId ?? p.id, hint: p.id })),
    default: same.find((p) => p.domainName === defaults.projectDomainName || p.domainId === defaults.projectDomainId),
  });
}

export const keystoneStep: Step<SetupState> = {
  id: 'keystone',
  title: 'Keystone',
  async run(state) {
    const { prompt, env, signal, openstackFrom } = state.ctx;
    const http: HttpOptions = { signal, timeoutMs: DEFAULT_TIMEOUT_MS };
    const prefill = await gatherPrefill({ env, openrc: openstackFrom?.openrc, cloud: openstackFrom?.cloud });
    if (prefill.sources.length) prompt.show({ title: `Defaults from ${prefill.sources.join(' and ')}.`, tone: 'info' });
    const { input, password, session } = await askCredentials(state, prefill.input, http);

    const project = await chooseProject(prompt, session, { ...input, ...(state.openstack ? { projectId: state.openstack.target.projectId } : {}) });
    const scoped = await prompt.task({ running: `Opening project ${project.name}`, done: `Project ${project.name} opened` }, () => session.scope(project));

    const regions = regionsOf(scoped.endpoints);
    let region: string | undefined = regions[0];
    if (regions.length > 1) {
      region = await prompt.select<string>({
        id: 'openstack.region',
        message: 'Object storage is offered in several regions. Which one?',
        choices: regions.map((r) => ({ value: r, label: r || '(no region)' })),
        default: state.openstack?.target.region ?? (input.region && regions.includes(input.region) ? input.region : undefined),
      });
    }
    const interfaces = interfacesIn(scoped.endpoints, region);
    let iface: Interface = interfaces.includes(input.interface ?? 'public') ? (input.interface ?? 'public') : (interfaces[0] ?? 'public');
    if (interfaces.length > 1) {
      iface = await prompt.select<Interface>({
        id: 'openstack.interface',
        message: 'Which endpoint should backups use?',
        help: '"public" works from anywhere; "internal" only from inside this cloud, where it may be faster or free of traffic charges.',
        choices: interfaces.map((i) => ({ value: i, label: i })),
        default: state.openstack?.target.interface ?? iface,
      });
    }
    const endpoint = pickEndpoint(scoped.endpoints, { region, interface: iface });
    const target = toTarget(session, scoped, endpoint, input);
    state.openstack = { target, password };
    prompt.show({
      title: `Keystone v${session.version}: ${target.username} on project ${target.projectName}${target.projectDomainName ? ` (domain ${target.projectDomainName})` : ''}.`,
      lines: [`Object storage: ${endpoint.url} (${target.region ?? 'no region'}, ${target.interface}).`],
      tone: 'success',
    });
  },
};
