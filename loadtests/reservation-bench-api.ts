// The server side of the reservation benchmark, in a process of its own as in production (the api
// and the Socket.IO gateway are pods, the fans are elsewhere): the hold and seat routes and the
// gateway fans identify on, built from the parent's run settings. Tells the parent its ports over IPC
// once listening; answers `capacity-cells` with the DynamoDB units it sent; SIGTERM closes it.
//   forked by loadtests/reservation-bench.ts with BENCH_RUN (JSON: tablePrefix, keyPrefix, channelKey, jwks, issuer)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { mountHoldRoutes } from '../api/hold-routes.js';
import { passCheckFromJwks } from '../api/pass-check.js';
import { mountSeatRoutes } from '../api/seat-routes.js';
import { BookingQueues } from '../booking/booking-queues.js';
import { bookingStore } from '../booking/booking-store.js';
import { TestPaymentProvider } from '../booking/payments.js';
import { SeatMapCache } from '../booking/seat-map-cache.js';
import { loadConfig } from '../lib/config.js';
import { createDynamo } from '../lib/dynamo.js';
import { corralHashKeys, RequestMeter } from '../lib/dynamo-capacity.js';
import { createHttpApp, listen } from '../lib/http.js';
import { logger } from '../lib/log.js';
import { fanIdentifier } from '../waiting-room/fan-rooms.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { attachServingGateway } from '../waiting-room/serving-gateway.js';

const runSchema = z.object({
  tablePrefix: z.string().min(1),
  keyPrefix: z.string().min(1),
  channelKey: z.string().min(1),
  issuer: z.string().min(1),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
});

export interface BenchApiPorts {
  apiPort: number;
  socketPort: number;
}

async function main(): Promise<void> {
  const run = runSchema.parse(JSON.parse(process.env.BENCH_RUN ?? '{}'));
  const config = loadConfig();
  const log = logger();
  const dynamo = createDynamo(config);
  const meter = new RequestMeter(corralHashKeys(run.tablePrefix));
  meter.install(dynamo.client);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const store = bookingStore(dynamo.doc, run.tablePrefix);
  const queues = new BookingQueues({ connection: redis, keyPrefix: run.keyPrefix, partitions: 2, headlinePartitions: 2, pins: redis });
  const seatMap = new SeatMapCache({ redis, store, keyPrefix: run.keyPrefix, ttlMs: 30_000 });
  const jwks = run.jwks as unknown as JSONWebKeySet;
  const app = createHttpApp({
    role: 'api',
    log,
    checks: [],
    dependencyTimeoutMs: 2_000,
    routes: (routes) => {
      mountSeatRoutes(routes, store, seatMap);
      mountHoldRoutes(routes, {
        store, redis, keyPrefix: run.keyPrefix, queues, seatMap,
        payments: new TestPaymentProvider(),
        passCheck: passCheckFromJwks(jwks, run.issuer),
        holdTtlMs: 600_000,
        maxSeatsPerHold: 8,
        maxSeatsPerFan: 8,
      });
    },
  });
  const server = await listen(app, '127.0.0.1', 0, 'API_PORT');
  const socketServer = createServer();
  const gateway = attachServingGateway({
    server: socketServer,
    redis,
    store: new QueueStore({ redis, keyPrefix: `${run.keyPrefix}wr:` }),
    log,
    channelKey: run.channelKey,
    identifyFan: fanIdentifier({ jwks, issuer: run.issuer }),
  });
  await gateway.ready;
  await new Promise<void>((resolve) => socketServer.listen(0, '127.0.0.1', resolve));
  const ports: BenchApiPorts = { apiPort: (server.address() as AddressInfo).port, socketPort: (socketServer.address() as AddressInfo).port };
  process.on('message', (message) => {
    if (message === 'capacity-cells') process.send?.({ capacityCells: meter.cells() });
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    void (async () => {
      await gateway.close();
      socketServer.close();
      server.closeAllConnections();
      server.close();
      await queues.close();
      dynamo.client.destroy();
      redis.disconnect();
    })().finally(() => process.exit(0));
  });
  process.send?.({ ports });
}

main().catch((error: Error) => {
  console.error(`bench api: ${error.message}`);
  process.exit(2);
});
