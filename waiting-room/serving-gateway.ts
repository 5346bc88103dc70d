// The Socket.IO gateway of the waiting-room role: a page subscribes to an event and gets the current
// snapshot in the ack, then every `serving` packet the admission role emits to the event's room.
// The Redis adapter lets any number of gateway processes share rooms; no per-fan state lives here.
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { RedisClient } from '../lib/redis.js';
import { Server } from 'socket.io';
import { z } from 'zod';
import type { Logger } from '../lib/log.js';
import { handleFanIdentify, type FanIdentifier } from './fan-rooms.js';
import { eventIdSchema } from './queue-keys.js';
import type { QueueStore } from './queue-store.js';
import { trackSocketClients } from './waiting-room-metrics.js';
import { eventRoom, QUEUE_NAMESPACE, SOCKET_IO_CHANNEL_KEY, type ServingUpdate } from './serving-broadcast.js';

/** A page follows its own event; a few more (tabs sharing a socket) are fine, hundreds are abuse. */
const MAX_EVENTS_PER_SOCKET = 8;

const subscribeSchema = z.object({ eventId: eventIdSchema });

export type SubscribeAck = { ok: true; update: ServingUpdate } | { ok: false; error: string };

export interface ServingGatewayOptions {
  server: HttpServer;
  redis: RedisClient;
  store: QueueStore;
  log: Logger;
  channelKey?: string;
  /** When given, sockets may `identify` with a queue token or pass to join their fan room. */
  identifyFan?: FanIdentifier;
}

export interface ServingGateway {
  io: Server;
  /** Resolves once the adapter listens on Redis, so no packet published after it is missed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function attachServingGateway(options: ServingGatewayOptions): ServingGateway {
  const pubClient = options.redis.duplicate();
  const subClient = options.redis.duplicate();
  const io = new Server(options.server, {
    serveClient: false,
    adapter: createAdapter(pubClient, subClient, { key: options.channelKey ?? SOCKET_IO_CHANNEL_KEY }),
  });
  const log = options.log.child({ component: 'serving-gateway' });
  // Every engine connection holds a file descriptor: that, not a namespace count, meets the ceiling.
  const untrackClients = trackSocketClients({ connectedClients: () => io.engine.clientsCount });

  io.of(QUEUE_NAMESPACE).on('connection', (socket) => {
    if (options.identifyFan) handleFanIdentify(socket, options.identifyFan, log);
    socket.on('subscribe', async (payload: unknown, ack: unknown) => {
      const reply = (answer: SubscribeAck) => {
        if (typeof ack === 'function') ack(answer);
      };
      const parsed = subscribeSchema.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: 'invalid event id' });
      const room = eventRoom(parsed.data.eventId);
      if (!socket.rooms.has(room) && socket.rooms.size > MAX_EVENTS_PER_SOCKET) {
        return reply({ ok: false, error: 'too many subscriptions' });
      }
      try {
        const update = await options.store.snapshot(parsed.data.eventId);
        if (update === null) return reply({ ok: false, error: 'unknown event' });
        await socket.join(room);
        reply({ ok: true, update });
      } catch (error) {
        log.warn({ err: error, eventId: parsed.data.eventId }, 'subscribe failed');
        reply({ ok: false, error: 'unavailable' });
      }
    });
    socket.on('unsubscribe', async (payload: unknown) => {
      const parsed = subscribeSchema.safeParse(payload);
      if (parsed.success) await socket.leave(eventRoom(parsed.data.eventId));
    });
  });

  // The adapter subscribed to its namespace's pattern (`<key>#/queue#*`) when the namespace was
  // created above. Subscribing to the same pattern again and waiting for the reply is a barrier on
  // the subscriber connection: a PING would be too on one node, but a cluster client sends a PING
  // to some node of its pool, not over the connection that holds the subscriptions.
  const ready = subClient.psubscribe(`${options.channelKey ?? SOCKET_IO_CHANNEL_KEY}#${QUEUE_NAMESPACE}#*`).then(() => undefined);

  return {
    io,
    ready,
    close: async () => {
      untrackClients();
      // io.close() also closes the HTTP server and waits for it; idle keep-alive sockets must go too.
      const closing = io.close();
      options.server.closeAllConnections();
      await closing;
      pubClient.disconnect();
      subClient.disconnect();
    },
  };
}
