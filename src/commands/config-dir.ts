import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * --config-dir as given, made absolute at parse time: the backup script, its crontab line and its
 * timer name the profile folder by this path, and cron starts jobs in $HOME, not here. A line break
 * or other control character is refused: cron tables and unit files are line based.
 * Returns the path, or throws an Error whose message says what is wrong.
 */
export function absoluteConfigDir(value: string, cwd = process.cwd(), home = process.env.HOME || homedir()): string {
  if (/[\0-\x1f\x7f]/.test(value)) {
    throw new Error(`${JSON.stringify(value)} holds a line break or another control character, which a crontab line or a systemd unit cannot carry; choose a folder name without them.`);
  }
  if (!value.trim()) throw new Error('the folder is empty; give a path such as /etc/dupliswift.');
  if (value === '~' || value.startsWith('~/')) return join(home, value.slice(1));
  return isAbsolute(value) ? resolve(value) : resolve(cwd, value);
}
