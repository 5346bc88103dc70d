// The front door: published events from the catalog (GET /api/events), and search over them
// (GET /api/search) with the city and category facet counts as filter chips. The catalog list needs
// only MySQL, so it still shows when search is down; opening an event by id stays for rooms that
// have no catalog entry.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { formatCount, formatMoney } from '../format';
import { problemMessage, requestJson } from '../http';
import { Link, navigate } from '../router';

interface CatalogEvent {
  id: string;
  name: string;
  category: string;
  city: string;
  startsAt: string;
  status: string;
  venue?: { name?: string } | null;
  priceTiers?: Array<{ priceCents: number }>;
}

interface SearchHit {
  eventId: string;
  name: string;
  venueName: string;
  category: string;
  city: string;
  startsAt: string;
  minPriceCents: number;
  availability: string;
  /** published | on_sale | sold_out (search leaves ended events out). */
  status?: string;
}

interface FacetBucket {
  key: string;
  count: number;
}

interface SearchReply {
  total: number;
  hits: SearchHit[];
  facets: { city: FacetBucket[]; category: FacetBucket[] };
}

interface Filters {
  q: string;
  city?: string;
  category?: string;
}

/** One shape for both sources, so the list renders the same. */
interface Listing {
  id: string;
  name: string;
  where: string;
  startsAt: string;
  fromPriceCents?: number;
  note?: string;
}

const searching = (filters: Filters) => filters.q !== '' || filters.city !== undefined || filters.category !== undefined;

const CATALOG_PAGE_SIZE = 48;
const SEARCH_PAGE_SIZE = 24;

function searchPath(filters: Filters, page: number): string {
  const params = new URLSearchParams({ page: String(page), size: String(SEARCH_PAGE_SIZE) });
  if (filters.q !== '') params.set('q', filters.q);
  if (filters.city) params.set('city', filters.city);
  if (filters.category) params.set('category', filters.category);
  return `/api/search?${params}`;
}

const catalogPath = (page: number) => `/api/events?size=${CATALOG_PAGE_SIZE}&page=${page}`;

