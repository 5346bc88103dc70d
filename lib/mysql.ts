// MySQL (MariaDB locally) through Prisma's MariaDB driver adapter: no query-engine binary needed.
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from './generated/prisma/client.js';
import type { DependencyCheck } from './health.js';

export type { PrismaClient };

export function mariadbPoolConfig(databaseUrl: string) {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ''),
    connectionLimit: 10,
    connectTimeout: 3_000,
    acquireTimeout: 5_000,
  };
}

export function createPrisma(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaMariaDb(mariadbPoolConfig(databaseUrl)) });
}

export function mysqlCheck(prisma: PrismaClient): DependencyCheck {
  return {
    name: 'mysql',
    check: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}
