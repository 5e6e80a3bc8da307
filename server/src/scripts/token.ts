import "../runtime/require-node-24.js";
import { parseArgs } from "node:util";
import { mintUserToken } from "../auth/token-minter.js";
import { loadConfig, type Config } from "../config/config.js";
import { withDevSecret } from "../server.js";

/** `npm run token -- --sub <id> [--expires 1h]`: a development token for that user. */
const { values } = parseArgs({
  options: { sub: { type: "string", default: "dev-user" }, expires: { type: "string", default: "30d" } },
});
let config: Config;
try {
  config = withDevSecret(loadConfig());
} catch (error) {
  // A bad variable is the user's to fix: its message names it; a stack would bury it.
  console.error((error as Error).message);
  process.exit(1);
}
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
