import { SignJWT } from "jose";

/** Signs an HS256 user token: development tokens, `npm run token`, tests. */
export async function mintUserToken(options: {
  secret: string;
  sub: string;
  issuer: string;
  audience: string;
  expiresIn?: string | number;
}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "30d")
    .sign(new TextEncoder().encode(options.secret));
}
