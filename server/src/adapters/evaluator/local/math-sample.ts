import type { MathDeadline } from "./math-budget.js";
import { evaluateAt, type CheckedExpression } from "./math-parse.js";

export const DEFAULT_TOLERANCE = 1e-6;

/** Usable points wanted for a verdict; fewer only when the expressions are undefined almost everywhere. */
const WANTED_POINTS = 12;
/** Sampling ranges, tried in order while too few points are usable (e.g. sqrt(x - 5)). */
const RANGES = [3, 20, 1000];
const DRAWS_PER_RANGE = 100;

/** A small deterministic PRNG (mulberry32): the same problem is always sampled the same way. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: a seed from the problem id. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Whether two reals agree within the relative tolerance (with an absolute floor of tolerance · 1e-3). */
export function close(a: number, b: number, tolerance: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b), 1e-3);
}

export type Equivalence = { equivalent: true } | { equivalent: false; reason: "differs" | "undefined" };

/**
 * Whether two expressions are equivalent: equal at every sampled point of `variables` (drawn
 * in [-3, 3], widening when too few points are usable), skipping points where either side is
 * not a finite real. Two constant expressions are compared once, directly.
 * Checks `deadline` before every draw (throws `MathBudgetExceeded` once it is spent).
 */
export function equivalent(
  left: CheckedExpression,
  right: CheckedExpression,
  variables: readonly string[],
  tolerance: number,
  random: () => number,
  deadline: Pick<MathDeadline, "check">,
): Equivalence {
  const free = variables.filter((name) => left.variables.has(name) || right.variables.has(name));
  if (free.length === 0) {
    const a = evaluateAt(left, {});
    const b = evaluateAt(right, {});
    if (a === undefined || b === undefined) return { equivalent: false, reason: "undefined" };
    return close(a, b, tolerance) ? { equivalent: true } : { equivalent: false, reason: "differs" };
  }
  let usable = 0;
  for (const range of RANGES) {
    for (let draw = 0; draw < DRAWS_PER_RANGE && usable < WANTED_POINTS; draw++) {
      deadline.check();
      const point: Record<string, number> = {};
      for (const name of free) point[name] = (random() * 2 - 1) * range;
      const a = evaluateAt(left, point);
      const b = evaluateAt(right, point);
      if (a === undefined || b === undefined) continue;
      if (!close(a, b, tolerance)) return { equivalent: false, reason: "differs" };
      usable++;
    }
    if (usable >= WANTED_POINTS) break;
  }
  return usable > 0 ? { equivalent: true } : { equivalent: false, reason: "undefined" };
}
