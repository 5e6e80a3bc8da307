import type { CompareMode } from "@co/shared";

/** Relative and absolute tolerances of the "float" mode. */
export const FLOAT_RELATIVE_TOLERANCE = 1e-6;
export const FLOAT_ABSOLUTE_TOLERANCE = 1e-9;

const NOT_JSON = Symbol("not-json");

/**
 * The value as it would arrive over the wire: a JSON round trip, `undefined` read as `null`.
 * Values JSON cannot carry (a BigInt, a cycle) give `NOT_JSON`, which equals nothing.
 */
function toJsonValue(value: unknown): unknown {
  try {
    const text = JSON.stringify(value === undefined ? null : value);
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch {
    return NOT_JSON;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function floatsClose(a: number, b: number): boolean {
  if (a === b) return true;
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return Math.abs(a - b) <= Math.max(FLOAT_ABSOLUTE_TOLERANCE, FLOAT_RELATIVE_TOLERANCE * scale);
}

/** Deep equality of JSON values; object key order is irrelevant. `numbersEqual` decides leaves. */
function deepEqual(a: unknown, b: unknown, numbersEqual: (x: number, y: number) => boolean): boolean {
  if (typeof a === "number" && typeof b === "number") return numbersEqual(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i], numbersEqual));
  }
  if (isPlainObject(a) || isPlainObject(b)) {
    if (!isPlainObject(a) || !isPlainObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key], numbersEqual));
  }
  return a === b;
}

/** A JSON text with sorted object keys: equal JSON values give equal texts. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

const sameNumber = (x: number, y: number): boolean => x === y;

/**
 * Whether a submission's result matches the expected value under the problem's compare mode:
 * - "exact": deep equality of the JSON values (object key order irrelevant);
 * - "unordered": top-level arrays compared as multisets (elements exactly), otherwise as "exact";
 * - "float": numbers within relative 1e-6 / absolute 1e-9, arrays elementwise, objects by key.
 */
export function resultsMatch(mode: CompareMode, actual: unknown, expected: unknown): boolean {
  const a = toJsonValue(actual);
  const b = toJsonValue(expected);
  if (a === NOT_JSON || b === NOT_JSON) return false;
  switch (mode) {
    case "exact":
      return deepEqual(a, b, sameNumber);
    case "float":
      return deepEqual(a, b, floatsClose);
    case "unordered": {
      if (!Array.isArray(a) || !Array.isArray(b)) return deepEqual(a, b, sameNumber);
      if (a.length !== b.length) return false;
      const left = a.map(canonical).sort();
      const right = b.map(canonical).sort();
      return left.every((item, i) => item === right[i]);
    }
  }
}
