import { createCoClient, type RouterInputs, type RouterOutputs } from "@co/client-sdk";
import { describe, expectTypeOf, it } from "vitest";

describe("SDK types are inferred from the router", () => {
  it("infers outputs", () => {
    const client = createCoClient({ baseUrl: "http://127.0.0.1:8000", getToken: () => "t" });
    expectTypeOf(client.tracks.list.query).returns.resolves.toEqualTypeOf<RouterOutputs["tracks"]["list"]>();
    expectTypeOf<RouterOutputs["tracks"]["get"]["created_at"]>().toEqualTypeOf<Date>();
    expectTypeOf<RouterOutputs["tracks"]["get"]["subject"]>().toEqualTypeOf<"coding" | "math" | "systems">();
    expectTypeOf<RouterOutputs["problems"]["get"]>().not.toHaveProperty("hints");
    expectTypeOf<RouterOutputs["mastery"]["list"]["items"][number]["score"]>().toEqualTypeOf<number>();
  });

  it("infers inputs", () => {
    expectTypeOf<RouterInputs["tracks"]["problems"]>().toEqualTypeOf<{ id: string; module?: string | undefined }>();
    expectTypeOf<RouterInputs["mastery"]["list"]["key_type"]>().toEqualTypeOf<"topic" | "outcome" | undefined>();
  });

  it("narrows a submission's payload by its subject, and knows hint levels and result enums", () => {
    type Submission = RouterInputs["submissions"]["create"];
    expectTypeOf<Extract<Submission, { subject: "coding" }>["payload"]>().toEqualTypeOf<{ language: "python" | "javascript"; code: string }>();
    expectTypeOf<Extract<Submission, { subject: "math" }>["payload"]>().toEqualTypeOf<{ expression?: string | undefined; steps?: string[] | undefined }>();
    expectTypeOf<Submission["subject"]>().toEqualTypeOf<"coding" | "math">();
    expectTypeOf<RouterInputs["tutor"]["createMessage"]["hint_level"]>().toEqualTypeOf<1 | 2 | 3>();
    type Result = RouterOutputs["submissions"]["create"];
    expectTypeOf<Result["language"]>().toEqualTypeOf<"python" | "javascript" | null>();
    expectTypeOf<Result["hidden"]["categories"][number]>().toEqualTypeOf<
      | "timeout"
      | "compile_error"
      | "runtime_error"
      | "logic_error"
      | "edge_cases"
      | "minor_issues"
      | "incorrect_answer"
      | "incomplete_solution"
      | "incorrect_method"
      | "syntax_error"
      | "unknown_error"
    >();
    expectTypeOf<NonNullable<Result["feedback"]>>().toEqualTypeOf<{
      message: string;
      error_kind?: "compile" | "runtime" | "memory" | "timeout" | undefined;
      category?: Result["hidden"]["categories"][number] | undefined;
    }>();
  });
});
