import { describe, expect, it } from 'vitest';
import { validateSetupAnswers } from '../../src/prompt/answers/schema';

const good = {
  profile: 'nightly', source: '/srv/data', exclude: ['/srv/data/tmp'],
  keys: { encrypt: 'A'.repeat(40), sign: 'B'.repeat(40) },
  openstack: { authUrl: 'https://keystone.example:5000/v3', username: 'u', userDomain: 'Default', project: 'p', projectDomain: 'Default', region: 'RegionOne', interface: 'public' },
  container: 'backups',
  schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 4 },
  secrets: 'file', install: 'crontab', firstRun: false,
};

describe('the answers file schema', () => {
  it('accepts the documented example and the generate form of keys', () => {
    expect(() => validateSetupAnswers(good, 'a.json')).not.toThrow();
    expect(() => validateSetupAnswers({ ...good, keys: { generate: { name: 'Backup', email: 'root@example.org', algorithm: 'rsa4096' } } }, 'a.json')).not.toThrow();
  });

  it('names unknown keys (typos) and wrong types together', () => {
    let message = '';
    try {
      validateSetupAnswers({ ...good, contianer: 'x', schedule: { ...good.schedule, keepFull: 'four' }, install: 'anacron' }, 'a.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('unknown key "contianer"');
    expect(message).toContain('"schedule.keepFull" must be of type integer');
    expect(message).toContain('"install" must be one of "crontab", "cron.d", "systemd", "none"');
  });
});
