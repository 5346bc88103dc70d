import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { Catalog, type PublishHooks } from '../../../catalog/catalog.js';
import { changeEventStatus } from '../../../catalog/event-status.js';
import { gridLayout } from '../../../catalog/venue-layout.js';
import { createDynamo, ensureTables, tableNames, type DynamoClients } from '../../../lib/dynamo.js';
import { logger } from '../../../lib/log.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { createRedis, type Redis } from '../../../lib/redis.js';
import { createSearch, type SearchClient } from '../../../lib/search.js';
import { aliasedIndices, ensureEventsIndex, EVENTS_MAPPING_VERSION, eventsIndexNames, type EventDocument } from '../../../search/events-index.js';
import { searchEvents } from '../../../search/event-search.js';
import { bookingStore, type BookingStore } from '../../../booking/booking-store.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { EventIndexer } from '../../../workers/indexer/event-indexer.js';
import { config } from '../platform-env.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

interface ReindexOutput {
  index: string;
  documents: number;
  replaced: string[];
}

/** Runs scripts/reindex-cli.ts as ops would; its last stdout line is the result. */
function runReindexCli(tablePrefix: string, indexPrefix: string, extraArgs: string[] = []): Promise<{ code: number | null; result?: ReindexOutput; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist/scripts/reindex-cli.js'), '--index-prefix', indexPrefix, ...extraArgs], {
      env: { ...process.env, DYNAMODB_TABLE_PREFIX: tablePrefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`reindex-cli did not finish within 90 s: ${stderr}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1);
      resolve({ code, stderr, ...(code === 0 && last ? { result: JSON.parse(last) as ReindexOutput } : {}) });
    });
  });
}

describe('reindex-cli: MySQL + DynamoDB → a new versioned index behind the alias (real MariaDB, DynamoDB, Redis, OpenSearch)', () => {
  const run = randomUUID().slice(0, 8);
  const indexPrefix = `test-rx-${run}-`;
  const tablePrefix = `test-rx-${run}-`;
  const word = `zorblax${run}`;
  let prisma: PrismaClient;
  let redis: Redis;
  let dynamo: DynamoClients;
  let store: BookingStore;
  let search: SearchClient;

  beforeAll(async () => {
    prisma = createPrisma(config.DATABASE_URL);
    redis = createRedis(config.REDIS_URL);
    dynamo = createDynamo(config);
    await ensureTables(dynamo.client, tablePrefix);
    store = bookingStore(dynamo.doc, tablePrefix);
    search = createSearch(config);
  });
  afterAll(async () => {
    await search.indices.delete({ index: `${indexPrefix}events*` }).catch(() => undefined);
    for (const table of Object.values(tableNames(tablePrefix))) await dynamo.client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo.client.destroy();
    redis.disconnect();
    await prisma.$disconnect();
    await search.close();
  });

  /** Two listed events (one on sale with 3 seats held), one ended and one draft, all named with this run's word. */
  async function seedCatalog() {
    const catalog = new Catalog(prisma);
    const user = await prisma.user.create({ data: { email: `rx-${randomUUID()}@example.test` } });
    const { id: organizationId } = await catalog.createOrganization(user.id, 'Reindexers');
    const venue = await catalog.createVenue(user.id, organizationId, { name: 'Quay Hall', city: 'Faro', layout: gridLayout(['A'], 4, 10, () => 'standard') });
    const hooks: PublishHooks = {
      provisionSeats: async (event) => {
        await provisionSeats(store, event.id, event.layout, event.priceCentsByTier);
      },
      configureWaitingRoom: async () => undefined,
    };
    const create = (name: string) =>
      catalog.createEvent(user.id, organizationId, {
        venueId: venue.id,
        name,
        category: 'jazz',
        startsAt: '2032-06-01T20:00:00Z',
        saleOpensAt: '2032-05-01T10:00:00Z',
        priceTiers: [{ code: 'standard', name: 'Standard', priceCents: 3_000, currency: 'EUR' }],
      });
    const busy = await create(`The ${word} Quartet`);
    const quiet = await create(`${word} at dawn`);
    const draft = await create(`${word} unreleased`);
    const over = await create(`${word} farewell`);
    await catalog.publishEvent(user.id, busy.id, hooks);
    await catalog.publishEvent(user.id, quiet.id, hooks);
    await catalog.publishEvent(user.id, over.id, hooks);
    expect(await changeEventStatus(prisma, { eventId: busy.id, from: ['published'], to: 'on_sale' }, () => new Date())).toBe(true);
    expect(await changeEventStatus(prisma, { eventId: over.id, from: ['published'], to: 'ended' }, () => new Date())).toBe(true);
    for (let seat = 1; seat <= 3; seat += 1) {
      const held = await reserveHold(
        { store, redis, keyPrefix: `test:rx-${run}:` },
        { holdId: `h_${randomUUID().replaceAll('-', '')}`, eventId: busy.id, fanId: `fan-${seat}`, request: { seats: [{ section: 'A', row: '1', number: seat }] }, requestedAt: Date.now(), holdTtlMs: 600_000 },
      );
      expect(held.outcome).toBe('held');
    }
    return { busyId: busy.id, quietId: quiet.id, overId: over.id, draftId: draft.id };
  }

  it('rebuilds from the sources of truth, switches the alias with no gap, deletes the old index, and search answers from the new one', async () => {
    const { busyId, quietId, overId } = await seedCatalog();

    // The serving index before the rebuild: a stale copy of one event and a ghost MySQL no longer has.
    await ensureEventsIndex(search, indexPrefix);
    const oldIndex = eventsIndexNames(indexPrefix).index;
    const stale = (eventId: string, name: string): EventDocument => ({
      eventId,
      name,
      description: '',
      venueName: 'Old Hall',
      category: 'jazz',
      city: 'Faro',
      startsAt: '2032-06-01T20:00:00.000Z',
      saleOpensAt: '2032-05-01T10:00:00.000Z',
      minPriceCents: 3_000,
      maxPriceCents: 3_000,
      currency: 'EUR',
      seatCount: 40,
      seatsAvailable: 40,
      availability: 'available',
      status: 'published',
      updatedAt: '2020-01-01T00:00:00.000Z',
    });
    await search.index({ index: oldIndex, id: busyId, body: stale(busyId, `Stale ${word}`), refresh: true });
    await search.index({ index: oldIndex, id: `ghost-${run}`, body: stale(`ghost-${run}`, `Ghost ${word}`), refresh: true });
    expect((await searchEvents(search, { q: word }, indexPrefix)).total).toBe(2);

    // Search keeps answering, from one whole index or the other, while the rebuild runs.
    const probes: Array<number | string> = [];
    let rebuilding = true;
    const prober = (async () => {
      while (rebuilding) {
        probes.push(await searchEvents(search, { q: word }, indexPrefix).then((result) => result.total, (error: Error) => error.message));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const { code, result, stderr } = await runReindexCli(tablePrefix, indexPrefix);
    rebuilding = false;
    await prober;
    expect({ code, failure: /reindex: .*/.exec(stderr)?.[0] }).toEqual({ code: 0, failure: undefined });
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((probe) => probe !== 2)).toEqual([]);

    expect(result!.index).toMatch(new RegExp(`^${indexPrefix}events-v${EVENTS_MAPPING_VERSION}-\\d+$`));
    expect(result!.replaced).toEqual([oldIndex]);
    expect(result!.documents).toBeGreaterThanOrEqual(3);
    expect(await aliasedIndices(search, indexPrefix)).toEqual([result!.index]);
    expect((await search.indices.exists({ index: oldIndex })).body).toBe(false);

    const found = await searchEvents(search, { q: word }, indexPrefix);
    expect(found.hits.map((hit) => hit.eventId).sort()).toEqual([busyId, quietId].sort());
    expect(found.hits.find((hit) => hit.eventId === busyId)).toMatchObject({ name: `The ${word} Quartet`, venueName: 'Quay Hall', seatCount: 40, seatsAvailable: 37, minPriceCents: 3_000, status: 'on_sale' });
    expect(found.hits.find((hit) => hit.eventId === quietId)).toMatchObject({ seatCount: 40, seatsAvailable: 40, availability: 'available', status: 'published' });
    // The ended event is in the index with its status, found only when asked for.
    const ended = await searchEvents(search, { q: word, status: 'ended' }, indexPrefix);
    expect(ended.hits.map((hit) => ({ eventId: hit.eventId, status: hit.status }))).toEqual([{ eventId: overId, status: 'ended' }]);

    // The indexer writes through the alias, so a message newer than the rebuild lands in the new index.
    const indexer = new EventIndexer(search, logger(), indexPrefix);
    const renamed = { ...found.hits.find((hit) => hit.eventId === quietId)! };
    const applied = await indexer.apply(
      JSON.stringify({
        id: randomUUID(),
        type: 'event.updated',
        version: 1,
        time: new Date(Date.now() + 60_000).toISOString(),
        eventId: quietId,
        data: { name: `${word} at dusk`, description: '', category: 'jazz', city: 'Faro', venueName: 'Quay Hall', startsAt: renamed.startsAt, saleOpensAt: renamed.saleOpensAt, seatCount: 40, minPriceCents: 3_000, maxPriceCents: 3_000, currency: 'EUR' },
      }),
    );
    expect(applied).toBe(true);
    await search.indices.refresh({ index: result!.index });
    expect((await searchEvents(search, { q: 'dusk', city: 'Faro' }, indexPrefix)).hits.map((hit) => hit.eventId)).toContain(quietId);

    // --keep-old leaves the replaced index in place (for a rollback by hand).
    const second = await runReindexCli(tablePrefix, indexPrefix, ['--keep-old']);
    expect(second.code).toBe(0);
    expect(second.result!.replaced).toEqual([result!.index]);
    expect(await aliasedIndices(search, indexPrefix)).toEqual([second.result!.index]);
    expect((await search.indices.exists({ index: result!.index })).body).toBe(true);
  }, 240_000);

  it('refuses an index prefix OpenSearch could not use', async () => {
    const { code, stderr } = await runReindexCli(tablePrefix, 'Bad Prefix*');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--index-prefix/);
  });
});
