// `npm start`: the whole system on one machine. Starts (or reuses) the six servers, provisions
// them, runs every role in a process of its own (scripts/role-processes.ts, as the pods of
// production) and prints where to open it. Ctrl-C stops all of it.
import { ConfigError, loadConfig, redactUrl, type Config } from '../lib/config.js';
import { logger } from '../lib/log.js';
import { Platform } from '../lib/platform.js';
import { parseRoles } from '../roles.js';
import { startRoleProcesses, stopRoleProcesses, watchRoleProcesses, type RoleProcess } from './role-processes.js';
import { seedDemo, type DemoSeed } from './demo-seed.js';
import { provision } from './stack/provision.js';
import { mailpitHttpUrl } from './stack/stack-config.js';
import { startStack, stopServices, type RunningService } from './stack/stack.js';

function demoLines(config: Config, seed: DemoSeed): string[] {
  const api = `http://${config.HOST}:${config.API_PORT}`;
  return [
    `  Open as a fan:        ${api}/events/${seed.eventId}   (demo event, ${seed.seatCount} seats)`,
    `  Open as an organizer: ${api}/organizer/events/${seed.eventId}`,
    `                        sign in there as ${seed.organizerEmail} / ${seed.organizerPassword}`,
    `  Admins (any event):   npm run admin -- grant-admin <email>, then sign in the same way`,
    `  API:                  ${api}/api/events/${seed.eventId}   ${api}/api/search?q=demo`,
    `  Inbox (Mailpit API):  ${mailpitHttpUrl()}/api/v1/messages   (the notifier's e-mail; this build has no web UI)`,
    '',
  ];
}

function banner(config: Config, services: RunningService[], roles: RoleProcess[], seed: DemoSeed): string {
  const lines = ['', 'Corral is running.', ''];
  for (const role of roles) lines.push(`  ${role.role.padEnd(13)} ${role.url}   (readiness: ${role.url}/readyz, pid ${role.pid})`);
  lines.push('');
  const urls: Record<string, string> = {
    redis: redactUrl(config.REDIS_URL),
    mariadb: redactUrl(config.DATABASE_URL),
    dynamodb: config.DYNAMODB_ENDPOINT,
    kafka: config.KAFKA_BROKERS.join(','),
    opensearch: config.OPENSEARCH_URL,
    mailpit: redactUrl(config.SMTP_URL),
  };
  for (const service of services) {
    lines.push(`  ${service.name.padEnd(13)} ${urls[service.name]}${service.pid ? `   (started, log ${service.log})` : '   (reused)'}`);
  }
  lines.push('', ...demoLines(config, seed), 'Press Ctrl-C to stop everything.', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = logger();
  const roleNames = parseRoles(process.argv[2] ?? 'all');
  console.log('Starting the local stack (Redis, MariaDB, DynamoDB, Kafka, OpenSearch, Mailpit)…');
  const services = await startStack(config, log.child({ component: 'stack' }));
  let roles: RoleProcess[] = [];
  const platform = new Platform(config, log);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stopRoleProcesses(roles).catch((error: Error) => console.error(`corral: ${error.message}`));
    await platform.close().catch(() => undefined);
    await stopServices(services);
    console.log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  let seed: DemoSeed;
  try {
    await provision(config, log.child({ component: 'provision' }));
    // Idempotent: the demo organizer, venue and published event exist after the first start.
    seed = await seedDemo(platform);
    await platform.close();
    roles = await startRoleProcesses(roleNames);
    watchRoleProcesses(roles, (role, code, signal) => {
      console.error(`corral: role ${role} stopped on its own (${signal ?? `exit code ${code}`}); stopping everything (its last log lines above say why)`);
      void stop(1);
    });
  } catch (error) {
    const message = (error as Error).message;
    // The details (stack, cause) go to the JSON log; the person at the terminal gets one line.
    log.error({ err: error }, 'start-up failed');
    console.error(message.startsWith('config:') ? message : `corral: ${message}`);
    await stop(1);
    return;
  }
  console.log(banner(config, services, roles, seed));
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `corral: ${error.message}`);
  process.exit(2);
});
