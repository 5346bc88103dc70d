// `npm run audit -- --event <id> [--table-prefix <prefix>]`: reads the event's seats, holds and
// bookings from DynamoDB, prints the report as JSON, and exits 1 on any violation (2 on bad usage).
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.js';
import { createDynamo } from '../lib/dynamo.js';
import { auditEvent } from '../booking/booking-audit.js';
import { eventIdSchema } from '../booking/booking-keys.js';
import { bookingStore } from '../booking/booking-store.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { event: { type: 'string' }, 'table-prefix': { type: 'string' } } });
  const eventId = eventIdSchema.safeParse(values.event);
  if (!eventId.success) {
    console.error('usage: npm run audit -- --event <id> [--table-prefix <prefix>]');
    return 2;
  }
  const config = loadConfig();
  const dynamo = createDynamo(config);
  try {
    const report = await auditEvent(bookingStore(dynamo.doc, values['table-prefix'] ?? config.DYNAMODB_TABLE_PREFIX), eventId.data);
    console.log(JSON.stringify(report, null, 2));
    return report.violations.length > 0 ? 1 : 0;
  } finally {
    dynamo.client.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`audit: ${error.message}`);
    process.exit(2);
  },
);
