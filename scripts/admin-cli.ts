// Ops: platform admins, who may run any event's organizer controls.
//   node dist/scripts/admin-cli.js grant-admin <email> | revoke-admin <email> | session <email>
// grant/revoke print the role change as JSON; `session` prints a 12-hour session JWT of an existing
// admin, signed with the key ring the roles use (PASS_SIGNING_JWKS, or the shared dev key in Redis).
// Exits 2 on bad usage, an unknown email or a session asked for a non-admin.
import { ADMIN_SESSION_TTL_SECONDS, AdminCommandError, grantAdmin, issueAdminSession, revokeAdmin } from '../accounts/admin-roles.js';
import { SessionTokens } from '../accounts/sessions.js';
import { loadSigningKeys } from '../lib/tokens/signing-keys.js';
import { loadConfig } from '../lib/config.js';
import { logger } from '../lib/log.js';
import { Platform } from '../lib/platform.js';

const USAGE = 'usage: node dist/scripts/admin-cli.js grant-admin <email> | revoke-admin <email> | session <email>';

async function run(platform: Platform, command: string, email: string): Promise<string> {
  const prisma = platform.prisma();
  if (command === 'grant-admin') return JSON.stringify(await grantAdmin(prisma, email));
  if (command === 'revoke-admin') return JSON.stringify(await revokeAdmin(prisma, email));
  const keys = await loadSigningKeys(platform.config, platform.redis());
  const sessions = new SessionTokens({ keys, signer: keys, redis: platform.redis(), ttlSeconds: ADMIN_SESSION_TTL_SECONDS });
  return (await issueAdminSession(prisma, sessions, email)).token;
}

async function main(): Promise<number> {
  const [command, email, ...extra] = process.argv.slice(2);
  if (!['grant-admin', 'revoke-admin', 'session'].includes(command ?? '') || email === undefined || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const platform = new Platform(loadConfig(), logger());
  try {
    process.stdout.write(`${await run(platform, command!, email)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof AdminCommandError)) throw error;
    console.error(`admin: ${error.message}`);
    return 2;
  } finally {
    await platform.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`admin: ${error.message}`);
    process.exit(1);
  },
);
