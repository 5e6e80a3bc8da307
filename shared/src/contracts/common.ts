import { z } from "zod";
import { SUBJECTS } from "./enums.js";

/** Subjects a track or problem belongs to. */
export const subjectSchema = z.enum(SUBJECTS).describe("Subject area");
export type Subject = z.infer<typeof subjectSchema>;

export const uuidSchema = z.uuid();

/**
 * An instant in a response: a `Date` over tRPC (superjson), an ISO-8601 string over REST,
 * which is what the document must say (a bare `z.date()` would be an unformatted string).
 */
export const instantSchema = z.date().meta({ override: { type: "string", format: "date-time" } });

/** Paged lists: `limit` (default 20, max 100) and an opaque `cursor`. */
export const pageQuerySchema = z.strictObject({
  limit: z.number().int().min(1).max(100).default(20).describe("Page size, 1-100 (default 20)"),
  cursor: z.string().max(512).optional().describe("Opaque cursor from the previous page's next_cursor"),
});

export const pagedSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next_cursor: z.string().nullable().describe("Cursor of the next page; null on the last page"),
  });

/** The §5 error envelope every REST error uses. */
export const errorCodeSchema = z.enum([
  "VALIDATION_ERROR",
  "UNAUTHORIZED",
  "NOT_FOUND",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
  "MAX_STREAMS",
  "UPSTREAM_ERROR",
  "UPSTREAM_TIMEOUT",
  "UNAVAILABLE",
  "INTERNAL",
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: errorCodeSchema,
      message: z.string().describe("What went wrong, for a person"),
      details: z.record(z.string(), z.unknown()).describe("Machine-readable facts, e.g. issues [{path, message}], retry_after"),
    }),
  })
  .meta({ id: "ErrorEnvelope", description: "Every REST error" });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
