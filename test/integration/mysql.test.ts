import { randomUUID } from 'node:crypto';
import { createPrisma, type PrismaClient } from '../../lib/mysql.js';
import { config } from './platform-env.js';

describe('mysql via Prisma (real MariaDB)', () => {
  let prisma: PrismaClient;
  beforeAll(() => {
    prisma = createPrisma(config.DATABASE_URL);
  });
  afterAll(() => prisma.$disconnect());

  it('writes and reads a row through the migrated schema', async () => {
    const email = `fan-${randomUUID()}@example.test`;
    const created = await prisma.user.create({ data: { email } });
    const found = await prisma.user.findUnique({ where: { email } });
    expect(found).toMatchObject({ id: created.id, email, role: 'fan' });
    await prisma.user.delete({ where: { id: created.id } });
  });

  it('refuses a duplicate email with the unique-constraint error', async () => {
    const email = `dup-${randomUUID()}@example.test`;
    await prisma.user.create({ data: { email } });
    await expect(prisma.user.create({ data: { email } })).rejects.toMatchObject({ code: 'P2002' });
    await prisma.user.deleteMany({ where: { email } });
  });
});
