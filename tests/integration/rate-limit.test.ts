import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTestRedis, testServices, type TestDatabase } from "../support/test-infra.js";
import { createTrpcClient } from "../support/trpc-client.js";

const LIMIT = 5;
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { CO_RATE_LIMIT_REQUESTS: String(LIMIT), CO_RATE_LIMIT_WINDOW: "60" } });
});
afterAll(() => app.close());

describe("rate limiting over REST", () => {
  it("counts down in RateLimit-* headers, then answers 429 with Retry-After and details.retry_after", async () => {
    const headers = await app.authFor("limited-rest");
    for (let i = 1; i <= LIMIT; i++) {
      const response = await http(`${app.url}/v1/mastery`, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-limit")).toBe(String(LIMIT));
      expect(response.headers.get("ratelimit-remaining")).toBe(String(LIMIT - i));
      expect(Number(response.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    }
    const limited = await http<{ error: { code: string; details: { retry_after: number } } }>(`${app.url}/v1/mastery`, { headers });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(limited.body.error.details.retry_after).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBe(limited.body.error.details.retry_after);
  });

  it("keeps users apart and never limits /health", async () => {
    const other = await http(`${app.url}/v1/mastery`, { headers: await app.authFor("limited-other") });
    expect(other.status).toBe(200);
    for (let i = 0; i < LIMIT * 2; i++) expect((await http(`${app.url}/health`)).status).toBe(200);
  });

  it("limits anonymous callers per client IP", async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await http(`${app.url}/v1/tracks`)).status);
    expect(statuses.slice(0, LIMIT).every((status) => status === 401)).toBe(true);
    expect(statuses[LIMIT]).toBe(429);
  });
});

describe("behind a trusted proxy", () => {
  it("limits anonymous callers by the client IP the proxy reports, not the proxy's", async () => {
    const proxied = await startTestApp({ env: { CO_RATE_LIMIT_REQUESTS: "2", CO_TRUST_PROXY: "loopback" }, db: app.db, redis: null });
    try {
      const from = (ip: string) => http(`${proxied.url}/v1/tracks`, { headers: { "x-forwarded-for": ip } });
      expect((await from("203.0.113.7")).status).toBe(401);
      expect((await from("203.0.113.7")).status).toBe(401);
      expect((await from("203.0.113.7")).status).toBe(429);
      expect((await from("198.51.100.9")).status).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});

describe("rate limiting over tRPC", () => {
  it("counts each procedure of a batch, so a batch of N uses N", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor("limited-trpc"));
    const batch = await Promise.all([client.mastery.list.query({}), client.tracks.list.query({}), client.mastery.list.query({})]);
    expect(batch).toHaveLength(3);
    const response = await http(`${app.url}/v1/mastery`, { headers: await app.authFor("limited-trpc") });
    expect(response.headers.get("ratelimit-remaining")).toBe(String(LIMIT - 4));
    const overflow = await Promise.allSettled([client.mastery.list.query({}), client.mastery.list.query({})]);
    expect(overflow.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(overflow.find((result) => result.status === "rejected")).toMatchObject({
      reason: { data: { app_code: "RATE_LIMITED", httpStatus: 429 } },
    });
  });
});

describe.runIf(testServices.redisUrl)("rate limiting across instances", () => {
  it("two app instances sharing one Redis share one limit", async () => {
    const sharedRedis = (await createTestRedis())!;
    const db: TestDatabase = app.db;
    const env = { CO_RATE_LIMIT_REQUESTS: String(LIMIT), CO_RATE_LIMIT_WINDOW: "60" };
    const a = await startTestApp({ env, db, redis: sharedRedis });
    const b = await startTestApp({ env, db, redis: sharedRedis });
    try {
      const headers = await a.authFor("shared-limit");
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) {
        statuses.push((await http(`${(i % 2 === 0 ? a : b).url}/v1/mastery`, { headers })).status);
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
      expect(statuses.slice(LIMIT)).toEqual([429, 429]);
    } finally {
      await a.close();
      await b.close();
      await sharedRedis.dispose();
    }
  });
});
