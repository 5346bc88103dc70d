// The six servers of the local stack: how to tell a healthy one is listening, and how to start one
// as a child process with its data under .local/data. One spec per server; stack.ts runs them.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mariadb, { type Connection } from 'mariadb';
import type { Config } from '../../lib/config.js';
import { createDynamo, dynamoCheck } from '../../lib/dynamo.js';
import { createKafka } from '../../lib/kafka.js';
import type { Logger } from '../../lib/log.js';
import { mariadbPoolConfig } from '../../lib/mysql.js';
import { createRedis } from '../../lib/redis.js';
import {
  brokerEndpoint,
  endpointOf,
  javaHome,
  mailpitHttpUrl,
  requireCommand,
  requireFile,
  type Endpoint,
  type StackPaths,
} from './stack-config.js';

export const KAFKA_VERSION = '4.1.1';
export const OPENSEARCH_VERSION = '2.19.6';

export interface Launch {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

export interface ServiceSpec {
  name: 'redis' | 'mariadb' | 'dynamodb' | 'kafka' | 'opensearch' | 'mailpit';
  endpoint: Endpoint;
  startupTimeoutMs: number;
  /** Throws unless a healthy server of this kind, usable by Corral, answers at the endpoint. */
  probe(): Promise<void>;
  /** Makes data folders and returns what to run; throws MissingToolError when something is not installed. */
  prepare(): Launch;
  /** Throws until a server this stack just started answers (before any bootstrap). */
  startedProbe?(): Promise<void>;
  /** One-time set-up after a started server answers (users, databases). */
  bootstrap?(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function dataDir(paths: StackPaths, name: string): string {
  const dir = path.join(paths.data, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function redisSpec(config: Config, env: NodeJS.ProcessEnv, paths: StackPaths): ServiceSpec {
  const endpoint = endpointOf(config.REDIS_URL, 'REDIS_URL', env, 6379);
  return {
    name: 'redis',
    endpoint,
    startupTimeoutMs: 15_000,
    async probe() {
      const redis = createRedis(config.REDIS_URL, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      try {
        await redis.connect();
        if ((await redis.ping()) !== 'PONG') throw new Error('PING did not answer PONG');
      } finally {
        redis.disconnect();
      }
    },
    prepare() {
      const command = requireCommand('redis-server', 'redis-server');
      const dir = dataDir(paths, 'redis');
      // Production-like durability (docs/reliability.md): an append-only file fsynced every second,
      // so a killed and restarted Redis comes back with its waiting rooms, hold requests and queues.
      // No RDB snapshots: the AOF (with its own rewrite) is the one copy, as ElastiCache/MemoryDB keep theirs.
      const args = ['--port', String(endpoint.port), '--bind', endpoint.host, '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxclients', '10000'];
      return { command, args };
    },
  };
}

function mariadbSpec(config: Config, env: NodeJS.ProcessEnv, paths: StackPaths): ServiceSpec {
  const endpoint = endpointOf(config.DATABASE_URL, 'DATABASE_URL', env, 3306);
  const pool = mariadbPoolConfig(config.DATABASE_URL);
  const socketPath = `/tmp/corral-mariadb-${endpoint.port}.sock`;
  const asRoot = async <T>(work: (connection: Connection) => Promise<T>): Promise<T> => {
    const connection = await mariadb.createConnection({ socketPath, user: 'root', connectTimeout: 2_000 });
    try {
      return await work(connection);
    } finally {
      await connection.end();
    }
  };
  return {
    name: 'mariadb',
    endpoint,
    startupTimeoutMs: 60_000,
    async probe() {
      const connection = await mariadb.createConnection({ ...pool, connectTimeout: 2_000 });
      try {
        await connection.query('SELECT 1');
      } finally {
        await connection.end();
      }
    },
    async startedProbe() {
      await asRoot((connection) => connection.query('SELECT 1'));
    },
    async bootstrap() {
      // Local stack only: the app's user may create databases (tests make their own).
      await asRoot(async (connection) => {
        await connection.query(`CREATE DATABASE IF NOT EXISTS \`${pool.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
        if (pool.user !== 'root') {
          await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [pool.user, '%', pool.password]);
          await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [pool.user, 'localhost', pool.password]);
          await connection.query('GRANT ALL PRIVILEGES ON *.* TO ?@?', [pool.user, '%']);
          await connection.query('GRANT ALL PRIVILEGES ON *.* TO ?@?', [pool.user, 'localhost']);
        }
      });
    },
    prepare() {
      const server = requireCommand('mariadbd', 'mariadb-server');
      const installDb = requireCommand('mariadb-install-db', 'mariadb-server');
      const dir = dataDir(paths, 'mariadb');
      if (!existsSync(path.join(dir, 'mysql'))) {
        execFileSync(
          installDb,
          ['--no-defaults', `--datadir=${dir}`, '--auth-root-authentication-method=socket', '--skip-test-db', ...(isRoot() ? ['--user=root'] : [])],
          { stdio: 'ignore' },
        );
      }
      const args = [
        '--no-defaults',
        `--datadir=${dir}`,
        `--port=${endpoint.port}`,
        `--bind-address=${endpoint.host}`,
        `--socket=${socketPath}`,
        `--pid-file=${path.join(dir, 'mariadbd.pid')}`,
        '--skip-name-resolve',
        '--max-connections=1000',
        '--innodb-buffer-pool-size=256M',
        '--innodb-flush-log-at-trx-commit=2',
        ...(isRoot() ? ['--user=root'] : []),
      ];
      return { command: server, args };
    },
  };
}

function dynamodbSpec(config: Config, env: NodeJS.ProcessEnv, paths: StackPaths): ServiceSpec {
  const endpoint = endpointOf(config.DYNAMODB_ENDPOINT, 'DYNAMODB_ENDPOINT', env, 80);
  return {
    name: 'dynamodb',
    endpoint,
    startupTimeoutMs: 30_000,
    async probe() {
      const { client } = createDynamo(config);
      try {
        await dynamoCheck(client).check();
      } finally {
        client.destroy();
      }
    },
    prepare() {
      // Dynoxide (docs/decisions/0001-local-dynamodb.md): DynamoDB and DynamoDB Streams on one
      // address, kept in one SQLite file so tables and bookings survive a restart, as MySQL's do.
      const dynoxide = requireFile(path.join(paths.vendor, 'bin', 'dynoxide'), 'the local DynamoDB server (Dynoxide)');
      const dbPath = path.join(dataDir(paths, 'dynamodb'), 'dynoxide.db');
      return { command: dynoxide, args: ['serve', '--host', endpoint.host, '--port', String(endpoint.port), '--db-path', dbPath] };
    },
  };
}

function kafkaSpec(config: Config, env: NodeJS.ProcessEnv, paths: StackPaths, log: Logger): ServiceSpec {
  const endpoint = brokerEndpoint(config.KAFKA_BROKERS, env);
  return {
    name: 'kafka',
    endpoint,
    startupTimeoutMs: 90_000,
    async probe() {
      const admin = createKafka({ ...config, KAFKA_CLIENT_ID: 'corral-stack' }, log.child({ service: 'kafka' })).admin({ retry: { retries: 1 } });
      await admin.connect();
      try {
        await admin.describeCluster();
      } finally {
        await admin.disconnect();
      }
    },
    prepare() {
      const libs = path.join(paths.vendor, 'kafka', 'libs');
      requireFile(libs, `Kafka ${KAFKA_VERSION}`);
      const java = path.join(javaHome(), 'bin', 'java');
      const dir = dataDir(paths, 'kafka');
      const logDir = path.join(dir, 'log');
      const controllerPort = endpoint.port + 1;
      const properties = path.join(dir, 'server.properties');
      writeFileSync(
        properties,
        [
          'process.roles=broker,controller',
          'node.id=1',
          `controller.quorum.voters=1@${endpoint.host}:${controllerPort}`,
          `listeners=PLAINTEXT://${endpoint.host}:${endpoint.port},CONTROLLER://${endpoint.host}:${controllerPort}`,
          `advertised.listeners=PLAINTEXT://${endpoint.host}:${endpoint.port}`,
          'controller.listener.names=CONTROLLER',
          'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
          `log.dirs=${logDir}`,
          'num.partitions=3',
          'offsets.topic.replication.factor=1',
          'offsets.topic.num.partitions=10',
          'transaction.state.log.replication.factor=1',
          'transaction.state.log.min.isr=1',
          'share.coordinator.state.topic.replication.factor=1',
          'share.coordinator.state.topic.min.isr=1',
          'group.initial.rebalance.delay.ms=0',
          'auto.create.topics.enable=true',
          '',
        ].join('\n'),
      );
      const log4j = path.join(dir, 'log4j2.properties');
      writeFileSync(
        log4j,
        [
          'rootLogger.level=WARN',
          'rootLogger.appenderRef.stdout.ref=STDOUT',
          'appender.stdout.type=Console',
          'appender.stdout.name=STDOUT',
          'appender.stdout.layout.type=PatternLayout',
          'appender.stdout.layout.pattern=[%d] %p %m (%c)%n',
          'logger.kafka.name=kafka.server.KafkaRaftServer',
          'logger.kafka.level=INFO',
          '',
        ].join('\n'),
      );
      const classpath = `${libs}/*`;
      const jvm = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4j}`];
      if (!existsSync(path.join(logDir, 'meta.properties'))) {
        const clusterId = randomBytes(16).toString('base64url');
        execFileSync(java, [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties], { stdio: 'ignore' });
      }
      return { command: java, args: [...jvm, '-cp', classpath, 'kafka.Kafka', properties] };
    },
  };
}

function opensearchSpec(config: Config, env: NodeJS.ProcessEnv, paths: StackPaths): ServiceSpec {
  const endpoint = endpointOf(config.OPENSEARCH_URL, 'OPENSEARCH_URL', env, 9200);
  return {
    name: 'opensearch',
    endpoint,
    startupTimeoutMs: 120_000,
    async probe() {
      const response = await fetch(new URL('/_cluster/health', config.OPENSEARCH_URL), { signal: AbortSignal.timeout(2_000) });
      if (!response.ok) throw new Error(`cluster health answered HTTP ${response.status}`);
      const body = (await response.json()) as { status?: string };
      if (body.status === 'red' || body.status === undefined) throw new Error(`cluster health is ${body.status ?? 'unknown'}`);
    },
    prepare() {
      const home = path.join(paths.vendor, `opensearch-${OPENSEARCH_VERSION}`);
      requireFile(path.join(home, 'bin', 'opensearch'), `OpenSearch ${OPENSEARCH_VERSION}`);
      const java = javaHome();
      const dir = dataDir(paths, 'opensearch');
      const configDir = path.join(dir, 'config');
      if (!existsSync(path.join(configDir, 'opensearch.yml'))) cpSync(path.join(home, 'config'), configDir, { recursive: true });
      // The stock JVM options write gc.log, error files and heap dumps relative to OpenSearch's home,
      // which the service user may not write; point them into the data folder and cap the heap.
      const jvmOptions = readFileSync(path.join(home, 'config', 'jvm.options'), 'utf8')
        .replace(/^-Xm([sx])1g$/gm, '-Xm$1512m')
        .replaceAll('file=logs/gc.log', `file=${path.join(dir, 'logs', 'gc.log')}`)
        .replace(/^-XX:HeapDumpPath=data$/m, `-XX:HeapDumpPath=${path.join(dir, 'data')}`)
        .replace(/^-XX:ErrorFile=logs\//m, `-XX:ErrorFile=${path.join(dir, 'logs')}/`);
      writeFileSync(path.join(configDir, 'jvm.options'), jvmOptions);
      for (const sub of ['data', 'logs', 'tmp']) mkdirSync(path.join(dir, sub), { recursive: true });
      const launch: Launch = {
        command: path.join(home, 'bin', 'opensearch'),
        args: [
          '-E', 'discovery.type=single-node',
          '-E', 'cluster.name=corral',
          '-E', `network.host=${endpoint.host}`,
          '-E', `http.port=${endpoint.port}`,
          '-E', `transport.port=${endpoint.port + 100}`,
          '-E', `path.data=${path.join(dir, 'data')}`,
          '-E', `path.logs=${path.join(dir, 'logs')}`,
          // Small CI disks must not flip indices to read-only mid-test.
          '-E', 'cluster.routing.allocation.disk.threshold_enabled=false',
        ],
        env: {
          ...process.env,
          OPENSEARCH_JAVA_HOME: java,
          OPENSEARCH_PATH_CONF: configDir,
          OPENSEARCH_TMPDIR: path.join(dir, 'tmp'),
          OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m',
          HOME: dir,
        },
      };
      if (isRoot()) {
        // OpenSearch refuses to run as root; setup.sh creates this system user.
        const user = serviceUser();
        execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
        return { ...launch, uid: user.uid, gid: user.gid };
      }
      return launch;
    },
  };
}

/** Resolves with the server's first line once it greets (an SMTP server says `220 …`). */
function smtpGreeting(host: string, port: number, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no SMTP greeting within ${timeoutMs} ms`));
    });
    socket.once('error', reject);
    socket.once('data', (chunk) => {
      socket.end('QUIT\r\n');
      resolve(chunk.toString().split('\r\n')[0] ?? '');
    });
  });
}

function mailpitSpec(config: Config, env: NodeJS.ProcessEnv, paths: StackPaths): ServiceSpec {
  const endpoint = endpointOf(config.SMTP_URL, 'SMTP_URL', env, 25);
  const httpUrl = mailpitHttpUrl(env);
  return {
    name: 'mailpit',
    endpoint,
    startupTimeoutMs: 20_000,
    async probe() {
      const greeting = await smtpGreeting(endpoint.host, endpoint.port);
      if (!greeting.startsWith('220')) throw new Error(`SMTP greeting was ${JSON.stringify(greeting)}`);
      // The inbox is read through Mailpit's API (npm start prints it, the tests read mail there).
      const response = await fetch(new URL('/api/v1/info', httpUrl), { signal: AbortSignal.timeout(2_000) });
      if (!response.ok) throw new Error(`Mailpit API at ${httpUrl} answered HTTP ${response.status}`);
    },
    prepare() {
      // Built from the Go module by setup (MIT). Its update check calls a host we cannot reach, and
      // a build from the module has no web UI assets: SMTP and the /api/v1 HTTP API are what work.
      const mailpit = requireFile(path.join(paths.vendor, 'bin', 'mailpit'), 'the local SMTP server (Mailpit)');
      const http = new URL(httpUrl);
      const database = path.join(dataDir(paths, 'mailpit'), 'mailpit.db');
      const args = [
        '--smtp', `${endpoint.host}:${endpoint.port}`,
        '--listen', `${http.hostname}:${http.port || 80}`,
        '--database', database,
        '--disable-version-check',
        '--smtp-disable-rdns',
        // Kept short of the default 500 being hit in a long session; duplicates are kept on purpose
        // (no --ignore-duplicate-ids), so a mail sent twice shows up twice.
        '--max', '5000',
      ];
      return { command: mailpit, args };
    },
  };
}

function serviceUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'corral'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'corral'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('missing tool: the system user "corral" (OpenSearch will not run as root); run `npm run setup`');
  }
}

export function stackServices(config: Config, env: NodeJS.ProcessEnv, paths: StackPaths, log: Logger): ServiceSpec[] {
  return [
    redisSpec(config, env, paths),
    mariadbSpec(config, env, paths),
    dynamodbSpec(config, env, paths),
    kafkaSpec(config, env, paths, log),
    opensearchSpec(config, env, paths),
    mailpitSpec(config, env, paths),
  ];
}
