import { createHmac } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { AppError } from "../errors/app-error.js";

/** A stream token's claims: who may read which turn. */
export interface StreamGrant {
  userId: string;
  turnId: string;
}

/** Signs and checks the short-lived tokens of `GET /v1/tutor/stream?token=` (EventSource cannot send headers). */
export interface StreamTokens {
  sign(grant: StreamGrant): Promise<string>;
  /** The grant, or `AppError` UNAUTHORIZED naming what is wrong. */
  verify(token: string | undefined): Promise<StreamGrant>;
}

/**
 * `typ` and `aud` of their own keep stream tokens and user tokens apart: neither is
 * accepted where the other is expected, even if both were signed with related keys.
 */
const TYPE = "co-stream+jwt";
const AUDIENCE = "co:tutor-stream";
export const STREAM_TOKEN_TTL_SECONDS = 300;

/** Outside production, a stream secret derived from the HS256 user-token secret, the same on every instance. */
export function deriveStreamTokenSecret(authSecret: string): string {
  return createHmac("sha256", authSecret).update("co tutor stream tokens v1").digest("hex");
}

export function createStreamTokens(secret: string, ttlSeconds = STREAM_TOKEN_TTL_SECONDS): StreamTokens {
  const key = new TextEncoder().encode(secret);
  const unauthorized = (message: string) => new AppError("UNAUTHORIZED", message);
  return {
    sign: ({ userId, turnId }) =>
      new SignJWT({ turn: turnId })
        .setProtectedHeader({ alg: "HS256", typ: TYPE })
        .setSubject(userId)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    async verify(token) {
      if (!token) throw unauthorized("Missing stream token (?token=)");
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          audience: AUDIENCE,
          typ: TYPE,
          requiredClaims: ["exp", "sub", "turn"],
        });
        if (typeof payload.turn !== "string" || !payload.sub) throw unauthorized("Stream token is invalid");
        return { userId: payload.sub, turnId: payload.turn };
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw unauthorized("Stream token expired; create a new tutor message");
        throw unauthorized("Stream token is invalid");
      }
    },
  };
}
