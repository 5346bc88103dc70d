import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mountSearchRoutes } from '../../../api/search-routes.js';
import { ValidationError } from '../../../lib/errors.js';
import { closeServer, createHttpApp, listen } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { createSearch, type SearchClient } from '../../../lib/search.js';
import { ensureEventsIndex, eventsIndexNames, eventsMapping } from '../../../search/events-index.js';
import { searchEvents } from '../../../search/event-search.js';
import { EventIndexer } from '../../../workers/indexer/event-indexer.js';
import { config } from '../platform-env.js';

const cities = ['Lisbon', 'Porto', 'Madrid', 'Berlin'];
const categories = ['concert', 'comedy', 'theatre', 'sport', 'festival'];
/** Events 0–299 are live (every third on sale, the rest published); 300–304 have ended. */
const total = 300;
const ended = 5;

function message(index: number, overrides: Record<string, unknown> = {}, time = '2030-01-01T00:00:00Z') {
  const eventId = `event-${index}`;
  return JSON.stringify({
    id: randomUUID(),
    type: 'event.published',
    version: 1,
    time,
    eventId,
    data: {
      name: index % 50 === 0 ? `Midnight Orchestra ${index}` : `Show number ${index}`,
      description: index % 7 === 0 ? 'an evening of strings and brass' : 'a night out',
      category: categories[index % categories.length],
      city: cities[index % cities.length],
      venueName: index % 3 === 0 ? 'Coliseu' : 'Arena',
      startsAt: new Date(Date.UTC(2030, index % 12, 1 + (index % 28))).toISOString(),
      saleOpensAt: '2029-12-01T00:00:00.000Z',
      seatCount: 1_000,
      seatsAvailable: index % 10 === 0 ? 0 : index % 10 === 1 ? 50 : 900,
      minPriceCents: 1_000 + (index % 10) * 1_000,
      maxPriceCents: 20_000,
      currency: 'EUR',
      // Published ones carry no status, like messages written before it existed.
      ...(index >= total ? { status: 'ended' } : index % 3 === 0 ? { status: 'on_sale' } : {}),
      ...overrides,
    },
  });
}

