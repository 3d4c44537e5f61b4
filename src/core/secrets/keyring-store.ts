import { UserError } from '../errors';
import { run, which } from '../exec';
import { checkName, type SecretLookup, type SecretName, type SecretStore } from './store';

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export type KeyringState = { state: 'ready' } | { state: 'locked'; reason: string } | { state: 'unavailable'; reason: string };

/** keytar's native module, loaded on first use: it needs libsecret, and most commands never touch it. */
async function loadKeytar(): Promise<Keytar | string> {
  try {
    const mod = (await import('@github/keytar')) as unknown as Keytar & { default?: Keytar };
    return mod.default ?? mod;
  } catch (error) {
    return `the keyring library could not be loaded (${(error as Error).message.split('\n')[0]}); install libsecret-1-0`;
  }
}

/** Turns libsecret's errors into what they mean for the person. */
function explain(error: unknown): KeyringState {
  const message = (error as Error)?.message ?? String(error);
  if (/locked/i.test(message)) return { state: 'locked', reason: 'the keyring is locked' };
  if (/autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Could not connect|connection refused/i.test(message)) {
    return { state: 'unavailable', reason: 'there is no D-Bus session (typical over SSH and on headless servers)' };
  }
  if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service/i.test(message)) {
    return { state: 'unavailable', reason: 'no Secret Service (such as gnome-keyring) answers on D-Bus' };
  }
  return { state: 'unavailable', reason: `the keyring refused: ${message}` };
}

/**
 * The Secret Service's own answer to "is the default collection locked?", read over D-Bus. A locked
 * keyring returns null for every read, without an error; this tells that apart from "absent"
 * without writing anything (and without popping up an unlock dialog on a desktop).
 */
async function defaultCollectionLocked(env: NodeJS.ProcessEnv): Promise<boolean | undefined> {
  const dbusSend = await which('dbus-send', env);
  if (!dbusSend || !env.DBUS_SESSION_BUS_ADDRESS) return undefined;
  const r = await run(dbusSend, ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets/aliases/default',
    'org.freedesktop.DBus.Properties.Get', 'string:org.freedesktop.Secret.Collection', 'string:Locked'], { env, timeoutMs: 10_000 });
  if (r.exitCode !== 0) return undefined;
  if (/boolean true/.test(r.stdout)) return true;
  if (/boolean false/.test(r.stdout)) return false;
  return undefined;
}

const PROBE_SERVICE = 'dupliswift-probe';

/**
 * The desktop keyring (GNOME Keyring, KWallet's Secret Service, …) through keytar's API. Service
 * `dupliswift:<profile>`, account = the secret's name.
 */
export class KeyringSecretStore implements SecretStore {
  readonly kind = 'keyring' as const;
  readonly where = 'the keyring (Secret Service)';

  private constructor(private readonly keytar: Keytar, private readonly env: NodeJS.ProcessEnv) {}

  /**
   * Opens the keyring and proves it usable: a probe written, read back and deleted. Returns why not,
   * in words, when it is missing or locked, so the caller can say so and fall back explicitly.
   */
  static async open(env: NodeJS.ProcessEnv = process.env): Promise<{ store: KeyringSecretStore } | { store?: undefined; state: Exclude<KeyringState, { state: 'ready' }> }> {
    const keytar = await loadKeytar();
    if (typeof keytar === 'string') return { state: { state: 'unavailable', reason: keytar } };
    const store = new KeyringSecretStore(keytar, env);
    const probe = await store.probe();
    return probe.state === 'ready' ? { store } : { state: probe };
  }

  async probe(): Promise<KeyringState> {
    const value = `probe-${process.pid}-${Date.now()}`;
    try {
      await this.keytar.setPassword(PROBE_SERVICE, 'probe', value);
      const back = await this.keytar.getPassword(PROBE_SERVICE, 'probe');
      await this.keytar.deletePassword(PROBE_SERVICE, 'probe').catch(() => false);
      if (back !== value) return { state: 'locked', reason: 'the keyring accepted a probe but did not give it back (it is probably locked)' };
      return { state: 'ready' };
    } catch (error) {
      return explain(error);
    }
  }

  private static service(profile: string): string {
    checkName('profile', profile);
    return `dupliswift:${profile}`;
  }

  async get(profile: string, name: SecretName): Promise<SecretLookup> {
    checkName('secret', name);
    let value: string | null;
    try {
      value = await this.keytar.getPassword(KeyringSecretStore.service(profile), name);
    } catch (error) {
      const why = explain(error);
      return why.state === 'ready' ? { state: 'absent' } : why;
    }
    if (value !== null) return { state: 'found', value };
    const locked = await defaultCollectionLocked(this.env);
    if (locked === true) return { state: 'locked', reason: 'the keyring is locked: unlock it (log in on the desktop, or gnome-keyring-daemon --unlock) and try again' };
    if (locked === undefined) {
      // No way to ask D-Bus directly: a probe write tells a locked keyring from an empty slot.
      const probe = await this.probe();
      if (probe.state !== 'ready') return probe;
    }
    return { state: 'absent' };
  }

  async set(profile: string, name: SecretName, value: string): Promise<void> {
    checkName('secret', name);
    try {
      await this.keytar.setPassword(KeyringSecretStore.service(profile), name, value);
    } catch (error) {
      const why = explain(error);
      throw new UserError(`Could not store the ${name} in the keyring: ${why.state === 'ready' ? 'unknown error' : why.reason}.`, {
        fix: 'Unlock the keyring and try again, or keep the secret in a 0600 file instead.', code: 'keyring',
      });
    }
  }

  async delete(profile: string, name: SecretName): Promise<boolean> {
    checkName('secret', name);
    try {
      return await this.keytar.deletePassword(KeyringSecretStore.service(profile), name);
    } catch (error) {
      const why = explain(error);
      throw new UserError(`Could not delete the ${name} from the keyring: ${why.state === 'ready' ? 'unknown error' : why.reason}.`, { code: 'keyring' });
    }
  }
}
