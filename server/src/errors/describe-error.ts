import type { ErrorCode } from "@co/shared";
import { isDatabaseUnavailable } from "../db/database.js";
import { AppError, appCodeOfTrpc, httpStatusOf } from "./app-error.js";

export interface DescribedError {
  code: ErrorCode;
  status: number;
  message: string;
  details: Record<string, unknown>;
}

interface IssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
  origin?: string;
  maximum?: number | bigint;
}

/**
 * Size limits (§8.4's 64 KiB code, 2 KiB expressions and steps, 50 steps; the other contracts'
 * KiB-scale texts and 100-item batches) start here; shorter maxima are formats, not sizes.
 */
const SIZE_LIMIT_FLOOR = { string: 1024, array: 50 } as const;

/**
 * A string or list over a size limit is a payload too large: 413. A too-long identifier
 * (a 201-char problem_id against its 200) is an ordinary 400.
 */
const isSizeIssue = (issue: IssueLike) => {
  if (issue.code !== "too_big" || (issue.origin !== "string" && issue.origin !== "array")) return false;
  return Number(issue.maximum ?? 0) >= SIZE_LIMIT_FLOOR[issue.origin];
};

const isZodErrorLike = (value: unknown): value is { issues: IssueLike[] } =>
  typeof value === "object" &&
  value !== null &&
  Array.isArray((value as { issues?: unknown }).issues) &&
  ((value as { name?: unknown }).name === "ZodError" || (value as { name?: unknown }).name === "$ZodError");

/** The contracts' own messages (see `actionableIssueMessage`) name their field in backticks; zod's others get the path in front. */
const sentenceOf = (issue: { path: string; message: string }) => (issue.message.includes("`") ? issue.message : `${issue.path}: ${issue.message}`);

/**
 * zod issues → `details.issues` plus a one-line message a person can act on: the first issue,
 * except that a key the schema does not know leads, since a typo (`sesion_id`) also explains
 * the field reported missing (`session_id`).
 */
export function describeZodIssues(issues: IssueLike[]): DescribedError {
  const list = issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
  const lead = list[Math.max(0, issues.findIndex((issue) => issue.code === "unrecognized_keys"))];
  const summary = lead ? sentenceOf(lead) : "invalid input";
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : "";
  if (issues.length > 0 && issues.every(isSizeIssue)) {
    return { code: "PAYLOAD_TOO_LARGE", status: 413, message: `Too large: ${summary}${more}`, details: { issues: list } };
  }
  return { code: "VALIDATION_ERROR", status: 400, message: `${summary}${more}`, details: { issues: list } };
}

/** Framework errors whose HTTP status is more precise than their §5 code's. */
const FRAMEWORK_STATUS: Record<string, number> = { METHOD_NOT_SUPPORTED: 405 };

/**
 * tRPC's own refusal of a body's content type (`Missing content-type header`, `Unsupported
 * content-type "text/plain`) in the same words as the REST adapter's.
 */
function contentTypeRefusal(error: { code: string; message?: string }): AppError | undefined {
  if (error.code !== "UNSUPPORTED_MEDIA_TYPE" || !/content-type/i.test(error.message ?? "")) return undefined;
  const given = /"([^"]*)"?$/.exec(error.message ?? "")?.[1];
  return AppError.unsupportedMediaType(given);
}

const isTrpcError = (value: unknown): value is { code: string } =>
  (value as { name?: unknown })?.name === "TRPCError" && typeof (value as { code?: unknown }).code === "string";

/**
 * The ZodError that is the client's fault, if any: one tRPC wrapped as BAD_REQUEST (input
 * parsing), or one thrown outside tRPC. The same ZodError under INTERNAL_SERVER_ERROR is
 * "Output validation failed" (or a service's own parse): a server bug, never the client's 400.
 */
function inputZodError(chain: unknown[]): { issues: IssueLike[] } | undefined {
  const index = chain.findIndex(isZodErrorLike);
  if (index === -1) return undefined;
  const wrapper = chain.slice(0, index).findLast(isTrpcError);
  return wrapper === undefined || wrapper.code === "BAD_REQUEST" ? (chain[index] as { issues: IssueLike[] }) : undefined;
}

/**
 * The single translation from anything thrown to the §5 error description.
 * Only AppError messages and framework client errors are shown; anything else is INTERNAL.
 */
export function describeError(error: unknown): DescribedError {
  const chain: unknown[] = [];
  for (let current: unknown = error; current && chain.length < 5; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  const appError = chain.find((item): item is AppError => item instanceof AppError);
  if (appError) {
    return { code: appError.code, status: appError.status, message: appError.message, details: appError.details };
  }
  const zodError = inputZodError(chain);
  if (zodError) return describeZodIssues(zodError.issues);
  if (chain.some(isDatabaseUnavailable)) {
    return { code: "UNAVAILABLE", status: 503, message: "The database is unavailable; try again shortly", details: {} };
  }
  const trpcCode = (error as { code?: unknown })?.code;
  const isFrameworkError = (error as { name?: unknown })?.name === "TRPCError" && typeof trpcCode === "string";
  if (isFrameworkError && trpcCode !== "INTERNAL_SERVER_ERROR") {
    const refusal = contentTypeRefusal(error as { code: string; message?: string });
    if (refusal) return { code: refusal.code, status: refusal.status, message: refusal.message, details: refusal.details };
    const code = appCodeOfTrpc(trpcCode);
    const status = FRAMEWORK_STATUS[trpcCode] ?? httpStatusOf(code);
    const message = (error as Error).message || code;
    return { code, status, message, details: {} };
  }
  return { code: "INTERNAL", status: 500, message: "Internal server error", details: {} };
}
