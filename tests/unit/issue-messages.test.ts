import { createSessionInputSchema, createTutorMessageInputSchema, pageQuerySchema } from "@co/shared";
import type { AnyProcedure } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeZodIssues } from "../../server/src/errors/describe-error.js";
import { appRouter } from "../../server/src/trpc/app-router.js";

const SESSION = "00000000-0000-4000-8000-000000000000";
const described = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error("expected a validation failure");
  return describeZodIssues(parsed.error.issues);
};

describe("issue messages a person can act on", () => {
  it("when a required field is absent, it says `field` is required (never 'received undefined')", () => {
    expect(described(createTutorMessageInputSchema, { session_id: SESSION, problem_id: "two-sum" })).toEqual({
      code: "VALIDATION_ERROR",
      status: 400,
      message: "`hint_level` is required: one of `1`, `2`, `3`",
      details: { issues: [{ path: "hint_level", message: "`hint_level` is required: one of `1`, `2`, `3`" }] },
    });
  });

  it("when a key is mistyped, the unknown key leads and names the field meant; the missing one says it is required", () => {
    expect(described(createTutorMessageInputSchema, { sesion_id: SESSION, problem_id: "two-sum", hint_level: 1 })).toEqual({
      code: "VALIDATION_ERROR",
      status: 400,
      message: "`sesion_id` is not a field (did you mean `session_id`?) (and 1 more)",
      details: {
        issues: [
          { path: "session_id", message: "`session_id` is required" },
          { path: "(body)", message: "`sesion_id` is not a field (did you mean `session_id`?)" },
        ],
      },
    });
  });

  it("when a key is camelCase for a snake_case field, it is still recognised", () => {
    expect(described(createTutorMessageInputSchema, { session_id: SESSION, problem_id: "p", hintLevel: 2 }).message).toBe(
      "`hintLevel` is not a field (did you mean `hint_level`?) (and 1 more)",
    );
  });

  it("when an unknown key resembles no field, it lists the fields there are", () => {
    expect(described(pageQuerySchema, { colour: "red" }).message).toBe("`colour` is not a field; the fields are `limit`, `cursor`");
  });

  it("when an enum field is absent, it is required and the options are listed", () => {
    expect(described(createSessionInputSchema, { mode: "practice" }).message).toBe("`subject` is required: one of `coding`, `math`, `systems`");
  });

  it("when a value has the wrong type, it says what was expected and what came", () => {
    expect(described(pageQuerySchema, { limit: "abc" }).message).toBe('`limit` must be a number, not the text "abc"');
    expect(described(createTutorMessageInputSchema, { session_id: SESSION, problem_id: 7, hint_level: 1 }).message).toBe(
      "`problem_id` must be a text, not the number 7",
    );
  });

  it("when a coerced query value is absent or not a number, it says required or 'must be a number', never NaN", () => {
    expect(described(z.strictObject({ n: z.number() }), {}).message).toBe("`n` is required");
    expect(described(z.strictObject({ n: z.coerce.number() }), { n: "abc" }).message).toBe("`n` must be a number");
  });

  it("no procedure input coerces numbers itself (the REST adapter converts query text, so an absent value stays absent)", () => {
    const coerced: string[] = [];
    const walk = (schema: unknown, where: string, seen = new Set<unknown>()) => {
      const def = (schema as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (!def || seen.has(schema)) return;
      seen.add(schema);
      if (def.type === "number" && def.coerce) coerced.push(where);
      for (const [key, child] of Object.entries((def.shape as Record<string, unknown> | undefined) ?? {})) walk(child, `${where}.${key}`, seen);
      for (const key of ["innerType", "in", "out", "element"]) if (def[key]) walk(def[key], where, seen);
      for (const option of (def.options as unknown[] | undefined) ?? []) walk(option, where, seen);
    };
    for (const [path, procedure] of Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)) {
      for (const input of procedure._def.inputs as unknown[]) walk(input, path);
    }
    expect(coerced).toEqual([]);
    // The walk itself finds a coerced number where there is one.
    walk(z.strictObject({ page: z.strictObject({ n: z.coerce.number().default(1) }) }), "control");
    expect(coerced).toEqual(["control.page.n"]);
  });
});
