import { parseArgs } from "node:util";

export const TOKEN_USAGE = "usage: npm run token -- [--sub <user-id>] [--expires <span such as 1h, 30d, 2 weeks>]";

/** A mistake in the command line: reported in one line with the usage, never as a stack. */
export class UsageError extends Error {}

export interface TokenArgs {
  sub: string;
  expires: string;
  help: boolean;
}

// The spans jose's setExpirationTime accepts, minus the signed and "ago" forms: a token
// minted already expired is never what the caller meant.
const SPAN = /^(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)$/i;
const MAX_SUB_LENGTH = 255;

/** Reads `--sub` and `--expires`; anything else, a missing value or a bad span is a UsageError. */
export function parseTokenArgs(args: string[]): TokenArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        sub: { type: "string", default: "dev-user" },
        expires: { type: "string", default: "30d" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    // node:util marks its own complaints (unknown option, missing value, stray argument) with ERR_PARSE_ARGS_*.
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
      throw new UsageError((error as Error).message.replaceAll("\n", " "));
    }
    throw error;
  }
  const { sub, expires, help } = values;
  if (sub.length === 0 || sub.length > MAX_SUB_LENGTH) throw new UsageError(`--sub must be 1-${MAX_SUB_LENGTH} characters`);
  const span = SPAN.exec(expires);
  if (!span || Number(span[1]) === 0) throw new UsageError(`--expires '${expires}' is not a positive time span such as 1h, 30d or 2 weeks`);
  return { sub, expires, help };
}
