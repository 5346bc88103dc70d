import { randomUUID } from 'node:crypto';
import { EventStatusSync } from '../../../catalog/event-status-sync.js';
import { gridLayout } from '../../../catalog/venue-layout.js';
import { createKafka } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { ensureEventsIndex, eventsIndexNames } from '../../../search/events-index.js';
import { AvailabilityRefresher } from '../../../workers/indexer/availability-refresher.js';
import { EventIndexer } from '../../../workers/indexer/event-indexer.js';
import { MysqlOutboxRelay } from '../../../workers/relay/mysql-outbox-relay.js';
import { readEventSeats } from '../../../booking/seat-availability.js';
import { http, startCatalogStack } from '../catalog/catalog-stack.js';
import { config } from '../platform-env.js';

async function poll<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('publish or edit → MySQL outbox → Kafka → searchable (real servers)', () => {
  const indexPrefix = `test-${randomUUID().slice(0, 8)}-`;
  let stack: Awaited<ReturnType<typeof startCatalogStack>>;
  const kafka = createKafka(config, logger());

  beforeAll(async () => {
    stack = await startCatalogStack({ indexPrefix });
    await ensureEventsIndex(stack.search, indexPrefix);
  });
  afterAll(async () => {
    await stack.search.indices.delete({ index: eventsIndexNames(indexPrefix).index });
    await stack.close();
  });

  it('makes a published event searchable within a few seconds, with its live seat count', async () => {
    const email = `org-${randomUUID()}@example.test`;
    await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email, password: 'a long enough secret' } });
    const token = (await http(`${stack.apiUrl}/api/sessions`, { method: 'POST', body: { email, password: 'a long enough secret' } })).body!.token as string;
    const organizationId = (await http(`${stack.apiUrl}/api/organizations`, { method: 'POST', token, body: { name: 'Owls' } })).body!.id as string;
    const layout = gridLayout(['A'], 4, 10, () => 'standard');
    const venueId = (await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body: { name: 'Zephyr Hall', city: 'Faro', layout } })).body!.id as string;
    const word = `quokka${randomUUID().slice(0, 6)}`;
    const eventId = (
      await http(`${stack.apiUrl}/api/organizations/${organizationId}/events`, {
        method: 'POST',
        token,
        body: { venueId, name: `The ${word} Sessions`, category: 'jazz', startsAt: '2031-06-01T20:00:00Z', saleOpensAt: '2031-05-01T10:00:00Z', priceTiers: [{ code: 'standard', name: 'Standard', priceCents: 3_000, currency: 'EUR' }] },
      })
    ).body!.id as string;
    const publishedAt = Date.now();
    expect((await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST', token })).status).toBe(200);
    expect(await readEventSeats(stack.store, eventId)).toHaveLength(40);

    // The relay (this one, or any other running against the same MySQL) puts it on Kafka …
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const relay = new MysqlOutboxRelay(stack.prisma, producer, logger());
    const relayAll = () =>
      poll('the outbox messages to be relayed', 15_000, async () => {
        await relay.relayOnce();
        return (await stack.prisma.outboxMessage.count({ where: { messageKey: eventId, publishedAt: null } })) === 0 ? true : undefined;
      });
    await relayAll();

    // … and the indexer, reading the topic, makes it searchable.
    const refresher = new AvailabilityRefresher({ store: stack.store, search: stack.search, log: logger(), indexPrefix, debounceMs: 10 });
    const indexer = new EventIndexer(stack.search, logger(), indexPrefix, refresher);
    const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: ['event.published', 'event.updated'], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== eventId || !message.value) return;
        seen.push(message.value.toString());
        await indexer.apply(message.value.toString());
      },
    });
    try {
      const found = await poll('the event in search results', 20_000, async () => {
        await stack.search.indices.refresh({ index: eventsIndexNames(indexPrefix).index });
        const reply = await http(`${stack.apiUrl}/api/search?q=${word}`);
        return reply.body?.total === 1 ? reply.body : undefined;
      });
      expect(Date.now() - publishedAt).toBeLessThan(30_000);
      expect(found.hits[0]).toMatchObject({ eventId, city: 'Faro', category: 'jazz', seatCount: 40, seatsAvailable: 40, availability: 'available', status: 'published' });
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(seen[0]!)).toMatchObject({ type: 'event.published', version: 1, eventId, data: { venueName: 'Zephyr Hall', seatCount: 40, status: 'published' } });

      // The organizer renames it and its room opens: two event.updated, relayed and applied in order.
      const renamedWord = `wombat${randomUUID().slice(0, 6)}`;
      expect((await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token, body: { name: `The ${renamedWord} Sessions` } })).status).toBe(200);
      const roomOpened = { id: randomUUID(), type: 'queue.state-changed', version: 1, time: new Date().toISOString(), eventId, data: { state: 'open', previousState: 'prequeue', admissionRatePerMinute: 600, maxActiveShoppers: 1_000, reason: 'opened' } };
      expect(await new EventStatusSync({ prisma: stack.prisma, log: logger() }).apply(JSON.stringify(roomOpened))).toBe('applied');
      await relayAll();
      const updated = await poll('the new name and status in search results', 20_000, async () => {
        await stack.search.indices.refresh({ index: eventsIndexNames(indexPrefix).index });
        const reply = await http(`${stack.apiUrl}/api/search?q=${renamedWord}`);
        return reply.body?.total === 1 && reply.body.hits[0].status === 'on_sale' ? reply.body : undefined;
      });
      expect(updated.hits[0]).toMatchObject({ eventId, name: `The ${renamedWord} Sessions`, status: 'on_sale', seatCount: 40 });
      expect((await http(`${stack.apiUrl}/api/search?q=${word}`)).body).toMatchObject({ total: 0 });
      // Deduplicated on the message id, as consumers do (a relay may deliver one twice).
      const messages = [...new Map(seen.map((raw) => JSON.parse(raw) as { id: string; type: string; data: { status: string } }).map((parsed) => [parsed.id, parsed])).values()];
      expect(messages.map(({ type, data }) => [type, data.status])).toEqual([
        ['event.published', 'published'],
        ['event.updated', 'published'],
        ['event.updated', 'on_sale'],
      ]);
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
      await refresher.close();
    }
  }, 90_000);
});
