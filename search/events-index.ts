// The `events` search index: one document per published event with its status and live availability.
// The mapping is versioned: documents live in `events-v<N>` behind the alias `events`, so a new
// mapping is built beside the old one (reindex) and the alias switched when it is complete.
import type { EventStatus } from '../catalog/event-statuses.js';
import type { SearchClient } from '../lib/search.js';

// v2: `status` (the catalog lifecycle: published, on_sale, sold_out, ended).
export const EVENTS_MAPPING_VERSION = 2;

export function eventsIndexNames(prefix = '') {
  return { alias: `${prefix}events`, index: `${prefix}events-v${EVENTS_MAPPING_VERSION}` };
}

export const eventsMapping = {
  dynamic: 'strict',
  properties: {
    eventId: { type: 'keyword' },
    name: { type: 'text', fields: { raw: { type: 'keyword' } } },
    description: { type: 'text' },
    venueName: { type: 'text', fields: { raw: { type: 'keyword' } } },
    category: { type: 'keyword' },
    city: { type: 'keyword' },
    startsAt: { type: 'date' },
    saleOpensAt: { type: 'date' },
    minPriceCents: { type: 'integer' },
    maxPriceCents: { type: 'integer' },
    currency: { type: 'keyword' },
    seatCount: { type: 'integer' },
    seatsAvailable: { type: 'integer' },
    availability: { type: 'keyword' },
    status: { type: 'keyword' },
    updatedAt: { type: 'date' },
  },
} as const;

/** The statuses a document can have: every status past draft. */
export type IndexedStatus = Exclude<EventStatus, 'draft'>;
export const INDEXED_STATUSES = ['published', 'on_sale', 'sold_out', 'ended'] as const satisfies readonly IndexedStatus[];

export type Availability = 'available' | 'few-left' | 'sold-out';

/** "Few left" is under 10% of the house or under 20 seats, whichever is larger. */
export function availabilityOf(seatsAvailable: number, seatCount: number): Availability {
  if (seatsAvailable <= 0) return 'sold-out';
  return seatsAvailable < Math.max(20, seatCount * 0.1) ? 'few-left' : 'available';
}

export interface EventDocument {
  eventId: string;
  name: string;
  description: string;
  venueName: string;
  category: string;
  city: string;
  startsAt: string;
  saleOpensAt: string;
  minPriceCents: number;
  maxPriceCents: number;
  currency: string;
  seatCount: number;
  seatsAvailable: number;
  availability: Availability;
  status: IndexedStatus;
  updatedAt: string;
}

/** Creates the versioned index and points the alias at it, unless the alias already points at an
 * index (perhaps one a reindex built); safe to call on every start. An index of an older mapping
 * gets the current fields added in place, which OpenSearch allows for new fields, so the indexer
 * can write new documents into it at once; documents written before lack those fields until a
 * reindex rebuilds them (`status`: search treats a missing status as not ended). */
export async function ensureEventsIndex(client: SearchClient, prefix = ''): Promise<void> {
  const { alias, index } = eventsIndexNames(prefix);
  if ((await client.indices.existsAlias({ name: alias })).body) {
    const older = (await aliasedIndices(client, prefix)).filter((name) => name !== index && !name.startsWith(`${index}-`));
    if (older.length > 0) await client.indices.putMapping({ index: older, body: { properties: eventsMapping.properties } as never });
    return;
  }
  await createEventsIndex(client, index);
  await client.indices.putAlias({ index, name: alias });
}

export async function createEventsIndex(client: SearchClient, index: string): Promise<void> {
  const exists = await client.indices.exists({ index });
  if (exists.body) return;
  try {
    await client.indices.create({
      index,
      body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: eventsMapping as never },
    });
  } catch (error) {
    // A concurrent starter created it first: the outcome we wanted.
    if (!String((error as Error).message).includes('resource_already_exists_exception')) throw error;
  }
}

/** The indices the alias points at now (one, except for a moment during a switch). */
export async function aliasedIndices(client: SearchClient, prefix = ''): Promise<string[]> {
  const { alias } = eventsIndexNames(prefix);
  if (!(await client.indices.existsAlias({ name: alias })).body) return [];
  const reply = await client.indices.getAlias({ name: alias });
  return Object.keys(reply.body as Record<string, unknown>);
}
