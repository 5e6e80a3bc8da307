import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Closes every open connection (a clean FIN on both sides); new ones still pass. */
  cut(): void;
  /** Stops forwarding bytes in both directions, keeping sockets open: a frozen peer. */
  stall(): void;
  /** Forwards again (what was held during a stall is delivered). */
  resume(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of `targetPort`, standing in for a network path
 * that can be cut or frozen. A stall pauses the sockets, so nothing is lost or answered
 * until `resume()`, as with a SIGSTOPped server or a black-holed route (connects still succeed).
 */
export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let stalled = false;
  /** Bytes held back while stalled, in arrival order, with the socket they are for. */
  let held: [Socket, Buffer][] = [];
  const forward = (from: Socket, to: Socket) =>
    from.on("data", (bytes: Buffer) => (stalled ? held.push([to, bytes]) : to.write(bytes)));
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    forward(client, upstream);
    forward(upstream, client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      for (const [client, upstream] of pairs) {
        client.end();
        upstream.end();
        client.destroySoon();
        upstream.destroySoon();
      }
    },
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const [to, bytes] of held) if (!to.destroyed) to.write(bytes);
      held = [];
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
