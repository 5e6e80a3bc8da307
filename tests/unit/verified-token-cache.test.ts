import { describe, expect, it } from "vitest";
import { AppError } from "../../server/src/errors/app-error.js";
import type { TokenVerifier } from "../../server/src/auth/token-verifier.js";
import { cacheVerifiedTokens } from "../../server/src/auth/verified-token-cache.js";

/** A verifier that counts its calls; tokens are "user:expiryMs", "bad" fails. */
function countingVerifier() {
  const calls: string[] = [];
  const verifier: TokenVerifier = {
    async verify(token) {
      calls.push(token ?? "");
      if (!token || token === "bad") throw new AppError("UNAUTHORIZED", "Token has a bad signature");
      const [user, exp] = token.split(":");
      return { user: { id: user! }, expiresAtMs: Number(exp) };
    },
  };
  return { verifier, calls };
}

describe("the verified-token cache", () => {
  it("when the same token comes again within the TTL, its signature is not checked again", async () => {
    const { verifier, calls } = countingVerifier();
    let now = 1_000;
    const cached = cacheVerifiedTokens(verifier, { ttlMs: 60_000, maxEntries: 10, now: () => now });
    expect((await cached.verify("alice:999999")).user.id).toBe("alice");
    now += 59_000;
    expect((await cached.verify("alice:999999")).user.id).toBe("alice");
    expect(calls).toHaveLength(1);
    now += 2_000;
    await cached.verify("alice:999999");
    expect(calls).toHaveLength(2);
  });

  it("never trusts a token past its exp, even inside the TTL", async () => {
    const { verifier, calls } = countingVerifier();
    let now = 1_000;
    const cached = cacheVerifiedTokens(verifier, { ttlMs: 60_000, maxEntries: 10, now: () => now });
    await cached.verify("bob:5000");
    now = 5_000;
    await cached.verify("bob:5000");
    expect(calls).toHaveLength(2);
  });

  it("does not cache failures, so each gets its own precise 401", async () => {
    const { verifier, calls } = countingVerifier();
    const cached = cacheVerifiedTokens(verifier, { ttlMs: 60_000, maxEntries: 10, now: () => 0 });
    await expect(cached.verify("bad")).rejects.toThrow("bad signature");
    await expect(cached.verify("bad")).rejects.toThrow("bad signature");
    await expect(cached.verify(undefined)).rejects.toThrow();
    expect(calls).toEqual(["bad", "bad", ""]);
  });

  it("is bounded: past maxEntries the least recently used token is verified again", async () => {
    const { verifier, calls } = countingVerifier();
    const cached = cacheVerifiedTokens(verifier, { ttlMs: 60_000, maxEntries: 2, now: () => 0 });
    await cached.verify("a:9999999");
    await cached.verify("b:9999999");
    await cached.verify("a:9999999"); // a is now the most recent
    await cached.verify("c:9999999"); // evicts b
    await cached.verify("a:9999999");
    await cached.verify("b:9999999");
    expect(calls).toEqual(["a:9999999", "b:9999999", "c:9999999", "b:9999999"]);
  });
});
