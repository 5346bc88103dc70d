// OpenSearch client for the event search index.
import { Client } from '@opensearch-project/opensearch';
import type { Config } from './config.js';
import type { DependencyCheck } from './health.js';

export type SearchClient = Client;

export function createSearch(config: Pick<Config, 'OPENSEARCH_URL'>): SearchClient {
  return new Client({ node: config.OPENSEARCH_URL, requestTimeout: 10_000, maxRetries: 2 });
}

export function searchCheck(client: SearchClient): DependencyCheck {
  return {
    name: 'opensearch',
    check: async () => {
      const response = await client.cluster.health({}, { requestTimeout: 2_000, maxRetries: 0 });
      const status = response.body.status;
      if (status === 'red') throw new Error('cluster health is red');
    },
  };
}
