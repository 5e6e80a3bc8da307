import { generateKeyPair, exportSPKI, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, startTestApp, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const sign = (claims: { sub?: string; iss?: string; aud?: string; exp?: number | string }, key: Uint8Array = secret) => {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuedAt();
  if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
  if (claims.iss !== undefined) jwt = jwt.setIssuer(claims.iss);
  if (claims.aud !== undefined) jwt = jwt.setAudience(claims.aud);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
};
const valid = { sub: "learner-1", iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: "1h" };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const exactly = (message: string) => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

/** Each case: the Authorization header, and the words the 401 message must contain (or be, exactly). */
const matrix: [string, () => Promise<string | undefined>, RegExp][] = [
  ["missing", async () => undefined, exactly("Missing bearer token: send `Authorization: Bearer <token>` (a development token: `npm run token`)")],
  [
    "`Bearer ` with nothing after it",
    async () => "Bearer ",
    exactly("Missing bearer token: the Authorization header has `Bearer` and no token after it; send `Authorization: Bearer <token>` (a development token: `npm run token`)"),
  ],
  [
    "a valid JWT without `Bearer `",
    async () => sign(valid),
    exactly("The Authorization header has a token without `Bearer ` in front of it: send `Authorization: Bearer <token>` (a development token: `npm run token`)"),
  ],
  [
    "not a bearer scheme",
    async () => "Basic dXNlcjpwYXNz",
    exactly("The Authorization header is not a bearer token (its scheme is `Basic`): send `Authorization: Bearer <token>` (a development token: `npm run token`)"),
  ],
  ["malformed", async () => "Bearer not-a-jwt", /malformed/i],
  ["expired", async () => `Bearer ${await sign({ ...valid, exp: Math.floor(Date.now() / 1000) - 60 })}`, /expired/i],
  ["bad signature", async () => `Bearer ${await sign(valid, new TextEncoder().encode("another-secret-of-sufficient-length-000000"))}`, /signature/i],
  ["wrong issuer", async () => `Bearer ${await sign({ ...valid, iss: "evil.example.com" })}`, /issuer/i],
  ["wrong audience", async () => `Bearer ${await sign({ ...valid, aud: "someone-else" })}`, /audience/i],
  ["alg none", async () => `Bearer ${new UnsecuredJWT({ sub: "x" }).setIssuer(TEST_ISSUER).setAudience(TEST_AUDIENCE).setExpirationTime("1h").encode()}`, /none/i],
  ["missing sub", async () => `Bearer ${await sign({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: "1h" })}`, /subject/i],
  ["missing exp", async () => `Bearer ${await sign({ sub: "x", iss: TEST_ISSUER, aud: TEST_AUDIENCE })}`, /expiry/i],
  ["sub over 255 chars", async () => `Bearer ${await sign({ ...valid, sub: "u".repeat(256) })}`, /255/],
];

describe("authentication matrix over REST", () => {
  it.each(matrix)("when the token is %s, /v1 answers 401 naming the failed check", async (_name, header, expected) => {
    const authorization = await header();
    const { status, body } = await http<{ error: { code: string; message: string; details: object } }>(`${app.url}/v1/tracks`, {
      headers: authorization ? { authorization } : {},
    });
    expect(status).toBe(401);
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(body.error.message).toMatch(expected);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it("accepts a valid token, with the scheme in any case", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const { status } = await http(`${app.url}/v1/tracks`, { headers: { authorization: `${scheme} ${await sign(valid)}` } });
      expect(status, scheme).toBe(200);
    }
  });

  it("lets health, docs and the document through without a token", async () => {
    for (const path of ["/health", "/health/ready", "/openapi.json", "/docs"]) {
      expect((await http(`${app.url}${path}`)).status, path).toBe(200);
    }
  });
});

describe("authentication matrix over tRPC", () => {
  it.each(matrix)("when the token is %s, the call fails UNAUTHORIZED naming the check", async (_name, header, expected) => {
    const authorization = await header();
    const client = createTrpcClient(app.url, undefined, authorization ? { authorization } : {});
    await expect(client.tracks.list.query({})).rejects.toMatchObject({
      message: expect.stringMatching(expected),
      data: { app_code: "UNAUTHORIZED", httpStatus: 401 },
    });
  });
});

describe("asymmetric keys", () => {
  it("verifies RS256 with a PEM key and refuses an HS256 token signed with anything", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const pem = await exportSPKI(publicKey);
    const rsApp = await startTestApp({ env: { CO_JWT_SECRET: "", CO_JWT_PUBLIC_KEY: pem }, db: app.db, redis: null });
    try {
      const rsToken = await new SignJWT({})
        .setProtectedHeader({ alg: "RS256" })
        .setSubject("rs-user")
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setExpirationTime("1h")
        .sign(privateKey);
      expect((await http(`${rsApp.url}/v1/tracks`, { headers: { authorization: `Bearer ${rsToken}` } })).status).toBe(200);

      // The classic confusion attack: an HS256 token "signed" with the public key's PEM text.
      const confused = await sign(valid, new TextEncoder().encode(pem));
      const refused = await http<{ error: { message: string } }>(`${rsApp.url}/v1/tracks`, {
        headers: { authorization: `Bearer ${confused}` },
      });
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toMatch(/algorithm 'HS256' is not allowed/);
    } finally {
      await rsApp.close();
    }
  });

  it("picks the algorithm from the PEM key's curve: a P-384 key verifies ES384", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES384");
    const ecApp = await startTestApp({ env: { CO_JWT_SECRET: "", CO_JWT_PUBLIC_KEY: await exportSPKI(publicKey) }, db: app.db, redis: null });
    try {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: "ES384" })
        .setSubject("ec-user")
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setExpirationTime("1h")
        .sign(privateKey);
      expect((await http(`${ecApp.url}/v1/tracks`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await ecApp.close();
    }
  });

  it("verifies ES256 through a JWKS endpoint on loopback", async () => {
    const { createServer } = await import("node:http");
    const { exportJWK } = await import("jose");
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    const jwksServer = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    const port = (jwksServer.address() as { port: number }).port;
    const esApp = await startTestApp({
      env: { CO_JWT_SECRET: "", CO_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` },
      db: app.db,
      redis: null,
    });
    try {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: "ES256", kid: "k1" })
        .setSubject("es-user")
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setExpirationTime("1h")
        .sign(privateKey);
      expect((await http(`${esApp.url}/v1/mastery`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const hs = await http(`${esApp.url}/v1/mastery`, { headers: { authorization: `Bearer ${await sign(valid)}` } });
      expect(hs.status).toBe(401);
    } finally {
      await esApp.close();
      jwksServer.close();
    }
  });
});
