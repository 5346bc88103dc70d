import { readFileSync } from 'node:fs';
import { configSchema, ConfigError, loadConfig, redactUrl } from './config.js';

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

  it('takes a Redis Cluster as REDIS_CLUSTER=true with one or more seed node URLs', () => {
    expect(loadConfig({}).REDIS_CLUSTER).toBe(false);
    const cluster = loadConfig({ REDIS_CLUSTER: 'true', REDIS_URL: 'rediss://a:6379, rediss://b:6379' });
    expect(cluster.REDIS_CLUSTER).toBe(true);
    expect(cluster.REDIS_URL).toBe('rediss://a:6379, rediss://b:6379');
    expect(loadConfig({ REDIS_CLUSTER: 'false' }).REDIS_CLUSTER).toBe(false);
  });

  it.each([
    [{ REDIS_CLUSTER: 'maybe' }, /^config: REDIS_CLUSTER must be true or false/],
    [{ REDIS_URL: 'redis://a:6379,redis://b:6379' }, /^config: REDIS_URL lists several URLs, which only a cluster takes: set REDIS_CLUSTER=true/],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:6379,rediss://b:6379' }, /^config: REDIS_URL seed nodes must share protocol and credentials/],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:6379,not a url' }, /^config: REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:6379/2' }, /^config: REDIS_URL names a database, which a cluster does not have/],
  ])('refuses a Redis setting a cluster client could not use: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('redacts the password of every seed in a list of Redis URLs', () => {
    expect(redactUrl('rediss://user:secret@a:6379, rediss://user:secret@b:6379')).toBe('rediss://user:***@a:6379,rediss://user:***@b:6379');
  });

  it('is fully documented in docs/configuration.md', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const undocumented = Object.keys(configSchema.shape).filter((key) => !doc.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });
});
