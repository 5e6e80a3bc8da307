import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { serializeOutput } from "../../server/src/trpc/superjson-output.js";

/** What the contracts' outputs hold, with keys that need escaping in superjson's paths. */
const key = fc.oneof(fc.string(), fc.constantFrom("a.b", "a\\b", "a\\.b", ".", "0", "items"));
const date = fc.date({ noInvalidDate: true });
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.constant(null),
    date,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(key, tie("value"), { maxKeys: 5 }),
  ),
}));
/** Values only superjson itself may serialize. */
const special = fc.oneof(
  fc.constant(undefined),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.bigInt().map((n) => n),
  fc.constant(new Map([["a", 1]])),
  fc.constant(new Set([1])),
  fc.constant(new Date(Number.NaN)),
  fc.constant(/x/),
  fc.constant(-0),
);

/** The JSON text a serializer writes, or the message it throws. */
const outcome = (serialize: (value: unknown) => unknown, value: unknown) => {
  try {
    return JSON.stringify(serialize(value));
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
};

const sameAsSuperjson = (value: unknown) => {
  expect(outcome(serializeOutput, value)).toBe(outcome((v) => superjson.serialize(v), value));
};

describe("the tRPC output serializer writes what superjson writes", () => {
  it("for generated values of the contracts' kinds (objects, arrays, strings, numbers, booleans, null, Dates), byte for byte", () => {
    fc.assert(fc.property(plain.value, (value) => sameAsSuperjson(value)), { numRuns: 5000 });
  });

  it("for values that need superjson's own handling, anywhere in the tree", () => {
    fc.assert(
      fc.property(plain.value, special, fc.string(), (around, odd, name) => {
        sameAsSuperjson({ around, nested: { [name || "k"]: [odd] } });
      }),
      { numRuns: 500 },
    );
  });

  it("when one object or Date appears twice, it records the shared reference as superjson does", () => {
    const at = new Date("2026-12-03T10:00:00.000Z");
    const shared = { a: 1 };
    for (const value of [{ started_at: at, updated_at: at }, [shared, { inner: shared }], at]) sameAsSuperjson(value);
    expect(serializeOutput({ started_at: at, updated_at: at }).meta?.referentialEqualities).toBeDefined();
  });

  it("refuses prototype-polluting keys as superjson does", () => {
    const value = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    expect(() => serializeOutput(value)).toThrow(/prototype pollution/);
  });
});
