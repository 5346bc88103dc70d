import { defineConfig } from 'prisma/config';

// The CLI is only used for `prisma generate` (and `prisma migrate deploy` where its engine exists);
// the app connects through the MariaDB driver adapter and applies migrations itself.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3316/corral' },
});
