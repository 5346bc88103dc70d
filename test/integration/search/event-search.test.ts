import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mountSearchRoutes } from '../../../api/search-routes.js';
import { ValidationError } from '../../../lib/errors.js';
import { closeServer, createHttpApp, listen } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { createSearch, type SearchClient } from '../../../lib/search.js';
import { ensureEventsIndex, eventsIndexNames } from '../../../search/events-index.js';
import { searchEvents } from '../../../search/event-search.js';
import { EventIndexer } from '../../../workers/indexer/event-indexer.js';
import { config } from '../platform-env.js';

const cities = ['Lisbon', 'Porto', 'Madrid', 'Berlin'];
const categories = ['concert', 'comedy', 'theatre', 'sport', 'festival'];

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
      ...overrides,
    },
  });
}

describe('event search (real OpenSearch)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}-`;
  let search: SearchClient;
  let indexer: EventIndexer;
  const total = 300;

  beforeAll(async () => {
    search = createSearch(config);
    await ensureEventsIndex(search, prefix);
    await ensureEventsIndex(search, prefix);
    indexer = new EventIndexer(search, logger(), prefix);
    for (let index = 0; index < total; index += 1) expect(await indexer.apply(message(index))).toBe(true);
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
    for (const bad of ['from=yesterday', 'size=1000', 'colour=red', 'city=Porto&city=Lisbon']) {
      const refused = await fetch(`${base}?${bad}`, { signal: AbortSignal.timeout(10_000) });
      expect([bad, refused.status, refused.headers.get('content-type')]).toEqual([bad, 400, expect.stringContaining('application/problem+json')]);
    }
  });
});
