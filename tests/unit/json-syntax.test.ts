import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { locateJsonSyntaxError } from "../../server/src/http/json-syntax.js";

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("locating a JSON syntax error", () => {
  it.each([
    ['{"subject": }', { position: 12, line: 1, column: 13, problem: "expected a value, found `}`" }],
    ['{"a":1,}', { position: 7, line: 1, column: 8, problem: "expected a double-quoted property name, found `}`" }],
    ['{"a" 1}', { position: 5, line: 1, column: 6, problem: "expected `:` after a property name, found `1`" }],
    ['{\n  "a": 1\n  "b": 2\n}', { position: 13, line: 3, column: 3, problem: "expected `,` or `}`, found `\"`" }],
    ['[1, 2', { position: 5, line: 1, column: 6, problem: "the JSON ends before its `]`" }],
    ['{"a": "b\u0001"}', { position: 8, line: 1, column: 9, problem: "unescaped control character U+0001 in a string" }],
    ['{"a": "b', { position: 6, line: 1, column: 7, problem: "a string is never closed" }],
    ['{"a": -}', { position: 6, line: 1, column: 7, problem: "a number is incomplete" }],
    ["{} x", { position: 3, line: 1, column: 4, problem: "unexpected `x` after the JSON value" }],
    ["", { position: 0, line: 1, column: 1, problem: "there is no JSON value" }],
  ])("in %j it names the offset, line and column", (text, expected) => {
    expect(locateJsonSyntaxError(text)).toEqual(expected);
  });

  it("when nesting is 100,000 levels deep, it still answers (no recursion)", () => {
    expect(locateJsonSyntaxError("[".repeat(100_000))).toMatchObject({ position: 100_000, problem: "the JSON ends before its `]`" });
  });

  it("property: it finds a problem exactly when JSON.parse fails", () => {
    const nearJson = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.jsonValue().map((value) => JSON.stringify(value, null, 1)),
      fc
        .tuple(fc.jsonValue().map((value) => JSON.stringify(value)), fc.nat(), fc.constantFrom("", ",", "}", "]", '"', ":", "\\", "\n", "-", "e", "0"))
        .map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1))),
    );
    fc.assert(
      fc.property(nearJson, (text) => {
        const located = locateJsonSyntaxError(text);
        expect(located === undefined, text).toBe(parses(text));
        if (located) expect(located.position).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 5000, seed: 20261203 },
    );
  });
});
