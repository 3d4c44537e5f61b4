import { execa } from 'execa';

/** A throwaway system user for crontab tests; removed (with its crontab) by `remove()`. */
export async function throwawayUser(prefix = 'dswcron'): Promise<{ name: string; home: string; uid: number; remove(): Promise<void> }> {
  const name = `${prefix}${process.pid % 100000}${Math.floor(Math.random() * 1000)}`.slice(0, 31);
  const home = `/tmp/${name}-home`;
  let r = await execa('useradd', ['--system', '--create-home', '--home-dir', home, '--shell', '/bin/sh', name], { reject: false });
  // Other test files may be adding users too: /etc/passwd's lock is briefly taken.
  for (let i = 0; i < 10 && r.exitCode !== 0 && /lock/i.test(r.stderr); i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    r = await execa('useradd', ['--system', '--create-home', '--home-dir', home, '--shell', '/bin/sh', name], { reject: false });
  }
  if (r.exitCode !== 0) throw new Error(`useradd ${name} failed (the crontab tests need root): ${r.stderr}`);
  const uid = Number((await execa('id', ['-u', name])).stdout);
  return {
    name, home, uid,
    async remove() {
      await execa('crontab', ['-u', name, '-r'], { reject: false });
      await execa('userdel', ['--remove', name], { reject: false });
    },
  };
}

/** `crontab -l` for a user: the exact text, or null when they have none. */
export async function crontabOf(user: string): Promise<string | null> {
  const r = await execa('crontab', ['-u', user, '-l'], { reject: false, stripFinalNewline: false, env: { LC_ALL: 'C' } });
  if (r.exitCode !== 0 && /no crontab/.test(r.stderr)) return null;
  if (r.exitCode !== 0) throw new Error(`crontab -l -u ${user}: ${r.stderr}`);
  return r.stdout;
}

export async function setCrontab(user: string, text: string | null): Promise<void> {
  if (text === null) {
    await execa('crontab', ['-u', user, '-r'], { reject: false });
    return;
  }
  await execa('crontab', ['-u', user, '-'], { input: text });
}
