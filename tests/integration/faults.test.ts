import { createServer, connect, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDatabase } from "../../server/src/db/database.js";
import { tutorTurns } from "../../server/src/db/schema/index.js";
import { codingProblem, openSession } from "../support/learning.js";
import { http, startTestApp } from "../support/test-app.js";
import { createTestDatabase, testServices } from "../support/test-infra.js";

/** A TCP proxy on loopback that can be cut and restored, standing in for a database outage. */
async function startProxy(targetPort: number) {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  let port = 0;
  const up = async () => {
    server = createServer((client) => {
      const upstream = connect(targetPort, "127.0.0.1");
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
    });
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  };
  const down = async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  };
  await up();
  return { port: () => port, up, down };
}

describe("when Redis is unreachable", () => {
  it("the limiter fails open, readiness reports the degradation, and tutor requests answer 503", async () => {
    const client = new Redis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => {});
    const deadRedis = {
      handle: { client, prefix: "dead:", ping: async () => void (await client.ping()), close: async () => client.disconnect() },
      dispose: async () => client.disconnect(),
    };
    const app = await startTestApp({ redis: deadRedis });
    try {
      const response = await http(`${app.url}/v1/mastery`, { headers: await app.authFor("redis-down") });
      expect(response.status).toBe(200);
      const ready = await http<{ status: string; checks: Record<string, string> }>(`${app.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: "degraded", checks: { database: "ok", redis: "down" } });

      // Stream slots cannot fail open (the per-user cap would stop holding): 503, nothing recorded.
      const problem = codingProblem();
      const session = await openSession(app, "redis-down", problem);
      const hint = await http<{ error: { code: string } }>(`${app.url}/v1/tutor/messages`, {
        method: "POST",
        headers: await app.authFor("redis-down"),
        json: { session_id: session.id, problem_id: problem.id, hint_level: 1 },
      });
      expect(hint.status).toBe(503);
      expect(hint.body.error.code).toBe("UNAVAILABLE");
      expect(await app.db.handle.db.select().from(tutorTurns).where(eq(tutorTurns.userId, "redis-down"))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe.runIf(testServices.dbUrl)("when PostgreSQL goes away", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("answers 503 UNAVAILABLE, reports readiness 503, and recovers without a restart", { timeout: 60_000 }, async () => {
    const created = await createTestDatabase();
    cleanups.push(() => created.dispose());
    const target = new URL(created.url!);
    const proxy = await startProxy(Number(target.port || 5432));
    target.port = String(proxy.port());
    const handle = await openDatabase({ kind: "postgres", url: target.toString(), poolSize: 2 });
    const app = await startTestApp({ db: { handle, dispose: () => handle.close() }, redis: null });
    cleanups.push(() => app.close(), () => handle.close());
    const headers = await app.authFor("db-outage");

    // The learner's own data, read from the database on every call (the catalog is cached and
    // would keep answering through the outage).
    expect((await http(`${app.url}/v1/mastery`, { headers })).status).toBe(200);
    await proxy.down();
    const down = await http<{ error: { code: string; message: string } }>(`${app.url}/v1/mastery`, { headers });
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe("UNAVAILABLE");
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const readiness = await http<{ status: string; checks: Record<string, string> }>(`${app.url}/health/ready`);
    expect(readiness.status).toBe(503);
    expect(readiness.body).toMatchObject({ status: "unavailable", checks: { database: "down" } });

    await proxy.up();
    let recovered = 0;
    for (let attempt = 0; attempt < 20 && recovered !== 200; attempt++) {
      recovered = (await http(`${app.url}/v1/mastery`, { headers })).status;
      if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(recovered).toBe(200);
  });
});
