import { AppError } from "../errors/app-error.js";

/** What a request's `Authorization` header carried: a token to verify, or why it carries none the caller can use. */
export type BearerCredential = { token: string } | { refusal: AppError };

const HOW = "send `Authorization: Bearer <token>` (a development token: `npm run token`)";

export const MISSING_TOKEN = `Missing bearer token: ${HOW}`;

/** Three base64url parts: what a JWT sent without its scheme looks like. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * The one reading of an `Authorization` header. Only the `Bearer` scheme (any case) carries a
 * token; a bare JWT, another scheme or `Bearer` with nothing after it are refused with what to
 * send instead, before any verification, so the 401 says what is wrong with the header itself.
 */
export function bearerOf(header: string | undefined): BearerCredential | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const [scheme = "", ...rest] = value.split(/\s+/);
  const token = rest.join(" ");
  if (scheme.toLowerCase() === "bearer") {
    if (!token) return { refusal: new AppError("UNAUTHORIZED", `Missing bearer token: the Authorization header has \`Bearer\` and no token after it; ${HOW}`) };
    return { token };
  }
  if (!token && JWT_SHAPE.test(scheme)) {
    return { refusal: new AppError("UNAUTHORIZED", `The Authorization header has a token without \`Bearer \` in front of it: ${HOW}`) };
  }
  const named = /^[A-Za-z][\w.+-]{0,30}$/.test(scheme) && token ? ` \`${scheme}\`` : "";
  return { refusal: new AppError("UNAUTHORIZED", `The Authorization header is not a bearer token${named ? ` (its scheme is${named})` : ""}: ${HOW}`) };
}