export function HomePage() {
  const [draft, setDraft] = useState('');
  const [filters, setFilters] = useState<Filters>({ q: '' });
  // `page` is the last page loaded; "Show more" fetches the next one of the same source and appends.
  const [listings, setListings] = useState<{ items: Listing[]; total: number; page: number }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [facets, setFacets] = useState<SearchReply['facets']>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    setError(undefined);
    const search = requestJson<SearchReply>(searchPath(filters, 1), { signal: abort.signal });
    const catalog = searching(filters) ? undefined : requestJson<{ total: number; events: CatalogEvent[] }>(catalogPath(1), { signal: abort.signal });
    void Promise.allSettled([search, catalog]).then(([found, listed]) => {
      if (abort.signal.aborted) return;
      setLoading(false);
      setFacets(found.status === 'fulfilled' ? found.value.facets : undefined);
      if (catalog !== undefined) {
        if (listed?.status === 'fulfilled' && listed.value) setListings({ items: listed.value.events.map(fromCatalog), total: listed.value.total, page: 1 });
        else setError(`We could not load the events: ${problemMessage(listed?.status === 'rejected' ? listed.reason : undefined)}`);
      } else if (found.status === 'fulfilled') {
        setListings({ items: found.value.hits.map(fromSearch), total: found.value.total, page: 1 });
      } else {
        setError(`Search is not available right now (${problemMessage(found.reason)}). Clear the search to see every event.`);
        setListings(undefined);
      }
    });
    return () => abort.abort();
  }, [filters]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilters((previous) => ({ ...previous, q: draft.trim() }));
  };
  const showMore = async () => {
    if (!listings) return;
    const page = listings.page + 1;
    setLoadingMore(true);
    try {
      // Events can be added or removed between pages; an id already listed is not shown twice.
      const more = searching(filters)
        ? (await requestJson<SearchReply>(searchPath(filters, page))).hits.map(fromSearch)
        : (await requestJson<{ events: CatalogEvent[] }>(catalogPath(page))).events.map(fromCatalog);
      setListings((previous) => {
        if (!previous) return previous;
        const seen = new Set(previous.items.map((item) => item.id));
        return { ...previous, page, items: [...previous.items, ...more.filter((item) => !seen.has(item.id))] };
      });
    } catch (failure) {
      setError(`We could not load more events: ${problemMessage(failure)}`);
    } finally {
      setLoadingMore(false);
    }
  };
  const toggle = (facet: 'city' | 'category', key: string) => setFilters((previous) => ({ ...previous, [facet]: previous[facet] === key ? undefined : key }));

  return (
    <section className="stack">
      <h1>Tickets, fairly.</h1>
      <p>Every fan gets a place in line; seats are sold exactly once.</p>
      <form role="search" onSubmit={submit} className="stack" aria-label="Events">
        <label htmlFor="event-search">Search events</label>
        <div className="row">
          <input id="event-search" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Artist, venue or city" autoComplete="off" className="grow" />
          <button type="submit" className="primary">Search</button>
          {searching(filters) && (
            <button type="button" onClick={() => { setDraft(''); setFilters({ q: '' }); }}>Clear</button>
          )}
        </div>
      </form>
      {facets && <FacetChips title="City" facet="city" buckets={facets.city} active={filters.city} onToggle={toggle} />}
      {facets && <FacetChips title="Category" facet="category" buckets={facets.category} active={filters.category} onToggle={toggle} />}

      <div aria-live="polite" aria-busy={loading} className="stack">
        {error && <p className="notice notice-error" role="alert">{error}</p>}
        {listings && (
          <p className="muted" data-testid="event-count">
            {searching(filters) ? `${formatCount(listings.total)} ${listings.total === 1 ? 'event matches' : 'events match'}` : `${formatCount(listings.total)} ${listings.total === 1 ? 'event' : 'events'} on sale or coming up`}
          </p>
        )}
      </div>
      {listings && listings.items.length > 0 && (
        <ul className="event-list" data-testid="event-list">
          {listings.items.map((item) => (
            <li key={item.id} className="card event-card">
              <h2>
                <Link href={`/events/${encodeURIComponent(item.id)}`}>{item.name}</Link>
              </h2>
              <p className="muted">
                {item.where} · {new Date(item.startsAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
              </p>
              {(item.fromPriceCents !== undefined || item.note) && (
                <p className="muted">
                  {item.fromPriceCents !== undefined && `From ${formatMoney(item.fromPriceCents)}`}
                  {item.fromPriceCents !== undefined && item.note && ' · '}
                  {item.note}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      {listings && listings.items.length < listings.total && (
        <p className="row">
          <button type="button" onClick={() => void showMore()} disabled={loadingMore} data-testid="show-more">
            {loadingMore ? 'Loading…' : `Show more (${formatCount(listings.items.length)} of ${formatCount(listings.total)} shown)`}
          </button>
        </p>
      )}
      <OpenById />
    </section>
  );
}

function FacetChips(props: { title: string; facet: 'city' | 'category'; buckets: FacetBucket[]; active: string | undefined; onToggle: (facet: 'city' | 'category', key: string) => void }) {
  const labelId = useId();
  if (props.buckets.length === 0) return null;
  return (
    <div className="row chips" role="group" aria-labelledby={labelId}>
      <span id={labelId} className="chips-label">{props.title}</span>
      {props.buckets.map((bucket) => (
        <button key={bucket.key} type="button" className="chip" aria-pressed={props.active === bucket.key} onClick={() => props.onToggle(props.facet, bucket.key)} data-testid={`facet-${props.facet}`}>
          {bucket.key} <span className="chip-count">{formatCount(bucket.count)}</span>
        </button>
      ))}
    </div>
  );
}

function OpenById() {
  const [eventId, setEventId] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (eventId.trim() !== '') navigate(`/events/${encodeURIComponent(eventId.trim())}`);
  };
  return (
    <details className="card">
      <summary>Have an event id?</summary>
      <form onSubmit={submit} className="stack">
        <label htmlFor="home-event-id">Event id</label>
        <div className="row">
          <input id="home-event-id" value={eventId} onChange={(e) => setEventId(e.target.value)} autoComplete="off" required />
          <button type="submit">Open event</button>
        </div>
      </form>
    </details>
  );
}

function fromCatalog(event: CatalogEvent): Listing {
  const prices = event.priceTiers?.map((tier) => tier.priceCents) ?? [];
  return {
    id: event.id,
    name: event.name,
    where: [event.venue?.name, event.city].filter(Boolean).join(', '),
    startsAt: event.startsAt,
    fromPriceCents: prices.length > 0 ? Math.min(...prices) : undefined,
    note: event.status === 'sold_out' ? 'Sold out' : event.status === 'on_sale' ? `${event.category} · On sale now` : event.category,
  };
}

function fromSearch(hit: SearchHit): Listing {
  return {
    id: hit.eventId,
    name: hit.name,
    where: [hit.venueName, hit.city].filter(Boolean).join(', '),
    startsAt: hit.startsAt,
    fromPriceCents: hit.minPriceCents > 0 ? hit.minPriceCents : undefined,
    note: [
      hit.category,
      hit.status === 'sold_out' || hit.availability === 'sold-out' ? 'Sold out' : hit.availability === 'few-left' ? 'Few seats left' : hit.status === 'on_sale' ? 'On sale now' : undefined,
    ]
      .filter(Boolean)
      .join(' · '),
  };
}
