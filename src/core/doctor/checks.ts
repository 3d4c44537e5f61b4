import { atLeast, flagFamily, MIN_DUPLICITY_FOR_SWIFT, parseVersion, type FlagFamily } from '../duplicity/version';

export type CheckStatus = 'ok' | 'missing' | 'warning' | 'error';

export interface Fix {
  apt?: string;
  dnf?: string;
  /** A fix that is not a package: an edit, a command. */
  other?: string;
}

export interface Check {
  id: 'gpg' | 'duplicity' | 'swiftclient' | 'keystoneclient' | 'scheduler' | 'secret-service' | 'gpg-agent';
  title: string;
  status: CheckStatus;
  /** A required check that is not ok makes the report fail (exit non-zero). */
  required: boolean;
  version?: string;
  detail: string;
  fix?: Fix;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
  /** Which family of duplicity flags the generated job will use; absent when duplicity is missing. */
  duplicityFlags?: FlagFamily;
}

/** Everything the doctor looked at, gathered by probes.ts; evaluate() judges it without I/O. */
export interface Facts {
  gpg: { path?: string; versionOutput?: string };
  duplicity: { path?: string; versionOutput?: string; python?: string };
  imports: { swiftclient?: boolean; keystoneclient?: boolean };
  scheduler: { crontab?: string; systemd: boolean };
  secretService: { libsecret: boolean; dbusSession: boolean; serviceOwned?: boolean };
  gpgAgentConf: { path: string; noAllowLoopback: boolean };
}

const python = (facts: Facts) => facts.duplicity.python ?? 'python3';

