/**
 * A TCP relay between SDK clients and the test server that can fail the way networks do: drop
 * every connection and refuse new ones (`cut`), or keep connections open while swallowing what
 * the server sends (`blackhole`: a command reaches the server, its ack never comes back).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class FlakyNetwork {
  private readonly server: Server;
  private readonly pairs = new Set<{
    client: Socket;
    upstream: Socket;
    downstreamOpen: { value: boolean };
  }>();
  private refusing = false;
  url = '';

  constructor(private targetPort: number) {
    this.server = createServer((client) => this.relay(client));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('relay did not bind');
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }

  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): void {
    this.refusing = true;
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Keeps connections open but discards everything the server sends on them from now on. */
  blackhole(): void {
    for (const p of this.pairs) p.downstreamOpen.value = false;
  }

  /** Sends new connections to another port (a server restarted elsewhere). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** Accepts connections again. */
  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair = { client, upstream, downstreamOpen: { value: true } };
    this.pairs.add(pair);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (pair.downstreamOpen.value) client.write(d);
    });
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}
