import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake neighbour received, as it arrived on the wire. */
export interface RecordedRequest {
  method: string;
  /** Raw path, still percent-encoded, without the query string. */
  path: string;
  /** Query parameters (last value wins). */
  query: Record<string, string>;
  /** Raw query string without "?" ("" when none). */
  search: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
}

export type RouteHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface FakeNeighbour {
  /** Base URL, e.g. http://127.0.0.1:43210 */
  readonly url: string;
  /** Every request received, in order, routed or not. */
  readonly requests: RecordedRequest[];
  /** Scripts `METHOD path` (exact raw path); a route not scripted answers 404. */
  route(method: string, path: string, handler: RouteHandler): void;
  /** Requests received on one route. */
  requestsTo(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** A real `node:http` server on 127.0.0.1, on a free port, whose routes each test scripts. */
export async function startFakeNeighbour(): Promise<FakeNeighbour> {
  const routes = new Map<string, RouteHandler>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawUrl = req.url ?? "/";
      const queryAt = rawUrl.indexOf("?");
      const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
      const search = queryAt === -1 ? "" : rawUrl.slice(queryAt + 1);
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = undefined;
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path,
        query: Object.fromEntries(new URLSearchParams(search)),
        search,
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      const handler = routes.get(`${recorded.method} ${path}`);
      if (!handler) {
        sendJson(res, 404, { error: "no such route" });
        return;
      }
      Promise.resolve(handler(recorded, res)).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: "handler failed" });
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(method, path, handler) {
      routes.set(`${method.toUpperCase()} ${path}`, handler);
    },
    requestsTo(method, path) {
      return requests.filter((request) => request.method === method.toUpperCase() && request.path === path);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function sendJson(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  }
}

/** Answers with a JSON body. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(body));
}

/** Answers with a raw body of any content type (HTML error pages, broken JSON, …). */
export function raw(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { "Content-Type": contentType });
  response.end(body);
}

/** Answers with JSON after `ms`, unless the client went away first. */
export function jsonAfter(response: ServerResponse, ms: number, status: number, body: unknown): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (!response.destroyed) json(response, status, body);
      resolve();
    }, ms);
    response.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A base URL on which nothing listens: a port just freed by a closed server. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
