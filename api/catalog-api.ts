// Builds the api role's accounts, catalog and search routes from the platform: the session key ring
// (the pass keys, audience corral-session), the publish hooks (seats into DynamoDB, waiting room
// into Redis) and the search client. Returned as one mount function for api-role.ts.
import type { Express } from 'express';
import { Accounts } from '../accounts/accounts.js';
import { SessionTokens } from '../accounts/sessions.js';
import { loadSigningKeys } from '../lib/tokens/signing-keys.js';
import { Catalog } from '../catalog/catalog.js';
import { CatalogReads } from '../catalog/catalog-reads.js';
import type { RoomControl } from '../waiting-room/room-control.js';
import { platformPublishHooks } from './publish-hooks.js';
import type { Platform } from '../lib/platform.js';
import { mountAccountRoutes } from './account-routes.js';
import { mountCatalogRoutes } from './catalog-routes.js';
import { mountSearchRoutes } from './search-routes.js';

export async function catalogApi(platform: Platform, roomControl: RoomControl): Promise<(app: Express) => void> {
  const redis = platform.redis();
  const prisma = platform.prisma();
  const keys = await loadSigningKeys(platform.config, redis);
  const sessions = new SessionTokens({ keys, signer: keys, redis });
  const hooks = platformPublishHooks(platform, roomControl);
  return (app) => {
    mountAccountRoutes(app, { accounts: new Accounts(prisma, redis), sessions, prisma, secureCookies: platform.config.NODE_ENV === 'production' });
    mountCatalogRoutes(app, { catalog: new Catalog(prisma), reads: new CatalogReads(prisma), sessions, hooks });
    mountSearchRoutes(app, { search: platform.search() });
  };
}
