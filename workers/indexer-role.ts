// The indexer role: Kafka to the OpenSearch events index (catalog issue).
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';

export function startIndexer(platform: Platform): Promise<RunningRole> {
  return startHttpRole(platform, { role: 'indexer', portVariable: 'INDEXER_PORT', dependencies: ['kafka', 'opensearch'] });
}
