import { randomUUID } from 'node:crypto';
import { Catalog, type PublishHooks, type PublishedEvent } from '../../../catalog/catalog.js';
import { gridLayout } from '../../../catalog/venue-layout.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../../lib/errors.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { config } from '../platform-env.js';

describe('catalog (real MariaDB)', () => {
  let prisma: PrismaClient;
  let catalog: Catalog;
  const now = new Date('2030-01-01T00:00:00Z');

  beforeAll(() => {
    prisma = createPrisma(config.DATABASE_URL);
    catalog = new Catalog(prisma, () => now);
  });
  afterAll(() => prisma.$disconnect());

  async function organizer() {
    const user = await prisma.user.create({ data: { email: `org-${randomUUID()}@example.test` } });
    const organization = await catalog.createOrganization(user.id, 'Night Owls Ltd');
    return { userId: user.id, organizationId: organization.id };
  }

  const layout = gridLayout(['A', 'B'], 5, 10, (section) => (section === 'A' ? 'front' : 'back'));
  const eventInput = (venueId: string) => ({
    venueId,
    name: 'Midnight Orchestra',
    category: 'concert',
    startsAt: '2030-03-01T20:00:00Z',
    saleOpensAt: '2030-02-01T10:00:00+01:00',
    priceTiers: [
      { code: 'front', name: 'Front stalls', priceCents: 9_000, currency: 'EUR' },
      { code: 'back', name: 'Back stalls', priceCents: 4_500, currency: 'EUR' },
    ],
  });

  function recordingHooks(calls: string[], fail?: 'provisionSeats'): PublishHooks {
    return {
      provisionSeats: async (event: PublishedEvent) => {
        calls.push(`seats:${event.id}:${event.layout.sections.length}`);
        if (fail === 'provisionSeats') throw new Error('dynamodb unavailable');
      },
      configureWaitingRoom: async (event: PublishedEvent) => {
        calls.push(`room:${event.id}`);
      },
    };
  }

  it('creates a venue and an event, and publishes it with one outbox message in the same transaction', async () => {
    const { userId, organizationId } = await organizer();
    const venue = await catalog.createVenue(userId, organizationId, { name: 'Coliseu', city: 'Lisbon', layout });
    expect(venue.seatCount).toBe(100);
    const event = await catalog.createEvent(userId, organizationId, eventInput(venue.id));
    expect(event).toMatchObject({ status: 'draft', city: 'Lisbon' });

    const calls: string[] = [];
    const published = await catalog.publishEvent(userId, event.id, recordingHooks(calls));
    expect(calls).toEqual([`seats:${event.id}:2`, `room:${event.id}`]);
    const outbox = await prisma.outboxMessage.findMany({ where: { messageKey: event.id } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ id: published.outboxMessageId, topic: 'event.published' });
    expect(outbox[0]!.payload).toMatchObject({ type: 'event.published', version: 1, eventId: event.id, data: { seatCount: 100 } });
    await expect(catalog.publishEvent(userId, event.id, recordingHooks([]))).rejects.toBeInstanceOf(ConflictError);
  });

  it('leaves the event a draft with no outbox message when provisioning fails, so publish can be retried', async () => {
    const { userId, organizationId } = await organizer();
    const venue = await catalog.createVenue(userId, organizationId, { name: 'Hall', city: 'Porto', layout });
    const event = await catalog.createEvent(userId, organizationId, eventInput(venue.id));
    await expect(catalog.publishEvent(userId, event.id, recordingHooks([], 'provisionSeats'))).rejects.toThrow('dynamodb unavailable');
    expect(await prisma.event.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: 'draft' });
    expect(await prisma.outboxMessage.count({ where: { messageKey: event.id } })).toBe(0);
    await expect(catalog.publishEvent(userId, event.id, recordingHooks([]))).resolves.toMatchObject({ status: 'published' });
  });

  it('refuses someone outside the organization', async () => {
    const { organizationId } = await organizer();
    const stranger = await prisma.user.create({ data: { email: `x-${randomUUID()}@example.test` } });
    await expect(catalog.createVenue(stranger.id, organizationId, { name: 'V', city: 'C', layout })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it.each([
    ['a layout with a duplicate seat', { name: 'V', city: 'C', layout: { sections: [{ section: 'A', rows: [{ row: '1', seats: [{ number: 1, tier: 't' }, { number: 1, tier: 't' }] }] }] } }],
    ['a venue without a city', { name: 'V', layout }],
  ])('refuses %s with a validation error', async (_label, input) => {
    const { userId, organizationId } = await organizer();
    await expect(catalog.createVenue(userId, organizationId, input)).rejects.toBeInstanceOf(ValidationError);
  });

  it.each([
    ['a malformed date', { startsAt: '1 March 2030' }],
    ['a sale opening after the event starts', { saleOpensAt: '2030-03-02T00:00:00Z' }],
    ['a layout tier without a price', { priceTiers: [{ code: 'front', name: 'Front', priceCents: 1, currency: 'EUR' }] }],
    ['a bad currency', { priceTiers: [{ code: 'front', name: 'F', priceCents: 1, currency: 'euro' }, { code: 'back', name: 'B', priceCents: 1, currency: 'EUR' }] }],
  ])('refuses an event with %s', async (_label, override) => {
    const { userId, organizationId } = await organizer();
    const venue = await catalog.createVenue(userId, organizationId, { name: 'V', city: 'C', layout });
    await expect(catalog.createEvent(userId, organizationId, { ...eventInput(venue.id), ...override })).rejects.toBeInstanceOf(ValidationError);
  });
});
