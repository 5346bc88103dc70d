// Event search for fans: GET /api/search?q=&city=&category=&from=&to=&minPrice=&maxPrice=&status=&page=&size=
// → hits and facet counts; ended events only with status=ended. Unknown or malformed parameters
// are a 400 naming them.
import type { Express } from 'express';
import type { SearchClient } from '../lib/search.js';
import { searchEvents } from '../search/event-search.js';

export interface SearchRouteDeps {
  search: SearchClient;
  /** Tests pass a prefix so their index is their own. */
  indexPrefix?: string;
}

export function mountSearchRoutes(app: Express, deps: SearchRouteDeps): void {
  app.get('/api/search', async (req, res) => {
    res.json(await searchEvents(deps.search, req.query, deps.indexPrefix ?? ''));
  });
}
