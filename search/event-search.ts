// Event search for fans: full text over name, description and venue, filters by city, category,
// date, price and status, and facet counts for each, computed by OpenSearch in the same query.
// Ended events are left out unless asked for by `status=ended`.
import { z } from 'zod';
import type { SearchClient } from '../lib/search.js';
import { parseInput } from '../lib/validation.js';
import { eventsIndexNames, INDEXED_STATUSES, type EventDocument } from './events-index.js';

const isoDay = z.iso.datetime({ offset: true }).or(z.iso.date());

export const searchQuerySchema = z
  .object({
    q: z.string().trim().max(200).optional(),
    city: z.string().trim().max(120).optional(),
    category: z.string().trim().max(60).optional(),
    from: isoDay.optional(),
    to: isoDay.optional(),
    minPrice: z.coerce.number().int().min(0).optional(),
    maxPrice: z.coerce.number().int().min(0).optional(),
    status: z.enum(INDEXED_STATUSES).optional(),
    page: z.coerce.number().int().min(1).max(100).default(1),
    size: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()
  // Compared as instants, not text: "2030-05-01T10:00+02:00" and "2030-05-01T09:00Z" differ in
  // spelling and order; a date-only `to` means the whole of that day.
  .refine((query) => !query.from || !query.to || Date.parse(query.from) <= Date.parse(toInclusive(query.to)), { path: ['to'], message: 'must not be before from' });

/** A date-only upper bound covers that whole day (UTC). */
function toInclusive(to: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z` : to;
}
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export interface FacetBucket {
  key: string;
  count: number;
}

export interface SearchResult {
  total: number;
  hits: Array<EventDocument & { score: number | null }>;
  facets: { city: FacetBucket[]; category: FacetBucket[]; availability: FacetBucket[]; price: FacetBucket[]; status: FacetBucket[] };
}

const priceRanges = [
  { key: 'under-25', to: 2_500 },
  { key: '25-50', from: 2_500, to: 5_000 },
  { key: '50-100', from: 5_000, to: 10_000 },
  { key: '100-plus', from: 10_000 },
];

interface Bucket {
  key: string;
  doc_count: number;
}

export async function searchEvents(client: SearchClient, rawQuery: unknown, indexPrefix = ''): Promise<SearchResult> {
  const query = parseInput(searchQuerySchema, rawQuery, 'search query');
  const filter: object[] = [];
  if (query.city) filter.push({ term: { city: query.city } });
  if (query.category) filter.push({ term: { category: query.category } });
  if (query.from || query.to) filter.push({ range: { startsAt: { ...(query.from && { gte: query.from }), ...(query.to && { lte: toInclusive(query.to) }) } } });
  if (query.minPrice !== undefined) filter.push({ range: { maxPriceCents: { gte: query.minPrice } } });
  if (query.maxPrice !== undefined) filter.push({ range: { minPriceCents: { lte: query.maxPrice } } });
  if (query.status) filter.push({ term: { status: query.status } });
  // must_not rather than a list of the other statuses: a document indexed before `status` existed
  // (an older index upgraded in place, not yet rebuilt) has none and is still a live event.
  const mustNot = query.status ? [] : [{ term: { status: 'ended' } }];
  const must = query.q
    ? [{ multi_match: { query: query.q, fields: ['name^3', 'venueName^2', 'description'], fuzziness: 'AUTO' } }]
    : [{ match_all: {} }];
  const response = await client.search({
    index: eventsIndexNames(indexPrefix).alias,
    body: {
      from: (query.page - 1) * query.size,
      size: query.size,
      track_total_hits: true,
      query: { bool: { must, filter, must_not: mustNot } },
      sort: query.q ? ['_score', { startsAt: 'asc' }] : [{ startsAt: 'asc' }],
      aggs: {
        city: { terms: { field: 'city', size: 50 } },
        category: { terms: { field: 'category', size: 50 } },
        availability: { terms: { field: 'availability', size: 3 } },
        price: { range: { field: 'minPriceCents', keyed: false, ranges: priceRanges } },
        status: { terms: { field: 'status', size: INDEXED_STATUSES.length } },
      },
    } as never,
  });
  const body = response.body;
  const buckets = (name: string): FacetBucket[] =>
    ((body.aggregations?.[name] as { buckets?: Bucket[] } | undefined)?.buckets ?? []).map((bucket) => ({ key: String(bucket.key), count: bucket.doc_count }));
  const total = typeof body.hits.total === 'number' ? body.hits.total : (body.hits.total?.value ?? 0);
  return {
    total,
    hits: body.hits.hits.map((hit) => ({ ...(hit._source as EventDocument), score: hit._score ?? null })),
    facets: { city: buckets('city'), category: buckets('category'), availability: buckets('availability'), price: buckets('price'), status: buckets('status') },
  };
}
