import { createSubmissionInputSchema } from "@co/shared";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { describeError } from "../../server/src/errors/describe-error.js";

const body = (overrides: Record<string, unknown>) => ({
  session_id: "00000000-0000-4000-8000-000000000000",
  problem_id: "two-sum",
  subject: "coding",
  payload: { language: "javascript", code: "function f() {}" },
  ...overrides,
});
const zodErrorOf = (input: unknown) => {
  const parsed = createSubmissionInputSchema.safeParse(input);
  if (parsed.success) throw new Error("expected a validation failure");
  return parsed.error;
};

describe("describeError and zod issues", () => {
  it("when tRPC rejects the input (BAD_REQUEST around a ZodError), it is the client's 400 with the issues", () => {
    const error = new TRPCError({ code: "BAD_REQUEST", cause: zodErrorOf(body({ problem_id: "" })) });
    expect(describeError(error)).toMatchObject({ code: "VALIDATION_ERROR", status: 400, details: { issues: [{ path: "problem_id" }] } });
  });

  it("when the output fails its schema (INTERNAL_SERVER_ERROR around a ZodError), it is a masked 500", () => {
    const error = new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Output validation failed", cause: zodErrorOf({}) });
    expect(describeError(error)).toEqual({ code: "INTERNAL", status: 500, message: "Internal server error", details: {} });
  });

  it("when code is over 64 KiB of UTF-8, it is 413, also after baseProcedure re-wraps the input error", () => {
    const input = new TRPCError({ code: "BAD_REQUEST", cause: zodErrorOf(body({ payload: { language: "javascript", code: "é".repeat(40_000) } })) });
    expect(describeError(input)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
    const rewrapped = new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: "Too large", cause: input });
    expect(describeError(rewrapped)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413, details: { issues: [{ path: "payload.code" }] } });
  });

  it("when a field that is not a payload is over its maximum, it is 400, not 413", () => {
    const error = new TRPCError({ code: "BAD_REQUEST", cause: zodErrorOf(body({ problem_id: "p".repeat(201) })) });
    expect(describeError(error)).toMatchObject({ code: "VALIDATION_ERROR", status: 400 });
  });
});
