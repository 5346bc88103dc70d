// The process's connections, made on first use and closed together, so a role asks only for
// what it needs and `all` shares one set across roles.
import type { Config } from './config.js';
import { createDynamo, dynamoCheck, type DynamoClients } from './dynamo.js';
import type { DependencyCheck } from './health.js';
import { createKafka, kafkaCheck } from './kafka.js';
import type { Logger } from './log.js';
import { createPrisma, mysqlCheck, type PrismaClient } from './mysql.js';
import { createRedis, redisCheck, type RedisClient } from './redis.js';
import { createSearch, searchCheck, type SearchClient } from './search.js';
import type { Kafka } from 'kafkajs';

export type Dependency = 'redis' | 'dynamodb' | 'kafka' | 'mysql' | 'opensearch';

export class Platform {
  private redisClient?: RedisClient;
  private dynamoClients?: DynamoClients;
  private kafkaClient?: Kafka;
  private prismaClient?: PrismaClient;
  private searchClient?: SearchClient;

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {}

  /** One node, or a cluster client when REDIS_CLUSTER is set. */
  redis(): RedisClient {
    this.redisClient ??= createRedis(this.config);
    return this.redisClient;
  }

  dynamo(): DynamoClients {
    this.dynamoClients ??= createDynamo(this.config);
    return this.dynamoClients;
  }

  kafka(): Kafka {
    this.kafkaClient ??= createKafka(this.config, this.log.child({ component: 'kafka' }));
    return this.kafkaClient;
  }

  prisma(): PrismaClient {
    this.prismaClient ??= createPrisma(this.config.DATABASE_URL);
    return this.prismaClient;
  }

  search(): SearchClient {
    this.searchClient ??= createSearch(this.config);
    return this.searchClient;
  }

  checks(dependencies: Dependency[]): DependencyCheck[] {
    return dependencies.map((dependency) => {
      switch (dependency) {
        case 'redis':
          return redisCheck(this.redis());
        case 'dynamodb':
          return dynamoCheck(this.dynamo().client);
        case 'kafka':
          return kafkaCheck(this.kafka());
        case 'mysql':
          return mysqlCheck(this.prisma());
        case 'opensearch':
          return searchCheck(this.search());
      }
    });
  }

  async close(): Promise<void> {
    this.redisClient?.disconnect();
    this.dynamoClients?.client.destroy();
    await this.prismaClient?.$disconnect();
    await this.searchClient?.close();
  }
}
