// Creates (once) the demo organizer, organization, venue and published event, and prints them:
// node dist/scripts/seed-cli.js
import { loadConfig } from '../lib/config.js';
import { logger } from '../lib/log.js';
import { Platform } from '../lib/platform.js';
import { seedDemo } from './demo-seed.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = new Platform(config, logger());
  try {
    const seed = await seedDemo(platform);
    const api = `http://${config.HOST}:${config.API_PORT}`;
    process.stdout.write(
      [
        `demo organizer: ${seed.organizerEmail} / ${seed.organizerPassword}`,
        `demo event:     ${seed.eventId} (${seed.seatCount} seats)`,
        `                ${api}/api/events/${seed.eventId}`,
        '',
      ].join('\n'),
    );
  } finally {
    await platform.close();
  }
}

main().catch((error: Error) => {
  console.error(`seed: ${error.message}`);
  process.exit(2);
});
