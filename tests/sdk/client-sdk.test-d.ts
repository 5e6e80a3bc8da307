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
});
