import superjson, { type SuperJSONResult } from "superjson";

/** A key in one of superjson's paths: `\` and `.` escaped, as superjson's own stringifyPath does. */
const escapeKey = (key: string) => (key.includes(".") || key.includes("\\") ? key.replace(/\\/g, "\\\\").replace(/\./g, "\\.") : key);

/** Thrown inside the walk when a value needs superjson itself. */
const NEEDS_SUPERJSON = Symbol("needs superjson");

/** superjson's annotations of a node: none, the node's own type, or its descendants' by path. */
type Annotations = undefined | ["Date"] | Record<string, unknown>;

/**
 * superjson's `serialize` for what the contracts' outputs hold — plain objects, dense arrays,
 * strings, booleans, finite numbers but -0, null and valid Dates — in one pass: the same
 * `{ json, meta: { values, v } }` superjson writes, byte for byte, without its per-node
 * bookkeeping (a path array and an identity-map entry for every node, for referential
 * equality), which cost about 120 µs of a three-call batch. Anything else — undefined, NaN, a
 * Map, a class instance, an object met twice (superjson would record the shared reference) — is
 * serialized by superjson itself. tests/unit/superjson-output.test.ts holds the two to the same
 * bytes on generated values.
 */
export function serializeOutput(value: unknown): SuperJSONResult {
  const seen = new Set<object>();
  // The annotations of the node `walk` returned last, built level by level as superjson builds
  // them, so that the keys of `meta.values` come out in superjson's order too.
  let annotations: Annotations;

  const walk = (node: unknown): unknown => {
    annotations = undefined;
    switch (typeof node) {
      case "string":
      case "boolean":
        return node;
      case "number":
        // superjson annotates NaN, ±Infinity and -0.
        if (!Number.isFinite(node) || Object.is(node, -0)) throw NEEDS_SUPERJSON;
        return node;
      case "object": {
        if (node === null) return null;
        if (seen.has(node)) throw NEEDS_SUPERJSON;
        seen.add(node);
        if (node instanceof Date) {
          if (Number.isNaN(node.valueOf())) throw NEEDS_SUPERJSON;
          annotations = ["Date"];
          return node.toISOString();
        }
        const isArray = Array.isArray(node);
        if (!isArray) {
          const prototype = Object.getPrototypeOf(node);
          if (prototype !== Object.prototype && prototype !== null) throw NEEDS_SUPERJSON;
        }
        const out: Record<string, unknown> | unknown[] = isArray ? new Array((node as unknown[]).length) : {};
        let inner: Record<string, unknown> | undefined;
        const visit = (key: string, child: unknown) => {
          (out as Record<string, unknown>)[key] = walk(child);
          const below = annotations;
          if (below === undefined) return;
          inner ??= {};
          if (Array.isArray(below)) inner[escapeKey(key)] = below;
          else for (const path in below) inner[`${escapeKey(key)}.${path}`] = below[path];
        };
        if (isArray) {
          const array = node as unknown[];
          for (let index = 0; index < array.length; index++) {
            if (!(index in array)) throw NEEDS_SUPERJSON;
            visit(String(index), array[index]);
          }
        } else {
          for (const key of Object.keys(node)) {
            // superjson refuses these (prototype pollution); let it say so.
            if (key === "__proto__" || key === "constructor" || key === "prototype") throw NEEDS_SUPERJSON;
            visit(key, (node as Record<string, unknown>)[key]);
          }
        }
        annotations = inner;
        return out;
      }
      default:
        throw NEEDS_SUPERJSON;
    }
  };

  let json: unknown;
  try {
    json = walk(value);
  } catch (error) {
    if (error === NEEDS_SUPERJSON) return superjson.serialize(value);
    throw error;
  }
  const values = annotations as Annotations;
  return values === undefined ? { json: json as SuperJSONResult["json"] } : { json: json as SuperJSONResult["json"], meta: { values: values as never, v: 1 } };
}
