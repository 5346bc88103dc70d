// Where the local stack lives on disk, and which addresses its servers take (from the same
// environment variables the roles read, so a server given in env is reused, not started).
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../lib/config.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..').replace(/\/dist$/, '');

export interface StackPaths {
  local: string;
  vendor: string;
  data: string;
  logs: string;
  run: string;
}

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const local = path.resolve(repoRoot, env.CORRAL_LOCAL_DIR ?? '.local');
  return {
    local,
    vendor: path.join(local, 'vendor'),
    data: path.join(local, 'data'),
    logs: path.join(local, 'logs'),
    run: path.join(local, 'run'),
  };
}

export interface Endpoint {
  host: string;
  port: number;
  /** The variable that sets it, for error messages. */
  variable: keyof Config;
  /** True when the variable was set in the environment rather than defaulted. */
  explicit: boolean;
}

export function endpointOf(url: string, variable: keyof Config, env: NodeJS.ProcessEnv, defaultPort: number): Endpoint {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort), variable, explicit: Boolean(env[variable]) };
}

export function brokerEndpoint(brokers: string[], env: NodeJS.ProcessEnv): Endpoint {
  const [host, port] = (brokers[0] ?? '127.0.0.1:9192').split(':');
  return { host: host!, port: Number(port), variable: 'KAFKA_BROKERS', explicit: Boolean(env.KAFKA_BROKERS) };
}

/** Mailpit's HTTP API (the local inbox): stack-only, the roles only speak SMTP (SMTP_URL). */
export function mailpitHttpUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.MAILPIT_HTTP_URL || 'http://127.0.0.1:8026';
}

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/** The Java home to run Kafka and OpenSearch with: JAVA_HOME, else the `java` on PATH. */
export function javaHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JAVA_HOME && existsSync(path.join(env.JAVA_HOME, 'bin', 'java'))) return env.JAVA_HOME;
  try {
    const java = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();
    if (java) return path.resolve(path.dirname(realpathSync(java)), '..');
  } catch {
    // fall through to the clear error below
  }
  throw new MissingToolError('missing tool: java (Java 17+) is not installed; run `npm run setup` or set JAVA_HOME');
}

export function requireFile(file: string, what: string): string {
  if (!existsSync(file)) throw new MissingToolError(`missing tool: ${what} not found at ${path.relative(repoRoot, file)}; run \`npm run setup\``);
  return file;
}

export function requireCommand(command: string, packageName: string): string {
  try {
    const found = execFileSync('sh', ['-c', `command -v ${command} || PATH=$PATH:/usr/sbin:/sbin command -v ${command}`], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // fall through
  }
  throw new MissingToolError(`missing tool: ${command} is not installed (Debian package ${packageName}); run \`npm run setup\``);
}
