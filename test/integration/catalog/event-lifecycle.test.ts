import { randomUUID } from 'node:crypto';
import { Catalog, type PublishHooks } from '../../../catalog/catalog.js';
import { endStartedEvents } from '../../../catalog/event-end-sweep.js';
import { EventStatusSync, type SyncOutcome } from '../../../catalog/event-status-sync.js';
import { gridLayout } from '../../../catalog/venue-layout.js';
import { AppError, ConflictError, ValidationError } from '../../../lib/errors.js';
import { createKafka, TOPICS } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { config, uniqueName } from '../platform-env.js';

const noHooks: PublishHooks = { provisionSeats: async () => undefined, configureWaitingRoom: async () => undefined };

function queueStateChanged(eventId: string, state: string, previousState: string | null = null) {
  return JSON.stringify({
    id: randomUUID(),
    type: 'queue.state-changed',
    version: 1,
    time: new Date().toISOString(),
    eventId,
    data: { state, previousState, admissionRatePerMinute: 600, maxActiveShoppers: 1_000, reason: 'test' },
  });
}

describe('event lifecycle: waiting-room states and the ended sweep (real MariaDB and Kafka)', () => {
  let prisma: PrismaClient;

  beforeAll(() => {
    prisma = createPrisma(config.DATABASE_URL);
  });
  afterAll(() => prisma.$disconnect());

  /** A published event of a fresh organization; `catalogNow` is the catalog's clock. */
  async function publishedEvent(options: { catalogNow?: Date; startsAt?: string; saleOpensAt?: string } = {}) {
    const catalog = new Catalog(prisma, () => options.catalogNow ?? new Date());
    const user = await prisma.user.create({ data: { email: `life-${randomUUID()}@example.test` } });
    const { id: organizationId } = await catalog.createOrganization(user.id, 'Lifecyclers');
    const venue = await catalog.createVenue(user.id, organizationId, { name: 'Tide Hall', city: 'Faro', layout: gridLayout(['A'], 2, 5, () => 'standard') });
    const event = await catalog.createEvent(user.id, organizationId, {
      venueId: venue.id,
      name: `Lifecycle ${randomUUID().slice(0, 6)}`,
      category: 'jazz',
      startsAt: options.startsAt ?? '2033-06-01T20:00:00Z',
      saleOpensAt: options.saleOpensAt ?? '2033-05-01T10:00:00Z',
      priceTiers: [{ code: 'standard', name: 'Standard', priceCents: 2_500, currency: 'EUR' }],
    });
    await catalog.publishEvent(user.id, event.id, noHooks);
    return { catalog, userId: user.id, eventId: event.id };
  }

  async function updates(eventId: string) {
    const rows = await prisma.outboxMessage.findMany({ where: { messageKey: eventId, topic: 'event.updated' }, orderBy: { createdAt: 'asc' } });
    return rows.map((row) => row.payload as { type: string; eventId: string; data: Record<string, unknown> });
  }

  const status = async (eventId: string) => (await prisma.event.findUniqueOrThrow({ where: { id: eventId } })).status;

  it('follows real queue.state-changed messages: on sale once, sold out once, duplicates and stale ones change nothing', async () => {
    const { eventId } = await publishedEvent();
    const kafka = createKafka(config, logger());
    // A topic of its own: other suites' rooms on the shared topic are none of this test's business.
    const topic = uniqueName('test.queue-state-changed');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });

    const sent = [
      queueStateChanged(eventId, 'prequeue', 'scheduled'),
      queueStateChanged(eventId, 'open', 'prequeue'),
      queueStateChanged(eventId, 'open', 'prequeue'), // the relay's at-least-once duplicate
      queueStateChanged(eventId, 'paused', 'open'),
      queueStateChanged(eventId, 'open', 'paused'),
      queueStateChanged(eventId, 'soldout', 'open'),
      queueStateChanged(eventId, 'open', 'paused'), // a stale redelivery after sold out
      queueStateChanged(eventId, 'soldout', 'open'),
      queueStateChanged(eventId, 'closed', 'soldout'),
      '{"not": "an envelope"}',
      queueStateChanged(`bench-${randomUUID()}`, 'open', 'prequeue'), // a room with no catalog event
    ];
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // One key, so one partition and this order, as the relay keys by event id.
    await producer.send({ topic, messages: sent.map((value) => ({ key: eventId, value })) });
    await producer.disconnect();

    const outcomes: SyncOutcome[] = [];
    class RecordingSync extends EventStatusSync {
      override async apply(raw: string): Promise<SyncOutcome> {
        const outcome = await super.apply(raw);
        outcomes.push(outcome);
        return outcome;
      }
    }
    const consumer = kafka.consumer({ groupId: uniqueName('test-status-sync') });
    await consumer.connect();
    try {
      await new RecordingSync({ prisma, log: logger() }).run(consumer, topic);
      const deadline = Date.now() + 30_000;
      while (outcomes.length < sent.length) {
        if (Date.now() > deadline) throw new Error(`applied ${outcomes.length} of ${sent.length} messages within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await consumer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }

    expect(outcomes).toEqual(['ignored', 'applied', 'unchanged', 'unchanged', 'unchanged', 'applied', 'unchanged', 'unchanged', 'ignored', 'malformed', 'ignored']);
    expect(await status(eventId)).toBe('sold_out');
    const written = await updates(eventId);
    expect(written.map((message) => message.data['status'])).toEqual(['on_sale', 'sold_out']);
    expect(written[0]).toMatchObject({ type: 'event.updated', eventId, data: { venueName: 'Tide Hall', seatCount: 10, minPriceCents: 2_500, currency: 'EUR' } });
    // The consumer reads the topic the relay produces to.
    expect(TOPICS).toContain('queue.state-changed');
  }, 90_000);

  it('marks a published event sold out straight from the room, and a later "open" does not put it back on sale', async () => {
    const { eventId } = await publishedEvent();
    const sync = new EventStatusSync({ prisma, log: logger() });
    expect(await sync.apply(queueStateChanged(eventId, 'soldout', 'prequeue'))).toBe('applied');
    expect(await sync.apply(queueStateChanged(eventId, 'open', 'prequeue'))).toBe('unchanged');
    expect(await sync.apply(queueStateChanged(eventId, 'paused', 'open'))).toBe('unchanged');
    expect(await status(eventId)).toBe('sold_out');
    expect((await updates(eventId)).map((message) => message.data['status'])).toEqual(['sold_out']);
  });

  it('keeps an on-sale event on sale when its room closes', async () => {
    const { eventId } = await publishedEvent();
    const sync = new EventStatusSync({ prisma, log: logger() });
    expect(await sync.apply(queueStateChanged(eventId, 'open', 'prequeue'))).toBe('applied');
    expect(await sync.apply(queueStateChanged(eventId, 'closed', 'open'))).toBe('ignored');
    expect(await status(eventId)).toBe('on_sale');
    expect(await updates(eventId)).toHaveLength(1);
  });

  it('ends started events in bounded batches, once each, leaving later ones alone; ended events are read-only', async () => {
    // Times in 1988, so the sweep's clock reaches only this test's events in the shared database.
    const catalogNow = new Date('1988-01-01T00:00:00Z');
    const sweepNow = new Date('1988-06-01T00:00:00Z');
    const clock = () => sweepNow;
    // End of 1988: ends leftovers of an interrupted earlier run (they would fill the first batch),
    // and at the end this test's later event, so no 1988 event stays listed.
    const endOf1988 = () => new Date('1988-12-31T23:59:59Z');
    while ((await endStartedEvents({ prisma, clock: endOf1988, batchSize: 50 })).more);

    const started = [];
    for (const day of ['01', '02', '03']) started.push(await publishedEvent({ catalogNow, startsAt: `1988-03-${day}T20:00:00Z`, saleOpensAt: '1988-02-01T10:00:00Z' }));
    const later = await publishedEvent({ catalogNow, startsAt: '1988-09-01T20:00:00Z', saleOpensAt: '1988-02-01T10:00:00Z' });
    const sync = new EventStatusSync({ prisma, log: logger() });
    await sync.apply(queueStateChanged(started[1]!.eventId, 'open'));
    await sync.apply(queueStateChanged(started[2]!.eventId, 'soldout'));

    const first = await endStartedEvents({ prisma, clock, batchSize: 2 });
    expect(first).toEqual({ ended: [started[0]!.eventId, started[1]!.eventId], more: true });
    const second = await endStartedEvents({ prisma, clock, batchSize: 2 });
    expect(second).toEqual({ ended: [started[2]!.eventId], more: false });
    expect(await endStartedEvents({ prisma, clock, batchSize: 2 })).toEqual({ ended: [], more: false });

    for (const { eventId } of started) {
      expect(await status(eventId)).toBe('ended');
      const ended = (await updates(eventId)).filter((message) => message.data['status'] === 'ended');
      expect(ended).toHaveLength(1);
    }
    expect(await status(later.eventId)).toBe('published');
    expect(await updates(later.eventId)).toHaveLength(0);

    // Nothing moves an ended event: a late sold-out, an edit.
    expect(await sync.apply(queueStateChanged(started[1]!.eventId, 'soldout', 'open'))).toBe('unchanged');
    const { catalog, userId, eventId } = started[0]!;
    await expect(catalog.updateEvent(userId, eventId, { name: 'Encore' })).rejects.toMatchObject({ status: 409, code: 'event-ended' });
    expect(await status(started[1]!.eventId)).toBe('ended');

    while ((await endStartedEvents({ prisma, clock: endOf1988, batchSize: 50 })).more);
    expect(await status(later.eventId)).toBe('ended');
  });

  it('lets a published event change its name, description, category and start, each edit with one event.updated', async () => {
    const { catalog, userId, eventId } = await publishedEvent();
    const renamed = await catalog.updateEvent(userId, eventId, { name: 'Tide Hall Sessions', description: 'Late set', category: 'blues', startsAt: '2033-06-02T21:00:00+01:00' });
    expect(renamed).toMatchObject({ status: 'published', name: 'Tide Hall Sessions', category: 'blues', startsAt: new Date('2033-06-02T20:00:00Z') });
    // Restating a provisioned field's current value is not a change.
    await catalog.updateEvent(userId, eventId, { name: 'Tide Hall Nights', saleOpensAt: '2033-05-01T11:00:00+01:00', priceTiers: [{ code: 'standard', name: 'Standard', priceCents: 2_500, currency: 'EUR' }] });
    const written = await updates(eventId);
    expect(written.map((message) => message.data['name'])).toEqual(['Tide Hall Sessions', 'Tide Hall Nights']);
    expect(written[0]!.data).toMatchObject({ description: 'Late set', category: 'blues', startsAt: '2033-06-02T20:00:00.000Z', saleOpensAt: '2033-05-01T10:00:00.000Z', status: 'published' });
  });

  it('refuses changes to what seats and the room were provisioned from, and a start before the sale or in the past', async () => {
    const { catalog, userId, eventId } = await publishedEvent({ catalogNow: new Date('2033-01-01T00:00:00Z') });
    const refused = catalog.updateEvent(userId, eventId, { name: 'Moved', saleOpensAt: '2033-04-01T10:00:00Z', priceTiers: [{ code: 'standard', name: 'Standard', priceCents: 9_900, currency: 'EUR' }] });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'provisioned-field', extensions: { fields: ['saleOpensAt', 'priceTiers'] } });
    await expect(catalog.updateEvent(userId, eventId, { startsAt: '2033-04-30T10:00:00Z' })).rejects.toMatchObject({ status: 400, extensions: { issues: [expect.objectContaining({ path: 'startsAt' })] } });
    await expect(catalog.updateEvent(userId, eventId, { startsAt: 'soon' })).rejects.toBeInstanceOf(ValidationError);

    const late = await publishedEvent({ catalogNow: new Date('2033-05-20T00:00:00Z'), startsAt: '2033-06-01T20:00:00Z' });
    await expect(late.catalog.updateEvent(late.userId, late.eventId, { startsAt: '2033-05-10T20:00:00Z' })).rejects.toMatchObject({ status: 400, extensions: { issues: [expect.objectContaining({ path: 'startsAt', message: 'must be in the future' })] } });

    expect(await prisma.event.findUniqueOrThrow({ where: { id: eventId } })).toMatchObject({ name: expect.stringMatching(/^Lifecycle /), saleOpensAt: new Date('2033-05-01T10:00:00Z') });
    expect(await updates(eventId)).toHaveLength(0);
    await expect(catalog.deleteEvent(userId, eventId)).rejects.toBeInstanceOf(ConflictError);
  });
});
