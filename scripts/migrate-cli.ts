// `npm run migrate`: applies prisma/migrations/*/migration.sql to DATABASE_URL.
import path from 'node:path';
import { ConfigError, loadConfig } from '../lib/config.js';
import { applyMigrations } from '../lib/migrate.js';
import { repoRoot } from './stack/stack-config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const result = await applyMigrations(config.DATABASE_URL, path.join(repoRoot, 'prisma', 'migrations'));
  console.log(`applied ${result.applied.length} migration(s); ${result.alreadyApplied.length} already applied`);
  for (const name of result.applied) console.log(`  + ${name}`);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `migrate: ${error.message}`);
  process.exit(2);
});
