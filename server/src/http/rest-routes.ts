import type { AnyProcedure } from "@trpc/server";
import { appRouter } from "../trpc/app-router.js";
import type { ProcedureMeta } from "../trpc/init.js";

/** One REST operation of the router: a procedure with an `openapi` path in its meta. */
export interface RestRoute {
  method: string;
  /** The procedure's dotted path (`sessions.get`). */
  procedurePath: string;
  procedure: AnyProcedure;
  type: "query" | "mutation";
  successStatus: number;
  /** Matches the request path; named groups are the path parameters. */
  pattern: RegExp;
  /** Turns query-string text into what the input schema expects (numbers, booleans, dates, lists). */
  coerceQuery: (query: Record<string, unknown>) => Record<string, unknown>;
  takesInput: boolean;
  /** A body method with input: a body that is not JSON is refused with 415 before the procedure runs. */
  jsonBody: boolean;
  /** Public catalog content: answered with a strong ETag, and 304 when it matches. */
  catalog: boolean;
}

type ZodLike = { _zod?: { def: Record<string, unknown> & { type: string } } };

const defOf = (schema: unknown) => (schema as ZodLike)?._zod?.def;

/**
 * Peels optional/nullable/default wrappers off a schema, to the type a query value must become.
 * A pipe is left alone: it converts text itself (the ISO-8601 instants), so it gets the text.
 */
function unwrap(schema: unknown): unknown {
  for (let current = schema, depth = 0; depth < 20; depth++) {
    const def = defOf(current);
    if (!def) return current;
    if (["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(def.type)) current = def.innerType;
    else if (def.type === "lazy") current = (def.getter as () => unknown)();
    else return current;
  }
  return schema;
}

type Coercer = (value: unknown) => unknown;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Query values arrive as text. Text that reads as the expected type is converted; anything else
 * is passed on as it came, so the schema's own error names what was expected ("expected number,
 * received string") instead of a coerced NaN.
 */
function coercerOf(schema: unknown): Coercer | undefined {
  const inner = unwrap(schema);
  const def = defOf(inner);
  switch (def?.type) {
    case "number":
      return (value) => (typeof value === "string" && NUMBER.test(value.trim()) ? Number(value) : value);
    case "boolean":
      return (value) => (value === "true" ? true : value === "false" ? false : value);
    case "bigint":
      return (value) => (typeof value === "string" && /^[-+]?\d+$/.test(value) ? BigInt(value) : value);
    case "date":
      return (value) => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value) : value);
    case "array": {
      const element = coercerOf(def.element);
      return (value) => {
        const list = Array.isArray(value) ? value : [value];
        return element ? list.map(element) : list;
      };
    }
    case "object": {
      const nested = objectCoercer(inner);
      return (value) => (value && typeof value === "object" && !Array.isArray(value) ? nested(value as Record<string, unknown>) : value);
    }
    default:
      return undefined;
  }
}

function objectCoercer(schema: unknown): (query: Record<string, unknown>) => Record<string, unknown> {
  const shape = (defOf(unwrap(schema))?.shape ?? {}) as Record<string, unknown>;
  const coercers = Object.entries(shape).flatMap(([key, field]) => {
    const coerce = coercerOf(field);
    return coerce ? [[key, coerce] as const] : [];
  });
  return (query) => {
    const result = { ...query };
    for (const [key, coerce] of coercers) if (result[key] !== undefined) result[key] = coerce(result[key]);
    return result;
  };
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

const normalizePath = (path: string) => `/${path.replace(/^\/+|\/+$/g, "")}`;

const patternOf = (path: string) =>
  new RegExp(`^${normalizePath(path).replace(/\{(.+?)\}/g, (_, key: string) => `(?<${key}>[^/]+)`)}$`, "i");

/**
 * The REST operations, read once from the procedures' meta: the same meta the OpenAPI document
 * is generated from, so a path, its method and its success status exist in one place.
 */
export function restRoutes(): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [procedurePath, procedure] of Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)) {
    const meta = procedure._def.meta as ProcedureMeta | undefined;
    if (!meta?.openapi || procedure._def.type === "subscription") continue;
    const inputs = procedure._def.inputs as unknown[];
    // `z.void()` inputs take nothing; what the caller sends is not looked at.
    const takesInput = inputs.length > 0 && !["void", "undefined", "never"].includes(defOf(unwrap(inputs[0]))?.type ?? "");
    routes.push({
      method: meta.openapi.method,
      procedurePath,
      procedure,
      type: procedure._def.type,
      successStatus: meta.successStatus ?? 200,
      catalog: meta.catalog === true,
      pattern: patternOf(meta.openapi.path),
      coerceQuery: inputs[0] ? objectCoercer(inputs[0]) : (query) => query,
      takesInput,
      jsonBody: takesInput && BODY_METHODS.has(meta.openapi.method),
    });
  }
  return routes;
}

/** Procedures whose REST operation answers 415 to a body that is not JSON. */
export function jsonBodyProcedures(): Set<string> {
  return new Set(restRoutes().filter((route) => route.jsonBody).map((route) => route.procedurePath));
}

/** Procedure path → its declared REST success status (201, 202). */
export function successStatuses(): Map<string, number> {
  return new Map(restRoutes().filter((route) => route.successStatus !== 200).map((route) => [route.procedurePath, route.successStatus]));
}
