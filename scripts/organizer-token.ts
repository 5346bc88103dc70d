// Prints an organizer token for the organizer endpoints of the admission role, signed with the same
// keys the role uses (PASS_SIGNING_JWKS, or the shared dev key in Redis): node dist/scripts/organizer-token.js <orgId>
import { signOrganizerToken } from '../admission/organizer-tokens.js';
import { loadSigningKeys } from '../admission/signing-keys.js';
import { loadConfig } from '../lib/config.js';
import { createRedis } from '../lib/redis.js';

async function main(): Promise<void> {
  const organizerId = process.argv[2];
  if (!organizerId) throw new Error('usage: node dist/scripts/organizer-token.js <orgId>');
  const config = loadConfig();
  const redis = createRedis(config.REDIS_URL);
  try {
    const keys = await loadSigningKeys(config, redis);
    process.stdout.write(`${await signOrganizerToken(keys, organizerId, Date.now())}\n`);
  } finally {
    redis.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`organizer-token: ${error.message}`);
  process.exit(2);
});
