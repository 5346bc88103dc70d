// Configuration: every environment variable Corral reads, parsed once at start by one zod schema.
// A bad value stops start-up with one line naming the variable; docs/configuration.md lists them all.
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

function hasProtocol(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function urlWithProtocol(protocols: string[]) {
  return z.string().refine((value) => hasProtocol(value, protocols), {
    message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  });
}

// One URL, or on a cluster a comma-separated list of seed nodes (checked against REDIS_CLUSTER below).
const redisUrls = z.string().refine((value) => value.split(',').every((url) => hasProtocol(url.trim(), ['redis:', 'rediss:'])), {
  message: 'must be a URL starting with redis:// or rediss://',
});

const brokerList = z
  .string()
  .transform((value) => value.split(',').map((broker) => broker.trim()).filter(Boolean))
  .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[\w.-]+:\d{1,5}$/.test(b)), {
    message: 'must be a comma-separated list of host:port',
  });

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  WAITING_ROOM_PORT: port.default(3001),
  ADMISSION_PORT: port.default(3002),
  WORKER_PORT: port.default(3003),
  RELAY_PORT: port.default(3004),
  INDEXER_PORT: port.default(3005),
  NOTIFIER_PORT: port.default(3006),
  REDIS_URL: redisUrls.default('redis://127.0.0.1:6390'),
  // ElastiCache cluster mode (docs/decisions/0009-redis-cluster.md): REDIS_URL names seed nodes.
  REDIS_CLUSTER: z.stringbool({ error: 'must be true or false' }).default(false),
  DATABASE_URL: urlWithProtocol(['mysql:', 'mariadb:']).default('mysql://corral:corral@127.0.0.1:3316/corral'),
  DYNAMODB_ENDPOINT: urlWithProtocol(['http:', 'https:']).default('http://127.0.0.1:8010'),
  DYNAMODB_TABLE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]*$/, 'may hold only letters, digits, _ . -').default('corral-'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9192']),
  KAFKA_CLIENT_ID: z.string().min(1).default('corral'),
  OPENSEARCH_URL: urlWithProtocol(['http:', 'https:']).default('http://127.0.0.1:9210'),
  // The notifier's mail server (Mailpit locally); smtps:// for implicit TLS, credentials in the URL.
  SMTP_URL: urlWithProtocol(['smtp:', 'smtps:']).default('smtp://127.0.0.1:1026'),
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  // Hot routes log only errors and answers slower than this (lib/request-log.ts).
  SLOW_REQUEST_MS: z.coerce.number().int().min(1).max(600_000).default(1_000),
  // Required in production; elsewhere a dev key / secret is generated once and shared through Redis.
  PASS_SIGNING_JWKS: z
    .string()
    .refine(isPrivateJwkSet, { message: 'must be a JSON JWK set {"keys":[...]} of private keys (each with kid and d)' })
    .optional(),
  PASS_ISSUER: z.string().min(1).default('corral'),
  PASS_JWKS_URL: urlWithProtocol(['http:', 'https:']).optional(),
  VISITOR_COOKIE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ADMISSION_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  ADMISSION_LEASE_TTL_MS: z.coerce.number().int().min(500).max(600_000).default(5_000),
  // The pages are served by the api role from this origin; the waiting-room and admission roles
  // allow it (CORS with credentials, Socket.IO included). Public URLs the pages call (unset: HOST and port).
  WEB_ORIGIN: z.url({ protocol: /^https?$/ }).transform((value) => new URL(value).origin).default('http://127.0.0.1:3000'),
  PUBLIC_WAITING_ROOM_URL: urlWithProtocol(['http:', 'https:']).optional(),
  PUBLIC_ADMISSION_URL: urlWithProtocol(['http:', 'https:']).optional(),
}).superRefine((config, context) => {
  const seedUrls = config.REDIS_URL.split(',').map((url) => url.trim());
  // A URL that does not parse is already reported by REDIS_URL's own check.
  if (!seedUrls.every((url) => hasProtocol(url, ['redis:', 'rediss:']))) return;
  const seeds = seedUrls.map((url) => new URL(url));
  if (seeds.length > 1 && !config.REDIS_CLUSTER) {
    context.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'lists several URLs, which only a cluster takes: set REDIS_CLUSTER=true' });
  }
  // The cluster client takes TLS and credentials once, for every node it discovers.
  const [first] = seeds;
  if (seeds.some((seed) => seed.protocol !== first!.protocol || seed.username !== first!.username || seed.password !== first!.password)) {
    context.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'seed nodes must share protocol and credentials' });
  }
  if (config.REDIS_CLUSTER && seeds.some((seed) => seed.pathname !== '' && seed.pathname !== '/' && seed.pathname !== '/0')) {
    context.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'names a database, which a cluster does not have (only 0)' });
  }
});

function isPrivateJwkSet(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    const keys = (parsed as { keys?: unknown }).keys;
    return (
      Array.isArray(keys) &&
      keys.length > 0 &&
      keys.every((key: { kid?: unknown; d?: unknown } | null) => typeof key?.kid === 'string' && typeof key.d === 'string')
    );
  } catch {
    return false;
  }
}

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`config: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

// Never echoed in a start-up error: the log would keep the secret.
const secretVariables = new Set(['PASS_SIGNING_JWKS', 'VISITOR_COOKIE_SECRET', 'SMTP_URL']);

/** Parses the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const got = input[variable] === undefined || secretVariables.has(variable) ? '' : ` (got ${JSON.stringify(input[variable])})`;
    throw new ConfigError(variable, `${issue.message}${got}`);
  }
  return parsed.data;
}

/** Parses a role's own settings (an object schema of env variables) from the environment: unset or
 * empty variables take their defaults; throws ConfigError naming the first bad one (no value echoed). */
export function loadSettings<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<Shape>> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  return parsed.data;
}

/** Connection URLs with any password replaced, for logs and the start banner; a comma-separated
 * list (Redis Cluster seeds) is redacted URL by URL. */
export function redactUrl(url: string): string {
  if (url.includes(',')) return url.split(',').map((part) => redactUrl(part.trim())).join(',');
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
