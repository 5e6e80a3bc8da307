import { spawn } from "node:child_process";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tracks } from "../../server/src/db/schema/index.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTestDatabase, createTestRedis, testServices, type TestDatabase, type TestRedis } from "../support/test-infra.js";

const ROOT = join(import.meta.dirname, "../..");
const TRACK = "coding-foundations";

const titleOn = async (app: TestApp, auth: Record<string, string>) =>
  (await http<{ title: string }>(`${app.url}/v1/tracks/${TRACK}`, { headers: auth })).body.title;

describe("catalog reads over REST", () => {
  let app: TestApp;
  let auth: { authorization: string };
  beforeAll(async () => {
    app = await startTestApp();
    auth = await app.authFor("reader");
  });
  afterAll(() => app.close());

  it.each([
    ["tracks.list", "/v1/tracks"],
    ["tracks.get", `/v1/tracks/${TRACK}`],
    ["tracks.problems", `/v1/tracks/${TRACK}/problems`],
    ["problems.get", "/v1/problems/two-sum"],
  ])("%s carries a strong ETag and Cache-Control, and a matching If-None-Match gets 304 with no body", async (_name, path) => {
    const first = await http(`${app.url}${path}`, { headers: auth });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/); // strong: no W/ prefix
    expect(first.headers.get("cache-control")).toBe("private, max-age=60, must-revalidate");

    const revalidated = await fetch(`${app.url}${path}`, { headers: { ...auth, "if-none-match": etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("etag")).toBe(etag);
    expect(await revalidated.text()).toBe("");

    const listed = await fetch(`${app.url}${path}`, { headers: { ...auth, "if-none-match": `"stale", ${etag}` } });
    expect(listed.status).toBe(304);
    const other = await http(`${app.url}${path}`, { headers: { ...auth, "if-none-match": '"something-else"' } });
    expect(other.status).toBe(200);
    expect(other.body).toEqual(first.body);
  });

  it("a 304 still needs a valid token, and still counts against the rate limit", async () => {
    const { headers } = await http(`${app.url}/v1/tracks`, { headers: auth });
    const anonymous = await http(`${app.url}/v1/tracks`, { headers: { "if-none-match": headers.get("etag")! } });
    expect(anonymous.status).toBe(401);
    const revalidated = await fetch(`${app.url}/v1/tracks`, { headers: { ...auth, "if-none-match": headers.get("etag")! } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("ratelimit-remaining")).not.toBeNull();
  });

  it("an unknown id answers 404 in the envelope, without validators", async () => {
    const missing = await http(`${app.url}/v1/problems/no-such-problem`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("etag")).toBeNull();
  });

  it("serves the cached content until the content version moves, then the new content with a new ETag", async () => {
    const before = await http<{ title: string }>(`${app.url}/v1/tracks/${TRACK}`, { headers: auth });
    await app.db.handle.db.update(tracks).set({ title: "Coding, renamed" }).where(eq(tracks.slug, TRACK));
    expect(await titleOn(app, auth)).toBe(before.body.title); // cached: the database is not asked
    await app.deps.contentVersion.bump();
    const after = await http<{ title: string }>(`${app.url}/v1/tracks/${TRACK}`, { headers: auth });
    expect(after.body.title).toBe("Coding, renamed");
    expect(after.headers.get("etag")).not.toBe(before.headers.get("etag"));
    const stale = await fetch(`${app.url}/v1/tracks/${TRACK}`, { headers: { ...auth, "if-none-match": before.headers.get("etag")! } });
    expect(stale.status).toBe(200);
  });
});

/** `npm run seed` as an operator runs it, against this database and Redis prefix. */
function runSeedScript(env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/src/scripts/seed.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CO_LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return new Promise((resolve) => child.on("exit", resolve));
}

describe.runIf(testServices.redisUrl && testServices.dbUrl)("catalog invalidation across instances", () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let a: TestApp;
  let b: TestApp;
  let auth: { authorization: string };
  beforeAll(async () => {
    db = await createTestDatabase();
    redis = (await createTestRedis())!;
    a = await startTestApp({ connectTo: { db, redis } });
    b = await startTestApp({ connectTo: { db, redis } });
    auth = await a.authFor("reader");
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await redis.dispose();
    await db.dispose();
  });

  it("a content change announced by one instance, or by a re-seed, reaches every instance's cache", async () => {
    const original = await titleOn(a, auth);
    expect(await titleOn(b, auth)).toBe(original);

    await db.handle.db.update(tracks).set({ title: "Renamed elsewhere" }).where(eq(tracks.slug, TRACK));
    expect(await titleOn(b, auth)).toBe(original); // both still cached
    await a.deps.contentVersion.bump();
    await expect.poll(() => titleOn(b, auth)).toBe("Renamed elsewhere");
    expect(await titleOn(a, auth)).toBe("Renamed elsewhere");

    // The re-seed restores the authored title and tells both instances through Redis.
    const exit = await runSeedScript({ CO_DB_URL: db.url!, CO_REDIS_URL: testServices.redisUrl!, CO_REDIS_PREFIX: redis.handle.prefix });
    expect(exit).toBe(0);
    await expect.poll(() => titleOn(a, auth)).toBe(original);
    await expect.poll(() => titleOn(b, auth)).toBe(original);
  });
});
