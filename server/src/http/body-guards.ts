import type { NextFunction, Request, Response } from "express";
import { AppError } from "../errors/app-error.js";
import { locateJsonSyntaxError } from "./json-syntax.js";

/** No contract nests anywhere near this deep; tRPC and superjson recurse per level and overflow near 5,000. */
export const MAX_JSON_DEPTH = 64;

/** Depth of a parsed JSON value, walked without recursion so the check itself cannot overflow. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

/** Nesting of raw JSON text (tRPC's `?input=`), counting brackets outside strings. */
function textDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "[" || char === "{") {
      if (++depth > limit) return true;
    } else if (char === "]" || char === "}") depth--;
  }
  return false;
}

/** Answers 400 for a JSON body or tRPC query input nested deeper than MAX_JSON_DEPTH, before any router sees it. */
export function rejectDeepJson(req: Request, _res: Response, next: NextFunction) {
  const input = (req.query as Record<string, unknown> | undefined)?.input;
  if (depthExceeds(req.body, MAX_JSON_DEPTH) || (typeof input === "string" && textDepthExceeds(input, MAX_JSON_DEPTH))) {
    next(AppError.validation(`JSON is nested deeper than ${MAX_JSON_DEPTH} levels`));
    return;
  }
  next();
}

/**
 * tRPC's `?input=` (queries, subscriptions) says where it stops being JSON, as a body does;
 * tRPC's own parse error names no position. Mounted on `/trpc` only, where `input` is that JSON.
 */
export function rejectUnparsableTrpcInput(req: Request, _res: Response, next: NextFunction) {
  const input = (req.query as Record<string, unknown> | undefined)?.input;
  const located = typeof input === "string" ? locateJsonSyntaxError(input) : undefined;
  if (!located) return next();
  const { position, line, column, problem } = located;
  next(new AppError("VALIDATION_ERROR", `The \`input\` query parameter is not valid JSON: ${problem} at line ${line}, column ${column} (position ${position})`, {
    position,
    line,
    column,
    issues: [],
  }));
}

/**
 * Mounted right after the JSON body parser, so it sees only that parser's errors. A body that
 * says `Content-Encoding: gzip` (or deflate, br) but does not decode fails inside zlib with an
 * error the parser passes on untyped; it is the client's fault: 400. Unknown encodings keep
 * the parser's typed 415.
 */
export function undecodableBody(error: unknown, req: Request, _res: Response, next: NextFunction) {
  const encoding = req.headers["content-encoding"];
  const typed = typeof (error as { type?: unknown } | null)?.type === "string";
  if (!typed && encoding !== undefined && encoding !== "identity") {
    next(AppError.validation(`Request body is not valid ${String(req.headers["content-encoding"] ?? "encoded")} data`));
    return;
  }
  next(error);
}
