// A loopback TCP proxy a chaos scenario owns, in front of a shared server (the local stack's
// DynamoDB): the roles talk to the proxy, and the scenario cuts it. Only the proxy's own connections
// are ever touched; the server behind it and everyone else's connections to it stay up.
import net from 'node:net';

/** pass: forward; refuse: nothing listens (ECONNREFUSED); blackhole: accept and never answer. */
export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private mode: ProxyMode = 'pass';

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  private accept(client: net.Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    // Blackhole: the bytes are read and dropped; the client waits for an answer that never comes.
    if (this.mode === 'blackhole') {
      client.resume();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Cuts: every open connection destroyed, new ones refused or blackholed until `restore`. */
  async cut(mode: Exclude<ProxyMode, 'pass'>): Promise<void> {
    this.mode = mode;
    // Destroyed first: server.close() waits for every open connection to end.
    const closing = mode === 'refuse' ? this.closeListener() : Promise.resolve();
    this.destroyAll();
    await closing;
  }

  async restore(): Promise<void> {
    const wasBlackhole = this.mode === 'blackhole';
    this.mode = 'pass';
    // Blackholed connections are dropped as the network coming back would (their clients time out anyway).
    if (wasBlackhole) this.destroyAll();
    if (!this.server) await this.start();
  }

  async stop(): Promise<void> {
    const closing = this.closeListener();
    this.destroyAll();
    await closing;
  }

  private destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private async closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
