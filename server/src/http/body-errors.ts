import type { IncomingHttpHeaders } from "node:http";
import { AppError } from "../errors/app-error.js";
import { locateJsonSyntaxError } from "./json-syntax.js";

/** What body-parser puts on the errors it passes on (http-errors plus its own fields). */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  limit?: unknown;
  body?: unknown;
  encoding?: unknown;
  charset?: unknown;
}

/** A header value as a message may quote it: the client's own words, cut short. */
const quoted = (value: unknown) => `\`${String(value).slice(0, 100)}\``;

/** A body that is JSON but not an object or array: body-parser's strict mode refuses it without a position. */
function notAContainer(text: string): AppError {
  const position = text.length - text.trimStart().length;
  return new AppError("VALIDATION_ERROR", "Request body must be a JSON object", { position, line: 1, column: position + 1, issues: [] });
}

function unparsable(text: string): AppError {
  const located = locateJsonSyntaxError(text);
  if (!located) return notAContainer(text);
  const { position, line, column, problem } = located;
  return new AppError("VALIDATION_ERROR", `Request body is not valid JSON: ${problem} at line ${line}, column ${column} (position ${position})`, {
    position,
    line,
    column,
    issues: [],
  });
}

/**
 * The AppError of a failure of Express's JSON body parser, or undefined when the error is not
 * one: a body over the limit (413), JSON that does not parse (400, with where it stops parsing),
 * an encoding or charset the parser cannot read (415). The same facts on `/v1` and `/trpc`.
 */
export function bodyParserAppError(error: unknown, headers: IncomingHttpHeaders): AppError | undefined {
  const parserError = error as BodyParserError | null;
  if (typeof parserError?.type !== "string") return undefined;
  switch (parserError.type) {
    case "entity.too.large": {
      const limit = Number(parserError.limit ?? 0);
      return new AppError("PAYLOAD_TOO_LARGE", `Request body is larger than the ${Math.round(limit / 1024)} KiB limit`, { limit_bytes: limit });
    }
    case "entity.parse.failed":
      return unparsable(typeof parserError.body === "string" ? parserError.body : "");
    case "encoding.unsupported":
      return new AppError(
        "UNSUPPORTED_MEDIA_TYPE",
        `Content-Encoding ${quoted(parserError.encoding ?? headers["content-encoding"])} is not supported: send the body as is, or as gzip, deflate or br`,
        { content_encoding: String(parserError.encoding ?? headers["content-encoding"] ?? "") },
      );
    case "charset.unsupported":
      return new AppError("UNSUPPORTED_MEDIA_TYPE", `Charset ${quoted(parserError.charset)} is not supported: send the body as UTF-8`, {
        charset: String(parserError.charset ?? ""),
      });
    default:
      if (typeof parserError.status === "number" && parserError.status < 500) {
        return new AppError("VALIDATION_ERROR", "Request body could not be read", {});
      }
      return undefined;
  }
}
