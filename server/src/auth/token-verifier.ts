import {
  createRemoteJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  decodeProtectedHeader,
  type CryptoKey,
  type JWTVerifyGetKey,
} from "jose";
import { AppError } from "../errors/app-error.js";

export interface AuthUser {
  /** The JWT `sub`: the user id everything the user owns is keyed by. */
  id: string;
}

/** A token that passed every check, and until when it stays valid (its `exp`, epoch ms). */
export interface VerifiedToken {
  user: AuthUser;
  expiresAtMs: number;
}

export interface TokenVerifier {
  /** Resolves the user, or throws `AppError("UNAUTHORIZED")` naming the failed check. */
  verify(token: string | undefined): Promise<VerifiedToken>;
}

export type VerificationKey =
  | { kind: "secret"; secret: string }
  | { kind: "pem"; pem: string }
  | { kind: "jwks"; url: string };

const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512", "EdDSA"];

const unauthorized = (message: string) => new AppError("UNAUTHORIZED", message);

/** Maps a jose failure to the check that failed, never echoing token contents. */
function explain(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof joseErrors.JWTExpired) return unauthorized("Token expired");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return unauthorized("Token has the wrong issuer (iss)");
      case "aud":
        return unauthorized("Token has the wrong audience (aud)");
      case "exp":
        return unauthorized("Token has no expiry (exp)");
      case "sub":
        return unauthorized("Token has no subject (sub)");
      case "nbf":
        return unauthorized("Token is not valid yet (nbf)");
      default:
        return unauthorized(`Token claim '${error.claim}' is invalid`);
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return unauthorized("Token algorithm is not allowed");
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return unauthorized("Token has a bad signature");
  if (error instanceof joseErrors.JWKSNoMatchingKey) return unauthorized("Token key id matches no known key");
  if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
    return unauthorized("Token could not be verified");
  }
  return unauthorized("Token is malformed");
}

/**
 * Verifies bearer JWTs: signature, `exp` (required), `iss`, `aud`, a non-empty `sub`
 * of at most 255 characters. The algorithm allow-list follows the key type, so an
 * HS256 token never passes an asymmetric verifier and `alg: none` never passes at all.
 */
export async function createTokenVerifier(options: {
  key: VerificationKey;
  issuer: string;
  audience: string;
}): Promise<TokenVerifier> {
  let key: Uint8Array | CryptoKey | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.key.kind === "secret") {
    // Imported once: handed raw bytes, jose would import the HMAC key again on every verify.
    key = await crypto.subtle.importKey("raw", new TextEncoder().encode(options.key.secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    algorithms = ["HS256"];
  } else if (options.key.kind === "pem") {
    const pem = options.key.pem;
    const algorithm = await detectPemAlgorithm(pem);
    key = await importSPKI(pem, algorithm);
    algorithms = [algorithm];
  } else {
    key = createRemoteJWKSet(new URL(options.key.url), { timeoutDuration: 5000 });
    algorithms = ASYMMETRIC_ALGORITHMS;
  }

  return {
    async verify(token) {
      if (!token) throw unauthorized("Missing bearer token (Authorization: Bearer <jwt>)");
      if (token.split(".").length !== 3) throw unauthorized("Token is malformed");
      try {
        const header = decodeProtectedHeader(token);
        if (!header.alg || header.alg === "none") throw unauthorized("Token algorithm 'none' is not allowed");
        if (!algorithms.includes(header.alg)) throw unauthorized(`Token algorithm '${header.alg}' is not allowed`);
        const verifyOptions = {
          algorithms,
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ["exp", "sub"],
        };
        const { payload } =
          typeof key === "function"
            ? await jwtVerify(token, key, verifyOptions)
            : await jwtVerify(token, key, verifyOptions);
        const sub = payload.sub;
        if (typeof sub !== "string" || sub.trim() === "") throw unauthorized("Token has no subject (sub)");
        if (sub.length > 255) throw unauthorized("Token subject (sub) is longer than 255 characters");
        return { user: { id: sub }, expiresAtMs: (payload.exp ?? 0) * 1000 };
      } catch (error) {
        throw explain(error);
      }
    },
  };
}

const EC_ALGORITHM_OF_CURVE: Record<string, string> = { prime256v1: "ES256", secp384r1: "ES384", secp521r1: "ES512" };

/**
 * The one algorithm a PEM key verifies: RS256 for RSA, ES256/384/512 by EC curve, EdDSA
 * for Ed25519. A key that cannot be read fails naming `CO_JWT_PUBLIC_KEY`, at start-up.
 */
async function detectPemAlgorithm(pem: string): Promise<string> {
  const { createPublicKey } = await import("node:crypto");
  let keyObject: import("node:crypto").KeyObject;
  try {
    keyObject = createPublicKey(pem);
  } catch (error) {
    throw new Error(`CO_JWT_PUBLIC_KEY is not a readable PEM public key (${(error as Error).message})`);
  }
  if (keyObject.asymmetricKeyType === "rsa") return "RS256";
  if (keyObject.asymmetricKeyType === "ed25519") return "EdDSA";
  if (keyObject.asymmetricKeyType === "ec") {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve ?? "";
    const algorithm = EC_ALGORITHM_OF_CURVE[curve];
    if (algorithm) return algorithm;
    throw new Error(`CO_JWT_PUBLIC_KEY uses the EC curve '${curve}'; P-256, P-384 or P-521 are supported`);
  }
  throw new Error(`CO_JWT_PUBLIC_KEY has the unsupported key type '${keyObject.asymmetricKeyType}'`);
}
