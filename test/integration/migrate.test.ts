import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mariadb, { type Connection } from 'mariadb';
import { applyMigrations } from '../../lib/migrate.js';
import { mariadbPoolConfig } from '../../lib/mysql.js';
import { config, uniqueName } from './platform-env.js';

describe('SQL migrations (real MariaDB)', () => {
  const database = uniqueName('corral_test').replace(/-/g, '_');
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  let admin: Connection;

  beforeAll(async () => {
    admin = await mariadb.createConnection({ ...mariadbPoolConfig(config.DATABASE_URL) });
    await admin.query(`CREATE DATABASE \`${database}\``);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });

  it('applies each committed migration once, recording it the way Prisma does', async () => {
    const migrations = path.resolve('prisma/migrations');
    const first = await applyMigrations(databaseUrl, migrations);
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await applyMigrations(databaseUrl, migrations);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    const rows = await admin.query<Array<{ migration_name: string; checksum: string }>>(
      `SELECT migration_name, checksum FROM \`${database}\`._prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(first.applied);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.checksum))).toBe(true);
  });

  it('refuses to continue when an applied migration was edited', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'corral-migrations-'));
    cpSync(path.resolve('prisma/migrations'), copy, { recursive: true });
    const [first] = (await applyMigrations(databaseUrl, copy)).alreadyApplied;
    writeFileSync(path.join(copy, first!, 'migration.sql'), '-- edited\nSELECT 1;');
    await expect(applyMigrations(databaseUrl, copy)).rejects.toThrow(/edited after it was applied/);
  });
});
