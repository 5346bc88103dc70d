import { readFileSync } from 'node:fs';
import { ConfigError, loadSettings } from '../../lib/config.js';
import { notifierConfigSchema } from './notifier-config.js';

describe('notifier settings (loadSettings)', () => {
  it('takes defaults for unset and empty variables and names the first bad one without echoing it', () => {
    expect(loadSettings(notifierConfigSchema, { NOTIFIER_SEND_ATTEMPTS: '' }).NOTIFIER_SEND_ATTEMPTS).toBe(5);
    expect(loadSettings(notifierConfigSchema, { NOTIFIER_SEND_ATTEMPTS: '7' }).NOTIFIER_SEND_ATTEMPTS).toBe(7);
    expect(() => loadSettings(notifierConfigSchema, { NOTIFIER_SEND_ATTEMPTS: '0' })).toThrow(ConfigError);
    expect(() => loadSettings(notifierConfigSchema, { NOTIFIER_SEND_ATTEMPTS: '0' })).toThrow(/^config: NOTIFIER_SEND_ATTEMPTS /);
  });

  it('documents every notifier variable in docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(Object.keys(notifierConfigSchema.shape).filter((key) => !doc.includes(`\`${key}\``))).toEqual([]);
  });
});
