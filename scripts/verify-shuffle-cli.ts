// npm run verify-shuffle -- <eventId> [--url <waiting-room base URL>]
// Checks an event's pre-queue shuffle as any outsider could: fetches its public fairness record
// (GET /api/events/:id/queue/fairness), checks the revealed seed against the commitment published
// before anyone joined, recomputes the order (fairness-proof.ts) and compares every fan's number.
// Exit 0: verified; 1: a mismatch; 2: bad usage, no record, or the sale has not opened yet.
import { loadConfig } from '../lib/config.js';
import { eventIdSchema } from '../lib/ids.js';
import { fairnessRecordSchema, verifyShuffle } from '../waiting-room/fairness-proof.js';

const USAGE = 'usage: npm run verify-shuffle -- <eventId> [--url http://host:port]   (default: this machine\'s waiting-room role)';

function parseArguments(argv: string[]): { eventId: string; baseUrl: string } | undefined {
  const positional: string[] = [];
  let baseUrl: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--url') baseUrl = argv[(index += 1)];
    else if (argument.startsWith('--url=')) baseUrl = argument.slice('--url='.length);
    else positional.push(argument);
  }
  const eventId = eventIdSchema.safeParse(positional[0]);
  if (!eventId.success || positional.length !== 1 || baseUrl === '') return undefined;
  if (baseUrl === undefined) {
    const config = loadConfig();
    baseUrl = `http://${config.HOST}:${config.WAITING_ROOM_PORT}`;
  }
  return { eventId: eventId.data, baseUrl: baseUrl.replace(/\/+$/, '') };
}

async function main(): Promise<number> {
  const parsed = parseArguments(process.argv.slice(2));
  if (parsed === undefined) {
    console.error(USAGE);
    return 2;
  }
  const url = `${parsed.baseUrl}/api/events/${encodeURIComponent(parsed.eventId)}/queue/fairness`;
  const response = await fetch(url).catch((error: Error) => {
    throw new Error(`could not reach ${url}: ${error.message}`);
  });
  if (response.status === 404) {
    console.error(`verify-shuffle: event ${parsed.eventId} has no waiting room at ${parsed.baseUrl}`);
    return 2;
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const record = fairnessRecordSchema.safeParse(await response.json());
  if (!record.success) throw new Error(`${url} did not answer a fairness record: ${record.error.issues[0]?.message ?? 'invalid'}`);
  const verdict = verifyShuffle(record.data);
  if (record.data.seed === null) {
    console.log(`event ${parsed.eventId}: the seed is still secret; its commitment is ${record.data.commitment ?? '(none)'}`);
    console.error(`verify-shuffle: ${verdict.problems.join('; ')}`);
    return 2;
  }
  if (!verdict.ok) {
    console.error(`verify-shuffle: event ${parsed.eventId} FAILED verification (${verdict.checked} pre-queued fans recomputed):`);
    for (const problem of verdict.problems) console.error(`  - ${problem}`);
    return 1;
  }
  console.log(`event ${parsed.eventId}: verified.`);
  console.log(`  SHA-256 of the revealed seed matches the commitment ${record.data.commitment}`);
  console.log(
    `  ${verdict.checked} pre-queued fans, ordered by HMAC-SHA256(seed, hashed fan id), hold exactly numbers ${record.data.firstNumber}..${
      (record.data.firstNumber ?? 0) + verdict.checked - 1
    } in that order`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`verify-shuffle: ${error.message}`);
    process.exit(2);
  },
);
