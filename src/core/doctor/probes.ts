import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TOOL_PATH } from '../duplicity/detect';
import { run, which } from '../exec';
import type { Facts } from './checks';

/** The interpreter named on a script's first line (`#!/usr/bin/python3`, `#!/usr/bin/env python3`). */
export function interpreterFromShebang(firstLine: string): string | undefined {
  const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine);
  if (!match) return undefined;
  return match[1]!.endsWith('/env') ? match[2] : match[1];
}

export function gnupgHome(env: NodeJS.ProcessEnv): string {
  return env.GNUPGHOME || join(env.HOME || homedir(), '.gnupg');
}

export function hasNoAllowLoopback(conf: string): boolean {
  return conf.split('\n').some((line) => line.trim() === 'no-allow-loopback-pinentry');
}

async function firstLine(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.slice(0, 200).split('\n')[0] ?? '';
}

async function canImport(python: string, module: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  // A clean PATH: pyenv shims on PATH must not stand in for duplicity's own interpreter.
  // Generous: a cold import on a loaded 2-core machine took 23 s (measured); a timeout here reads as
  // "cannot import", a wrong diagnosis that stops setup.
  const result = await run(python, ['-c', `import ${module}`], { env: { PATH: TOOL_PATH, HOME: env.HOME }, extendEnv: false, timeoutMs: 120_000 });
  return result.exitCode === 0;
}

export async function gatherFacts(env: NodeJS.ProcessEnv = process.env): Promise<Facts> {
  const [gpgPath, dupPath, crontab, dbusSend] = await Promise.all([
    // duplicity is looked for where the backup job will look (never a pyenv shim on the user's PATH).
    which('gpg', env), env.DUPLISWIFT_DUPLICITY ? Promise.resolve(env.DUPLISWIFT_DUPLICITY) : which('duplicity', { PATH: TOOL_PATH }), which('crontab', env), which('dbus-send', env),
  ]);

  const gpgOut = gpgPath ? (await run(gpgPath, ['--version'], { timeoutMs: 10_000 })).stdout : undefined;

  let dupOut: string | undefined;
  let python: string | undefined;
  let imports: Facts['imports'] = {};
  if (dupPath) {
    python = interpreterFromShebang(await firstLine(dupPath));
    const pythonPath = python && !python.startsWith('/') ? await which(python, { PATH: TOOL_PATH }) : python;
    const [version, swift, keystone] = await Promise.all([
      run(dupPath, ['--version'], { timeoutMs: 20_000, env: { PATH: TOOL_PATH } }),
      pythonPath ? canImport(pythonPath, 'swiftclient', env) : Promise.resolve(false),
      pythonPath ? canImport(pythonPath, 'keystoneclient', env) : Promise.resolve(false),
    ]);
    dupOut = version.stdout + version.stderr;
    python = pythonPath ?? python;
    imports = { swiftclient: swift, keystoneclient: keystone };
  }

  const systemd = await readFile('/proc/1/comm', 'utf8').then((s) => s.trim() === 'systemd').catch(() => false);

  const libsecret = await run('/sbin/ldconfig', ['-p'], { timeoutMs: 5000 }).then((r) => r.stdout.includes('libsecret-1.so.0')).catch(() => false);
  const dbusSession = Boolean(env.DBUS_SESSION_BUS_ADDRESS);
  let serviceOwned: boolean | undefined;
  if (dbusSession && dbusSend) {
    const r = await run(dbusSend, ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { timeoutMs: 5000, env });
    serviceOwned = r.exitCode === 0 && /boolean true/.test(r.stdout);
    if (!serviceOwned) {
      // A service that D-Bus can start on demand counts too.
      const a = await run(dbusSend, ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.ListActivatableNames'], { timeoutMs: 5000, env });
      serviceOwned = a.stdout.includes('"org.freedesktop.secrets"');
    }
  }

  const agentConfPath = join(gnupgHome(env), 'gpg-agent.conf');
  const agentConf = await readFile(agentConfPath, 'utf8').catch(() => '');

  return {
    gpg: { path: gpgPath, versionOutput: gpgOut },
    duplicity: { path: dupPath, versionOutput: dupOut, python },
    imports,
    scheduler: { crontab, systemd },
    secretService: { libsecret, dbusSession, serviceOwned },
    gpgAgentConf: { path: agentConfPath, noAllowLoopback: hasNoAllowLoopback(agentConf) },
  };
}