export function evaluate(facts: Facts): DoctorReport {
  const checks: Check[] = [];

  // gpg
  const gpgVersion = facts.gpg.versionOutput ? parseVersion(facts.gpg.versionOutput) : undefined;
  if (!facts.gpg.path || !gpgVersion) {
    checks.push({ id: 'gpg', title: 'GnuPG', status: 'missing', required: true, detail: 'gpg was not found on PATH.', fix: { apt: 'apt-get install gnupg', dnf: 'dnf install gnupg2' } });
  } else if (!atLeast(gpgVersion, 2, 1)) {
    checks.push({ id: 'gpg', title: 'GnuPG', status: 'error', required: true, version: gpgVersion.text, detail: `gpg ${gpgVersion.text} is too old: dupliswift needs 2.1 or newer (loopback pinentry, modern keys).`, fix: { apt: 'apt-get install gnupg', dnf: 'dnf install gnupg2' } });
  } else {
    checks.push({ id: 'gpg', title: 'GnuPG', status: 'ok', required: true, version: gpgVersion.text, detail: `gpg ${gpgVersion.text} at ${facts.gpg.path}` });
  }

  // duplicity
  const dupVersion = facts.duplicity.versionOutput ? parseVersion(facts.duplicity.versionOutput) : undefined;
  const dupFix = { apt: 'apt-get install duplicity', dnf: 'dnf install duplicity' };
  let family: FlagFamily | undefined;
  if (!facts.duplicity.path || !dupVersion) {
    checks.push({ id: 'duplicity', title: 'duplicity', status: 'missing', required: true, detail: 'duplicity was not found on PATH.', fix: dupFix });
  } else if (!atLeast(dupVersion, MIN_DUPLICITY_FOR_SWIFT.major, MIN_DUPLICITY_FOR_SWIFT.minor, MIN_DUPLICITY_FOR_SWIFT.patch)) {
    checks.push({ id: 'duplicity', title: 'duplicity', status: 'error', required: true, version: dupVersion.text, detail: `duplicity ${dupVersion.text} has no Keystone-capable Swift backend: 0.6.22 or newer is needed.`, fix: dupFix });
  } else {
    family = flagFamily(dupVersion);
    checks.push({ id: 'duplicity', title: 'duplicity', status: 'ok', required: true, version: dupVersion.text, detail: `duplicity ${dupVersion.text} (${family} flags) under ${python(facts)}` });
  }

  // The Swift backend imports these in duplicity's own Python, which may not be the one on PATH.
  for (const [id, pkg, title] of [['swiftclient', 'python3-swiftclient', 'Swift client library'], ['keystoneclient', 'python3-keystoneclient', 'Keystone client library']] as const) {
    const importable = facts.imports[id];
    if (importable === undefined) {
      checks.push({ id, title, status: 'missing', required: true, detail: `Not checked: duplicity is missing, and ${id} must be importable by its Python.`, fix: { apt: `apt-get install ${pkg}`, dnf: `dnf install ${pkg}` } });
    } else if (!importable) {
      checks.push({ id, title, status: 'missing', required: true, detail: `${python(facts)} (duplicity's Python) cannot import ${id}${id === 'keystoneclient' ? '; without it Keystone v2.0/v3 auth fails' : ''}.`, fix: { apt: `apt-get install ${pkg}`, dnf: `dnf install ${pkg}` } });
    } else {
      checks.push({ id, title, status: 'ok', required: true, detail: `${id} importable by ${python(facts)}` });
    }
  }

  // scheduler
  if (facts.scheduler.crontab || facts.scheduler.systemd) {
    const what = [facts.scheduler.crontab ? `crontab (${facts.scheduler.crontab})` : '', facts.scheduler.systemd ? 'systemd timers' : ''].filter(Boolean).join(' and ');
    checks.push({ id: 'scheduler', title: 'Scheduler', status: 'ok', required: true, detail: `${what} available` });
  } else {
    checks.push({ id: 'scheduler', title: 'Scheduler', status: 'missing', required: true, detail: 'Neither crontab nor systemd timers are available to run the backup job.', fix: { apt: 'apt-get install cron', dnf: 'dnf install cronie' } });
  }

  // Secret Service: optional, there is an explicit file fallback.
  const ss = facts.secretService;
  if (!ss.libsecret) {
    checks.push({ id: 'secret-service', title: 'Keyring', status: 'warning', required: false, detail: 'libsecret is not installed: passphrases will be kept in 0600 files instead of the keyring.', fix: { apt: 'apt-get install libsecret-1-0 gnome-keyring dbus', dnf: 'dnf install libsecret gnome-keyring dbus' } });
  } else if (!ss.dbusSession || !ss.serviceOwned) {
    checks.push({ id: 'secret-service', title: 'Keyring', status: 'warning', required: false, detail: !ss.dbusSession ? 'No D-Bus session (typical on a headless server): passphrases will be kept in 0600 files instead of the keyring.' : 'No Secret Service answers on D-Bus: passphrases will be kept in 0600 files instead of the keyring.', fix: { apt: 'apt-get install gnome-keyring dbus', dnf: 'dnf install gnome-keyring dbus', other: 'Headless: dbus-run-session -- sh -c \'gnome-keyring-daemon --unlock --components=secrets; exec dupliswift\'' } });
  } else {
    checks.push({ id: 'secret-service', title: 'Keyring', status: 'ok', required: false, detail: 'A Secret Service answers on the D-Bus session bus.' });
  }

  // duplicity adds --pinentry-mode=loopback itself; an agent that forbids it breaks unattended runs.
  if (facts.gpgAgentConf.noAllowLoopback) {
    checks.push({ id: 'gpg-agent', title: 'gpg-agent', status: 'error', required: true, detail: `${facts.gpgAgentConf.path} has "no-allow-loopback-pinentry": duplicity cannot pass passphrases, so unattended backups fail.`, fix: { other: `Remove that line from ${facts.gpgAgentConf.path}, then run: gpgconf --kill gpg-agent` } });
  } else {
    checks.push({ id: 'gpg-agent', title: 'gpg-agent', status: 'ok', required: true, detail: 'Loopback pinentry allowed (duplicity passes passphrases that way).' });
  }

  return { ok: checks.every((c) => !c.required || c.status === 'ok'), checks, duplicityFlags: family };
}
