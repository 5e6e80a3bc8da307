import { describe, expect, it } from "vitest";
import { resultsMatch } from "../../../server/src/adapters/evaluator/local/compare.js";

describe("result comparison", () => {
  describe("exact", () => {
    it("when values are deeply equal, they match whatever the object key order", () => {
      expect(resultsMatch("exact", { a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 })).toBe(true);
    });

    it("when array order differs, they do not match", () => {
      expect(resultsMatch("exact", [1, 2, 3], [3, 2, 1])).toBe(false);
    });

    it("when numbers differ by rounding, they do not match", () => {
      expect(resultsMatch("exact", 0.1 + 0.2, 0.3)).toBe(false);
    });

    it("when types differ, they do not match", () => {
      expect(resultsMatch("exact", "1", 1)).toBe(false);
      expect(resultsMatch("exact", [], {})).toBe(false);
      expect(resultsMatch("exact", null, 0)).toBe(false);
      expect(resultsMatch("exact", { a: 1 }, { a: 1, b: 2 })).toBe(false);
    });

    it("when a value only JSON can tell apart is compared, it goes through a JSON round trip", () => {
      expect(resultsMatch("exact", undefined, null)).toBe(true);
      expect(resultsMatch("exact", { a: 1, f: undefined }, { a: 1 })).toBe(true);
      expect(resultsMatch("exact", Number.NaN, null)).toBe(true);
    });

    it("when a value cannot be JSON, it matches nothing", () => {
      expect(resultsMatch("exact", 1n, 1)).toBe(false);
    });
  });

  describe("unordered", () => {
    it("when top-level arrays hold the same elements in another order, they match", () => {
      expect(resultsMatch("unordered", [[1, 2], { b: 1, a: 2 }, 3], [3, { a: 2, b: 1 }, [1, 2]])).toBe(true);
    });

    it("when element multiplicities differ, they do not match", () => {
      expect(resultsMatch("unordered", [1, 1, 2], [1, 2, 2])).toBe(false);
      expect(resultsMatch("unordered", [1, 2], [1, 2, 2])).toBe(false);
    });

    it("when nested arrays are reordered, they do not match (only the top level is a multiset)", () => {
      expect(resultsMatch("unordered", [[2, 1]], [[1, 2]])).toBe(false);
    });

    it("when values are not arrays, they compare exactly", () => {
      expect(resultsMatch("unordered", { a: 1 }, { a: 1 })).toBe(true);
      expect(resultsMatch("unordered", 1, 2)).toBe(false);
    });
  });

  describe("float", () => {
    it("when numbers differ within the relative tolerance, they match", () => {
      expect(resultsMatch("float", 0.1 + 0.2, 0.3)).toBe(true);
      expect(resultsMatch("float", 1_000_000.0005, 1_000_000)).toBe(true);
    });

    it("when numbers near zero differ within the absolute tolerance, they match", () => {
      expect(resultsMatch("float", 1e-10, 0)).toBe(true);
    });

    it("when numbers differ beyond the tolerance, they do not match", () => {
      expect(resultsMatch("float", 1.001, 1)).toBe(false);
      expect(resultsMatch("float", 1e-6, 0)).toBe(false);
    });

    it("when arrays are compared, elements compare one by one", () => {
      expect(resultsMatch("float", [1.0000000001, [2.0000000001]], [1, [2]])).toBe(true);
      expect(resultsMatch("float", [1, 2], [2, 1])).toBe(false);
      expect(resultsMatch("float", [1, 2], [1, 2, 3])).toBe(false);
    });
  });
});
