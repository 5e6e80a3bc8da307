import type { Server, ServerResponse } from "node:http";

/**
 * Remembers every response not yet finished, so a shutdown that cannot wait any longer
 * answers each one 503 UNAVAILABLE (with the SPEC §5 envelope) instead of dropping its socket.
 */
export function trackInFlight(server: Server) {
  const open = new Set<ServerResponse>();
  server.on("request", (_req, res: ServerResponse) => {
    open.add(res);
    res.once("close", () => open.delete(res));
  });
  return {
    get count() {
      return open.size;
    },
    answerUnavailable() {
      for (const res of open) {
        if (res.headersSent) continue;
        const body = JSON.stringify({ error: { code: "UNAVAILABLE", message: "The server is shutting down; retry the request", details: {} } });
        res.writeHead(503, { "content-type": "application/json", "retry-after": "1", connection: "close", "content-length": Buffer.byteLength(body) });
        res.end(body);
      }
    },
  };
}
