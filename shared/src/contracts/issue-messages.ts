import { z } from "zod";

/** What this module reads of the raw issue zod hands an error map: its finished path, the input and the schema that raised it. */
export interface RawIssue {
  code?: string;
  path?: PropertyKey[];
  input?: unknown;
  inst?: unknown;
  keys?: string[];
  expected?: string;
  values?: unknown[];
  discriminator?: string;
  options?: unknown[];
  note?: string;
}

const MAX_LISTED = 12;

const dotted = (path: PropertyKey[] | undefined, key?: string) => [...(path ?? []), ...(key === undefined ? [] : [key])].map(String).join(".");
const named = (path: string) => (path ? `\`${path}\`` : "the input");
const listed = (values: unknown[]) =>
  values.slice(0, MAX_LISTED).map((value) => `\`${String(value)}\``).join(", ") + (values.length > MAX_LISTED ? ", …" : "");

/** `sessionId`, `session-id` and `Session_ID` are all one name to a person typing it. */
const normalized = (key: string) => key.toLowerCase().replace(/[-_\s]/g, "");

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The field a mistyped key most likely meant: within two edits, and closer than half its length. */
function closestField(key: string, fields: string[]): string | undefined {
  let best: { field: string; distance: number } | undefined;
  for (const field of fields) {
    const distance = editDistance(normalized(key), normalized(field));
    if (distance <= 2 && distance < Math.max(normalized(field).length, 2) / 2 && (!best || distance < best.distance)) best = { field, distance };
  }
  return best?.field;
}

function fieldsOf(schema: unknown): string[] {
  const shape = (schema as { _zod?: { def?: { shape?: Record<string, unknown> } } })?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Keys a strict object does not have: each named, with the field it most likely meant, or the fields there are. */
function unknownKeys(issue: RawIssue): string {
  const fields = fieldsOf(issue.inst);
  const given = issue.input && typeof issue.input === "object" ? Object.keys(issue.input) : [];
  // A key the caller already sent is not what a typo meant.
  const candidates = fields.filter((field) => !given.includes(field));
  let unexplained = false;
  const parts = (issue.keys ?? []).map((key) => {
    const meant = closestField(key, candidates);
    if (!meant) unexplained = true;
    return meant
      ? `\`${dotted(issue.path, key)}\` is not a field (did you mean \`${dotted(issue.path, meant)}\`?)`
      : `\`${dotted(issue.path, key)}\` is not a field`;
  });
  const known = unexplained && fields.length > 0 ? `; the fields${issue.path?.length ? ` of ${named(dotted(issue.path))}` : ""} are ${listed(fields)}` : "";
  return parts.join("; ") + known;
}

function describedInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "string") return input.length <= 30 ? `the text ${JSON.stringify(input)}` : "a text";
  if (typeof input === "object") return "an object";
  return `${typeof input === "number" ? "the number" : "the value"} ${String(input)}`;
}

const EXPECTED: Record<string, string> = { array: "a list", object: "an object", string: "a text", int: "an integer", undefined: "left out", null: "null" };

/**
 * Messages a person can act on, for the issues whose default wording does not say what to do:
 * a missing field is "`x` is required" (never "expected number, received undefined" or, once
 * coerced, "received NaN"); a key the schema does not have names the field it most likely
 * meant; a wrong type says what was expected and what came. Every other issue keeps zod's
 * message. The messages name their field in backticks (the full dotted path), so a summary can
 * show them as they are.
 */
export function actionableIssueMessage(issue: RawIssue): string | undefined {
  const path = dotted(issue.path);
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return `${named(path)} is required`;
      // What a coercion made of text that is not a number; the text itself is gone by now.
      if (typeof issue.input === "number" && Number.isNaN(issue.input)) return `${named(path)} must be a number`;
      const expected = EXPECTED[issue.expected ?? ""] ?? `a ${issue.expected}`;
      return `${named(path)} must be ${expected}, not ${describedInput(issue.input)}`;
    }
    case "invalid_value":
      return issue.input === undefined && issue.values ? `${named(path)} is required: one of ${listed(issue.values)}` : undefined;
    case "invalid_union": {
      if (issue.note !== "No matching discriminator" || !issue.discriminator || !issue.options) return undefined;
      const given = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
      return given === undefined ? `${named(path)} is required: one of ${listed(issue.options)}` : `${named(path)} must be one of ${listed(issue.options)}`;
    }
    case "unrecognized_keys":
      return unknownKeys(issue);
    default:
      return undefined;
  }
}

// One zod instance serves every contract, so the messages hold on tRPC, REST and in the SDK
// alike. A map the host application installed first still answers what this one leaves alone.
const hostMap = z.config().customError;
z.config({ customError: (issue) => actionableIssueMessage(issue as unknown as RawIssue) ?? hostMap?.(issue) });
