import "../runtime/require-node-24.js";
import { withDevSecret } from "../auth/dev-secret.js";
import { mintUserToken } from "../auth/token-minter.js";
import { loadConfig, type Config } from "../config/config.js";
import { parseTokenArgs, TOKEN_USAGE, UsageError, type TokenArgs } from "./token-args.js";

/** `npm run token -- --sub <id> [--expires 1h]`: a development token for that user. */
let args: TokenArgs;
try {
  args = parseTokenArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`npm run token: ${error.message} (${TOKEN_USAGE})`);
  process.exit(2);
}
if (args.help) {
  console.log(TOKEN_USAGE);
  process.exit(0);
}
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
    sub: args.sub,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    expiresIn: args.expires,
  }),
);
