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
 * until `resume()`, as with a SIGSTOPped server or a black-holed route.
 */
export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let stalled = false;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    if (stalled) {
      client.pause();
      upstream.pause();
    }
    client.pipe(upstream).pipe(client);
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
      for (const [client, upstream] of pairs) {
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      stalled = false;
      for (const [client, upstream] of pairs) {
        client.resume();
        upstream.resume();
      }
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