describe('event search (real OpenSearch)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}-`;
  let search: SearchClient;
  let indexer: EventIndexer;

  beforeAll(async () => {
    search = createSearch(config);
    await ensureEventsIndex(search, prefix);
    await ensureEventsIndex(search, prefix);
    indexer = new EventIndexer(search, logger(), prefix);
    for (let index = 0; index < total + ended; index += 1) expect(await indexer.apply(message(index))).toBe(true);
    await search.indices.refresh({ index: eventsIndexNames(prefix).index });
  }, 120_000);
  let server: Server | undefined;
  afterAll(async () => {
    if (server) await closeServer(server);
    await search.indices.delete({ index: eventsIndexNames(prefix).index });
    await search.close();
  });

  it('counts facets over the whole catalog', async () => {
    const result = await searchEvents(search, {}, prefix);
    expect(result.total).toBe(total);
    expect(result.facets.city).toEqual(expect.arrayContaining(cities.map((city) => ({ key: city, count: total / cities.length }))));
    expect(result.facets.category).toEqual(expect.arrayContaining(categories.map((category) => ({ key: category, count: total / categories.length }))));
    expect(result.facets.availability).toEqual(
      expect.arrayContaining([
        { key: 'sold-out', count: 30 },
        { key: 'few-left', count: 30 },
        { key: 'available', count: 240 },
      ]),
    );
    expect(result.facets.price.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(total);
  });

  it('leaves ended events out unless asked for by status, and counts each status', async () => {
    const live = await searchEvents(search, {}, prefix);
    expect(live.facets.status).toEqual(expect.arrayContaining([{ key: 'published', count: 200 }, { key: 'on_sale', count: 100 }]));
    expect(live.facets.status.map((bucket) => bucket.key)).not.toContain('ended');
    const over = await searchEvents(search, { status: 'ended', size: 100 }, prefix);
    expect(over.total).toBe(ended);
    expect(over.hits.map((hit) => hit.eventId).sort()).toEqual(['event-300', 'event-301', 'event-302', 'event-303', 'event-304']);
    expect(over.facets.status).toEqual([{ key: 'ended', count: ended }]);
    const onSaleInPorto = await searchEvents(search, { status: 'on_sale', city: 'Porto', size: 100 }, prefix);
    // index % 3 === 0 and index % 4 === 1: index ≡ 9 (mod 12), 25 of 300.
    expect(onSaleInPorto.total).toBe(25);
    expect(onSaleInPorto.hits.every((hit) => hit.status === 'on_sale' && hit.city === 'Porto')).toBe(true);
  });

  it('adds the status field in place to an index of the older mapping, so the indexer keeps writing until a reindex', async () => {
    const olderPrefix = `test-${randomUUID().slice(0, 8)}-`;
    const { alias } = eventsIndexNames(olderPrefix);
    const olderIndex = `${olderPrefix}events-v1`;
    const { status: _added, ...olderProperties } = eventsMapping.properties;
    await search.indices.create({ index: olderIndex, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { dynamic: 'strict', properties: olderProperties } as never } });
    await search.indices.putAlias({ index: olderIndex, name: alias });
    try {
      const olderIndexer = new EventIndexer(search, logger(), olderPrefix);
      const { status: _none, ...olderDocument } = JSON.parse(message(7)).data as Record<string, unknown>;
      await search.index({ index: olderIndex, id: 'event-7', body: { eventId: 'event-7', ...olderDocument, seatsAvailable: 900, availability: 'available', updatedAt: '2030-01-01T00:00:00Z' } });
      // The strict older mapping refuses a document with a status …
      await expect(olderIndexer.apply(message(8, { status: 'on_sale' }))).rejects.toThrow(/strict_dynamic_mapping/);
      // … until the indexer's start-up check adds the field.
      await ensureEventsIndex(search, olderPrefix);
      expect(await olderIndexer.apply(message(8, { status: 'on_sale' }))).toBe(true);
      expect(await olderIndexer.apply(message(9, { status: 'ended' }))).toBe(true);
      await search.indices.refresh({ index: olderIndex });
      const found = await searchEvents(search, {}, olderPrefix);
      expect(found.hits.map((hit) => [hit.eventId, hit.status ?? null])).toEqual(expect.arrayContaining([['event-7', null], ['event-8', 'on_sale']]));
      expect(found.total).toBe(2);
    } finally {
      await search.indices.delete({ index: olderIndex });
    }
  });

  it('finds events by words in their name, and filters by city and date', async () => {
    const byName = await searchEvents(search, { q: 'orchestra' }, prefix);
    expect(byName.hits.map((hit) => hit.eventId).sort()).toEqual(['event-0', 'event-100', 'event-150', 'event-200', 'event-250', 'event-50']);
    const lisbonInMay = await searchEvents(search, { city: 'Lisbon', from: '2030-05-01', to: '2030-05-31', size: 100 }, prefix);
    expect(lisbonInMay.total).toBeGreaterThan(0);
    for (const hit of lisbonInMay.hits) {
      expect(hit.city).toBe('Lisbon');
      expect(hit.startsAt >= '2030-05-01' && hit.startsAt <= '2030-05-31T23:59:59Z').toBe(true);
    }
    expect(lisbonInMay.facets.city).toEqual([{ key: 'Lisbon', count: lisbonInMay.total }]);
  });

  it('ignores a redelivered or older message and applies a newer one', async () => {
    expect(await indexer.apply(message(1, { name: 'Stale name' }, '2029-06-01T00:00:00Z'))).toBe(false);
    expect(await indexer.apply(message(1, { name: 'Renamed show', seatsAvailable: 0 }, '2030-02-01T00:00:00Z'))).toBe(true);
    expect(await indexer.apply('{not json')).toBe(false);
    await search.indices.refresh({ index: eventsIndexNames(prefix).index });
    const renamed = await searchEvents(search, { q: 'renamed' }, prefix);
    expect(renamed.hits[0]).toMatchObject({ eventId: 'event-1', availability: 'sold-out' });
  });

  it.each([{ from: 'yesterday' }, { from: '2030-05-01', to: '2030-04-01' }, { size: 1000 }])('refuses a bad query %j', async (query) => {
    await expect(searchEvents(search, query, prefix)).rejects.toBeInstanceOf(ValidationError);
  });

  it('answers GET /api/search with hits and facet counts, and 400 for bad parameters', async () => {
    const app = createHttpApp({ role: 'api', log: logger(), checks: [], dependencyTimeoutMs: 2_000, routes: (routes) => mountSearchRoutes(routes, { search, indexPrefix: prefix }) });
    server = await listen(app, '127.0.0.1', 0, 'API_PORT');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/search`;
    const reply = await fetch(`${base}?city=Porto&category=comedy&from=2030-01-01&to=2030-12-31`, { signal: AbortSignal.timeout(10_000) });
    expect(reply.status).toBe(200);
    const body = (await reply.json()) as { total: number; hits: Array<{ city: string; category: string }>; facets: { city: Array<{ key: string; count: number }> } };
    // index % 4 === 1 (Porto) and index % 5 === 1 (comedy): index ≡ 1 (mod 20), 15 of 300.
    expect(body.total).toBe(15);
    expect(body.facets.city).toEqual([{ key: 'Porto', count: 15 }]);
    expect(body.hits.every((hit) => hit.city === 'Porto' && hit.category === 'comedy')).toBe(true);
    const endedReply = await fetch(`${base}?status=ended`, { signal: AbortSignal.timeout(10_000) });
    expect(((await endedReply.json()) as { total: number }).total).toBe(ended);
    for (const bad of ['from=yesterday', 'size=1000', 'colour=red', 'city=Porto&city=Lisbon', 'status=draft']) {
      const refused = await fetch(`${base}?${bad}`, { signal: AbortSignal.timeout(10_000) });
      expect([bad, refused.status, refused.headers.get('content-type')]).toEqual([bad, 400, expect.stringContaining('application/problem+json')]);
    }
  });
});
