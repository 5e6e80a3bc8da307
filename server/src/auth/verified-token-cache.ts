import { createHash } from "node:crypto";
import type { TokenVerifier, VerifiedToken } from "./token-verifier.js";

export interface VerifiedTokenCacheOptions {
  /** How long a verified token is trusted without checking its signature again. */
  ttlMs: number;
  /** Entries kept at most; the least recently used goes first. */
  maxEntries: number;
  /** Wall-clock time in ms (the verifier checks `exp` against the same clock). */
  now?: () => number;
}

/**
 * Remembers tokens that verified, so a client sending the same bearer token on every call
 * pays for the signature check (an HMAC or RSA verify through WebCrypto) once per TTL rather
 * than once per request. Entries are keyed by the token's SHA-256, never the token itself,
 * and trusted until the token's `exp` or the TTL, whichever comes first: a token is never
 * accepted past its expiry. Failures are not cached, so each still gets its precise 401.
 */
export function cacheVerifiedTokens(verifier: TokenVerifier, options: VerifiedTokenCacheOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { token: VerifiedToken; trustedUntilMs: number }>();
  return {
    async verify(token) {
      if (!token) return verifier.verify(token);
      const key = createHash("sha256").update(token).digest("base64url");
      const cached = entries.get(key);
      const at = now();
      if (cached && at < cached.trustedUntilMs) {
        // Re-inserting keeps the Map in least-recently-used order.
        entries.delete(key);
        entries.set(key, cached);
        return cached.token;
      }
      if (cached) entries.delete(key);
      const verified = await verifier.verify(token);
      entries.set(key, { token: verified, trustedUntilMs: Math.min(verified.expiresAtMs, at + options.ttlMs) });
      if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
      return verified;
    },
  };
}
