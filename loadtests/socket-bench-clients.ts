// One client process of the Socket.IO benchmark (waiting-room-sockets.ts forks several): it holds its
// share of the subscribed pages, spread over the gateways and the loopback source addresses, and
// counts every tick packet each page hears with its publish→receipt latency (a 1 ms histogram, so the
// reply over IPC stays small whatever the client count). Also holds bare `ws` clients for the raw limit.
import { io as connect, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { QUEUE_NAMESPACE, SERVING_EVENT } from '../waiting-room/serving-broadcast.js';

/** latency ms (or ticks received) -> how many. */
export type LatencyHistogram = Record<number, number>;

export type ClientCommand =
  | { type: 'grow'; urls: string[]; total: number }
  | { type: 'grow-bare'; url: string; total: number }
  | { type: 'measure' }
  | { type: 'peek' }
  | { type: 'results' }
  | { type: 'close' };

export type ClientReply =
  | { type: 'ready' }
  | { type: 'grown'; connected: number; failed: number; firstError?: string; rss: number }
  | { type: 'measuring' }
  | { type: 'peek'; delivered: number }
  | { type: 'results'; receivedPerClient: LatencyHistogram; latency: LatencyHistogram; latencyByTick: LatencyHistogram[]; cpuUs: number }
  | { type: 'closed' };

interface ClientProcessOptions {
  index: number;
  sourceAddresses: string[];
  eventId: string;
}

type TickPacket = { serving: number; sentAtMs: number };

const CONNECT_BATCH = 100;
const BARE_PREFIX = `42${QUEUE_NAMESPACE},`;

export async function runSocketClients(options: ClientProcessOptions): Promise<void> {
  const sockets: Socket[] = [];
  const bare: WebSocket[] = [];
  let received = new Uint16Array(0);
  let latency: LatencyHistogram = {};
  let latencyByTick: LatencyHistogram[] = [];
  let measuring = false;
  let cpuAtStart = 0;
  const reply = (message: ClientReply) => process.send?.(message);
  const cpuUs = () => {
    const cpu = process.cpuUsage();
    return cpu.user + cpu.system;
  };
  const sourceFor = (ordinal: number, spread: number) => options.sourceAddresses[Math.floor(ordinal / spread) % options.sourceAddresses.length]!;

  function record(client: number, packet: TickPacket): void {
    if (!measuring) return;
    received[client] = (received[client] ?? 0) + 1;
    const ms = Date.now() - packet.sentAtMs;
    latency[ms] = (latency[ms] ?? 0) + 1;
    const byTick = (latencyByTick[packet.serving] ??= {});
    byTick[ms] = (byTick[ms] ?? 0) + 1;
  }

  async function grow(urls: string[], total: number) {
    let failed = 0;
    let firstError: string | undefined;
    while (sockets.length < total && failed === 0) {
      const batch: Array<Promise<unknown>> = [];
      for (let count = 0; count < CONNECT_BATCH && sockets.length < total; count += 1) {
        const ordinal = sockets.length;
        // Interleave gateways across processes, so each gateway gets an equal share.
        const url = urls[(options.index + ordinal) % urls.length]!;
        const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, localAddress: sourceFor(ordinal, urls.length) } as Parameters<typeof connect>[1]);
        sockets.push(socket);
        socket.on(SERVING_EVENT, (packet: TickPacket) => record(ordinal, packet));
        batch.push(
          (socket.timeout(60_000).emitWithAck('subscribe', { eventId: options.eventId }) as Promise<{ ok: boolean; error?: string }>).then(
            (ack) => {
              if (!ack.ok) throw new Error(`subscribe refused: ${ack.error}`);
            },
          ),
        );
      }
      for (const outcome of await Promise.allSettled(batch)) {
        if (outcome.status === 'rejected') {
          failed += 1;
          firstError ??= String((outcome.reason as Error).message);
        }
      }
    }
    const connected = sockets.filter((socket) => socket.connected).length;
    return { connected, failed: failed + (sockets.length - failed - connected), ...(firstError ? { firstError } : {}) };
  }

  async function growBare(url: string, total: number) {
    let failed = 0;
    let firstError: string | undefined;
    while (bare.length < total && failed === 0) {
      const batch: Array<Promise<void>> = [];
      for (let count = 0; count < CONNECT_BATCH && bare.length < total; count += 1) {
        const ordinal = bare.length;
        const client = new WebSocket(url, { perMessageDeflate: false, localAddress: sourceFor(ordinal, 1) });
        bare.push(client);
        client.on('message', (data) => {
          const text = String(data);
          if (!text.startsWith(BARE_PREFIX)) return;
          const [, packet] = JSON.parse(text.slice(BARE_PREFIX.length)) as [string, TickPacket];
          record(ordinal, packet);
        });
        batch.push(
          new Promise((resolve, reject) => {
            client.once('open', () => resolve());
            client.once('error', reject);
          }),
        );
      }
      for (const outcome of await Promise.allSettled(batch)) {
        if (outcome.status === 'rejected') {
          failed += 1;
          firstError ??= String((outcome.reason as Error).message);
        }
      }
    }
    return { connected: bare.filter((client) => client.readyState === WebSocket.OPEN).length, failed, ...(firstError ? { firstError } : {}) };
  }

  process.on('message', (command: ClientCommand) => {
    void (async () => {
      switch (command.type) {
        case 'grow':
        case 'grow-bare': {
          const outcome = command.type === 'grow' ? await grow(command.urls, command.total) : await growBare(command.url, command.total);
          return reply({ type: 'grown', ...outcome, rss: process.memoryUsage().rss });
        }
        case 'measure':
          received = new Uint16Array(Math.max(sockets.length, bare.length));
          latency = {};
          latencyByTick = [];
          cpuAtStart = cpuUs();
          measuring = true;
          return reply({ type: 'measuring' });
        case 'peek':
          return reply({ type: 'peek', delivered: received.reduce((total, count) => total + count, 0) });
        case 'results': {
          measuring = false;
          const receivedPerClient: LatencyHistogram = {};
          for (const count of received) receivedPerClient[count] = (receivedPerClient[count] ?? 0) + 1;
          return reply({ type: 'results', receivedPerClient, latency, latencyByTick, cpuUs: cpuUs() - cpuAtStart });
        }
        case 'close':
          for (const socket of sockets.splice(0)) socket.disconnect();
          for (const client of bare.splice(0)) client.terminate();
          return reply({ type: 'closed' });
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'ready' });
}
