import type { Search_RequestBody } from '@opensearch-project/opensearch/api/_core/search.js';
import { createSearch } from '../../lib/search.js';
import { config, uniqueName } from './platform-env.js';

describe('opensearch (real server)', () => {
  it('indexes documents and finds them by full text and by facet', async () => {
    const search = createSearch(config);
    const index = uniqueName('test-events');
    await search.indices.create({
      index,
      body: { mappings: { properties: { name: { type: 'text' }, city: { type: 'keyword' } } } },
    });
    await search.bulk({
      refresh: true,
      body: [
        { index: { _index: index, _id: '1' } },
        { name: 'Midnight Orchestra live', city: 'Lisbon' },
        { index: { _index: index, _id: '2' } },
        { name: 'Orchestra of the dawn', city: 'Porto' },
        { index: { _index: index, _id: '3' } },
        { name: 'Stand-up comedy night', city: 'Lisbon' },
      ],
    });
    // The client's generated types omit `field` on terms aggregations (it is valid in the REST API).
    const aggs = { cities: { terms: { field: 'city' } } } as unknown as Search_RequestBody['aggs'];
    const body: Search_RequestBody = { query: { match: { name: { query: 'orchestra' } } }, aggs };
    const response = await search.search({ index, body });
    const ids = response.body.hits.hits.map((hit) => hit._id).sort();
    expect(ids).toEqual(['1', '2']);
    const buckets = (response.body.aggregations?.cities as { buckets: Array<{ key: string; doc_count: number }> }).buckets;
    expect(buckets).toEqual(expect.arrayContaining([{ key: 'Lisbon', doc_count: 1 }, { key: 'Porto', doc_count: 1 }]));
    await search.indices.delete({ index });
    await search.close();
  });
});
