// Applies the committed SQL migrations under prisma/migrations/ in name order. It records them in
// Prisma's own `_prisma_migrations` table (same columns and checksum), so `prisma migrate deploy`
// agrees with it wherever Prisma's schema engine is available; here that engine cannot be fetched.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import mariadb from 'mariadb';
import { mariadbPoolConfig } from './mysql.js';

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

const createLedger = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
  id VARCHAR(36) NOT NULL PRIMARY KEY,
  checksum VARCHAR(64) NOT NULL,
  finished_at DATETIME(3) NULL,
  migration_name VARCHAR(255) NOT NULL,
  logs TEXT NULL,
  rolled_back_at DATETIME(3) NULL,
  started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  applied_steps_count INT UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4`;

export async function applyMigrations(databaseUrl: string, migrationsDir: string): Promise<MigrationResult> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const connection = await mariadb.createConnection({ ...mariadbPoolConfig(databaseUrl), multipleStatements: true });
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  try {
    // One migrator at a time across processes: every role may call this at start.
    const [lock] = await connection.query<Array<{ got: number | bigint | null }>>("SELECT GET_LOCK('corral_migrate', 30) AS got");
    if (Number(lock?.got) !== 1) throw new Error('could not take the migration lock within 30 s');
    try {
      await connection.query(createLedger);
      const rows = await connection.query<Array<{ migration_name: string; checksum: string }>>(
        'SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      );
      const done = new Map(rows.map((row) => [row.migration_name, row.checksum]));
      for (const name of names) {
        const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
        const checksum = createHash('sha256').update(sql).digest('hex');
        const recorded = done.get(name);
        if (recorded !== undefined) {
          if (recorded !== checksum) throw new Error(`migration ${name} was edited after it was applied (checksum differs)`);
          result.alreadyApplied.push(name);
          continue;
        }
        const id = randomUUID();
        await connection.query('INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES (?, ?, ?)', [id, checksum, name]);
        await connection.query(sql);
        await connection.query('UPDATE _prisma_migrations SET finished_at = CURRENT_TIMESTAMP(3), applied_steps_count = 1 WHERE id = ?', [id]);
        result.applied.push(name);
      }
    } finally {
      await connection.query("SELECT RELEASE_LOCK('corral_migrate')");
    }
  } finally {
    await connection.end();
  }
  return result;
}
