import { readFileSync } from 'node:fs';
import { configSchema, ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives every variable a local default', () => {
    const config = loadConfig({});
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6390');
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9192']);
    expect(config.API_PORT).toBe(3000);
  });

  it('parses lists and numbers from strings', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:1, b:2', API_PORT: '8080' });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.API_PORT).toBe(8080);
  });

  it.each([
    ['REDIS_URL', 'localhost:6379', /^config: REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\/ \(got "localhost:6379"\)$/],
    ['DATABASE_URL', 'postgres://x@y/z', /^config: DATABASE_URL must be a URL/],
    ['API_PORT', '70000', /^config: API_PORT /],
    ['KAFKA_BROKERS', 'nohost', /^config: KAFKA_BROKERS must be a comma-separated list of host:port/],
    ['LOG_LEVEL', 'loud', /^config: LOG_LEVEL /],
    ['PASS_SIGNING_JWKS', '{"keys":[{"kty":"EC"}]}', /^config: PASS_SIGNING_JWKS must be a JSON JWK set/],
    ['VISITOR_COOKIE_SECRET', 'short', /^config: VISITOR_COOKIE_SECRET must be at least 32 characters/],
  ])('names the bad variable %s in one line', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(message);
  });

  it('is fully documented in docs/configuration.md', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const undocumented = Object.keys(configSchema.shape).filter((key) => !doc.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });
});
