import { parseArgs } from "node:util";
import { mintUserToken } from "../auth/token-minter.js";
import { loadConfig } from "../config/config.js";
import { withDevSecret } from "../server.js";

/** `npm run token -- --sub <id> [--expires 1h]`: a development token for that user. */
const { values } = parseArgs({
  options: { sub: { type: "string", default: "dev-user" }, expires: { type: "string", default: "30d" } },
});
const config = withDevSecret(loadConfig());
if (!config.auth.secret) {
  console.error("Tokens can only be minted with an HS256 secret (CO_JWT_SECRET or the development secret).");
  process.exit(1);
}
console.log(
  await mintUserToken({
    secret: config.auth.secret,
    sub: values.sub!,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    expiresIn: values.expires!,
  }),
);
