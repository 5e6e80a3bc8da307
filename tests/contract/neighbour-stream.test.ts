import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Neighbour } from "../../server/src/adapters/http/neighbour.js";
import { neighbourEvents, type SseMessage } from "../../server/src/adapters/http/neighbour-stream.js";
import { raw, startFakeNeighbour, type FakeNeighbour } from "./support/fake-neighbour.js";

let server: FakeNeighbour;
beforeAll(async () => {
  server = await startFakeNeighbour();
});
afterAll(() => server.close());
beforeEach(() => server.requests.splice(0));

const neighbour = (): Neighbour => ({ service: "Test stream", serviceId: "test_stream", baseUrl: server.url });

async function collect(path = "/events"): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  for await (const message of neighbourEvents(neighbour(), { method: "GET", path }, new AbortController().signal)) messages.push(message);
  return messages;
}

/** Streams `wire` a byte at a time, each write flushed on its own. */
function byteByByte(wire: string) {
  server.route("GET", "/events", async (_request, response) => {
    response.writeHead(200, { "Content-Type": "text/event-stream" });
    response.flushHeaders();
    for (const byte of Buffer.from(wire, "utf8")) {
      response.write(Buffer.from([byte]));
      await sleep(1);
    }
    response.end();
  });
}

describe("a neighbour's event stream", () => {
  it("parses events split at any byte, with multi-line data, comments, ids and CRLF", async () => {
    byteByByte(': hello\r\nid: 7\r\nevent: message.delta\r\ndata: {"content":\r\ndata: "é"}\r\n\r\nevent: ping\ndata: {}\n\ndata: [DONE]\n\n');
    expect(await collect()).toEqual([
      { comment: true },
      { event: "message.delta", data: '{"content":\n"é"}', id: "7" },
      { event: "ping", data: "{}" },
      { event: "message", data: "[DONE]" },
    ]);
  });

  it("dispatches nothing for a block without data, nor for an event the stream never finished", async () => {
    byteByByte("event: lonely\n\nretry: 10\n\ndata: cut off");
    expect(await collect()).toEqual([]);
  });

  it("sends the §9 headers and asks for an event stream", async () => {
    byteByByte("data: x\n\n");
    await collect();
    expect(server.requests[0]!.headers).toMatchObject({ accept: "text/event-stream", "x-service": "curriculum-orchestrator" });
  });

  it("when the answer is not an event stream, or not a 2xx: UPSTREAM_ERROR naming the neighbour", async () => {
    server.route("GET", "/json", (_request, response) => raw(response, 200, "application/json", "{}"));
    await expect(collect("/json")).rejects.toMatchObject({ code: "UPSTREAM_ERROR", message: "Test stream did not answer with an event stream" });
    server.route("GET", "/down", (_request, response) => raw(response, 503, "text/plain", "down"));
    await expect(collect("/down")).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: "Test stream failed (status 503)",
      details: { service: "test_stream", upstream_status: 503 },
    });
  });

  it("when a neighbour streams one endless event: UPSTREAM_ERROR instead of unbounded memory", async () => {
    server.route("GET", "/events", (_request, response) => {
      response.writeHead(200, { "Content-Type": "text/event-stream" });
      const line = `data: ${"x".repeat(64 * 1024)}\n`;
      for (let i = 0; i < 20; i++) response.write(line);
      response.end("\n");
    });
    await expect(collect()).rejects.toMatchObject({ code: "UPSTREAM_ERROR", message: "Test stream sent an event larger than the limit" });
  });

  it("when the caller aborts mid-stream, the call rejects with the caller's reason", async () => {
    server.route("GET", "/events", (_request, response) => {
      response.writeHead(200, { "Content-Type": "text/event-stream" });
      response.write("data: first\n\n");
    });
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const seen: SseMessage[] = [];
    const reading = (async () => {
      for await (const message of neighbourEvents(neighbour(), { method: "GET", path: "/events" }, controller.signal)) {
        seen.push(message);
        controller.abort(reason);
      }
    })();
    await expect(reading).rejects.toBe(reason);
    expect(seen).toEqual([{ event: "message", data: "first" }]);
  });
});
