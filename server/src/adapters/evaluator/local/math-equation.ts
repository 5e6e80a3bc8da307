import type { MathDeadline } from "./math-budget.js";
import { evaluateAt, parseExpression, type CheckedExpression } from "./math-parse.js";
import { close } from "./math-sample.js";

/**
 * One alternative of an equation statement: `x = value`, or a general equation `lhs = rhs`
 * in the one variable (an expression without "=" is read as `expression = 0`).
 * A value that is not a real number is `undefined` and equals nothing.
 */
export type StatementPart =
  | { kind: "value"; value: number | undefined }
  | { kind: "equation"; lhs: CheckedExpression; rhs: CheckedExpression };

/** A step or an answer of an equation problem: alternatives joined by "or" or commas. */
export interface Statement {
  parts: StatementPart[];
  /** Every part is a value: the statement is a list of solutions, e.g. "x = 2, x = 3". */
  isSolutionList: boolean;
}

export type StatementResult = { ok: true; statement: Statement } | { ok: false; message: string };

interface Slice {
  text: string;
  offset: number;
}

const EMPTY_SET = /^\s*(\{\s*\}|no solutions?|none|∅)\s*$/i;
const IDENTIFIER_CHAR = /[\w$]/;

/** Splits at top-level commas, semicolons and the word "or"; strips one pair of outer braces. */
function splitAlternatives(source: string): Slice[] {
  let text = source;
  let offset = 0;
  const trimmedStart = source.length - source.trimStart().length;
  const trimmed = source.trim();
  if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
    text = trimmed.slice(1, -1);
    offset = trimmedStart + 1;
  }
  const slices: Slice[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "(" || char === "[") depth++;
    else if (char === ")" || char === "]") depth--;
    if (depth !== 0) continue;
    if (char === "," || char === ";") {
      slices.push({ text: text.slice(start, i), offset: offset + start });
      start = i + 1;
    } else if (
      text.slice(i, i + 2).toLowerCase() === "or" &&
      !IDENTIFIER_CHAR.test(text[i - 1] ?? " ") &&
      !IDENTIFIER_CHAR.test(text[i + 2] ?? " ")
    ) {
      slices.push({ text: text.slice(start, i), offset: offset + start });
      start = i + 2;
      i++;
    }
  }
  slices.push({ text: text.slice(start), offset: offset + start });
  return slices;
}

function parsePart(slice: Slice, variable: string): { ok: true; part: StatementPart } | { ok: false; message: string } {
  const equals = [...slice.text.matchAll(/=/g)].map((match) => match.index);
  const firstEquals = equals[0];
  if (firstEquals !== undefined && (equals.length > 1 || /[<>!]=|==/.test(slice.text))) {
    return { ok: false, message: `Use exactly one "=" per equation (char ${slice.offset + firstEquals + 1})` };
  }
  if (slice.text.trim() === "") return { ok: false, message: `A value is missing (char ${slice.offset + 1})` };

  if (firstEquals === undefined) {
    const parsed = parseExpression(slice.text, [variable], slice.offset);
    if (!parsed.ok) return parsed;
    if (!parsed.expression.variables.has(variable)) {
      return { ok: true, part: { kind: "value", value: evaluateAt(parsed.expression, {}) } };
    }
    const zero = parseExpression("0", []);
    if (!zero.ok) return zero;
    return { ok: true, part: { kind: "equation", lhs: parsed.expression, rhs: zero.expression } };
  }

  const lhsText = slice.text.slice(0, firstEquals);
  const rhsText = slice.text.slice(firstEquals + 1);
  if (lhsText.trim() === "") return { ok: false, message: `The left side of "=" is empty (char ${slice.offset + firstEquals + 1})` };
  if (rhsText.trim() === "") return { ok: false, message: `The right side of "=" is empty (char ${slice.offset + firstEquals + 1})` };
  const lhs = parseExpression(lhsText, [variable], slice.offset);
  if (!lhs.ok) return lhs;
  const rhs = parseExpression(rhsText, [variable], slice.offset + firstEquals + 1);
  if (!rhs.ok) return rhs;
  const lhsIsVariable = lhsText.trim() === variable;
  const rhsIsVariable = rhsText.trim() === variable;
  if (lhsIsVariable && !rhs.expression.variables.has(variable)) {
    return { ok: true, part: { kind: "value", value: evaluateAt(rhs.expression, {}) } };
  }
  if (rhsIsVariable && !lhs.expression.variables.has(variable)) {
    return { ok: true, part: { kind: "value", value: evaluateAt(lhs.expression, {}) } };
  }
  return { ok: true, part: { kind: "equation", lhs: lhs.expression, rhs: rhs.expression } };
}

/**
 * Parses an answer or step of an equation problem in the variable `variable`. Accepted forms:
 * "2, 3", "x = 2, x = 3", "x=2 or x=3", "{2, 3}", "{}" / "no solution", and equations such as
 * "2x + 4 = 10" or "(x-2)(x-3) = 0 or x = 5". Positions in messages refer to `source`.
 */
export function parseStatement(source: string, variable: string): StatementResult {
  if (source.trim() === "") return { ok: false, message: "The answer is empty" };
  if (EMPTY_SET.test(source)) return { ok: true, statement: { parts: [], isSolutionList: true } };
  const parts: StatementPart[] = [];
  for (const slice of splitAlternatives(source)) {
    const parsed = parsePart(slice, variable);
    if (!parsed.ok) return parsed;
    parts.push(parsed.part);
  }
  return { ok: true, statement: { parts, isSolutionList: parts.every((part) => part.kind === "value") } };
}

/** The values of a solution list (undefined for a non-real value). */
export function valuesOf(statement: Statement): (number | undefined)[] {
  return statement.parts.map((part) => (part.kind === "value" ? part.value : undefined));
}

/** Whether two solution lists name the same set of values, within the tolerance. */
export function sameValueSet(a: readonly (number | undefined)[], b: readonly (number | undefined)[], tolerance: number): boolean {
  const covered = (xs: readonly (number | undefined)[], ys: readonly (number | undefined)[]) =>
    xs.every((x) => x !== undefined && ys.some((y) => y !== undefined && close(x, y, tolerance)));
  return covered(a, b) && covered(b, a);
}

const GRID_INTERVALS = 1000;
const BISECTIONS = 80;

/**
 * Compares equation statements by their real solution sets, numerically. Candidate solutions are
 * the problem's expected values, every listed value, and the roots each equation shows as a sign
 * change on a grid over [-10, 10] (widened to cover the expected values), refined by bisection.
 * Two statements are equivalent when each candidate solves both or neither. This accepts any
 * valid transformation (adding, factoring, squaring when no root is gained, ...) and catches lost
 * or gained roots; a gained root that is never a sign change outside the expected values is missed.
 * Every grid point, bisection step and candidate checks `deadline` (it throws `MathBudgetExceeded`).
 */
export class SolutionSets {
  private readonly low: number;
  private readonly high: number;
  private readonly roots = new Map<Statement, number[]>();

  constructor(
    private readonly variable: string,
    private readonly tolerance: number,
    private readonly expected: readonly number[],
    private readonly deadline: Pick<MathDeadline, "check">,
  ) {
    this.low = Math.min(-10, ...expected.map((value) => value - 1));
    this.high = Math.max(10, ...expected.map((value) => value + 1));
  }

  /** Whether `a` and `b` have the same real solutions among the candidates. */
  equivalent(a: Statement, b: Statement): boolean {
    const candidates = [...this.expected, ...this.rootsOf(a), ...this.rootsOf(b)];
    return candidates.every((candidate) => {
      this.deadline.check();
      return this.solves(a, candidate) === this.solves(b, candidate);
    });
  }

  private solves(statement: Statement, x: number): boolean {
    return statement.parts.some((part) =>
      part.kind === "value" ? part.value !== undefined && close(part.value, x, this.tolerance) : this.solvesEquation(part, x),
    );
  }

  /** lhs − rhs at x, and the magnitude of the sides for a relative residual. */
  private residual(part: Extract<StatementPart, { kind: "equation" }>, x: number): { g: number; scale: number } | undefined {
    const point = { [this.variable]: x };
    const lhs = evaluateAt(part.lhs, point);
    const rhs = evaluateAt(part.rhs, point);
    if (lhs === undefined || rhs === undefined) return undefined;
    return { g: lhs - rhs, scale: Math.max(1, Math.abs(lhs), Math.abs(rhs)) };
  }

  private isSmall(value: { g: number; scale: number } | undefined): boolean {
    return value !== undefined && Math.abs(value.g) <= this.tolerance * value.scale;
  }

  /** x solves the equation, or a root lies within the tolerance of x (a rounded value). */
  private solvesEquation(part: Extract<StatementPart, { kind: "equation" }>, x: number): boolean {
    if (this.isSmall(this.residual(part, x))) return true;
    const delta = this.tolerance * Math.max(1, Math.abs(x));
    const root = this.bisect(part, x - delta, x + delta);
    return root !== undefined && this.isSmall(this.residual(part, root));
  }

  /** A root of lhs − rhs in [a, b] when the sign changes there (a pole also does: callers check the residual). */
  private bisect(part: Extract<StatementPart, { kind: "equation" }>, a: number, b: number): number | undefined {
    let lo = a;
    let hi = b;
    let gLo = this.residual(part, lo)?.g;
    const gHi = this.residual(part, hi)?.g;
    if (gLo === undefined || gHi === undefined || Math.sign(gLo) === Math.sign(gHi)) return undefined;
    for (let i = 0; i < BISECTIONS; i++) {
      this.deadline.check();
      const mid = (lo + hi) / 2;
      if (mid === lo || mid === hi) break;
      const gMid = this.residual(part, mid)?.g;
      if (gMid === undefined) return undefined;
      if (gMid === 0) return mid;
      if (Math.sign(gMid) === Math.sign(gLo)) {
        lo = mid;
        gLo = gMid;
      } else hi = mid;
    }
    return (lo + hi) / 2;
  }

  private rootsOf(statement: Statement): number[] {
    const cached = this.roots.get(statement);
    if (cached) return cached;
    const found: number[] = [];
    for (const part of statement.parts) {
      if (part.kind === "value") {
        if (part.value !== undefined) found.push(part.value);
        continue;
      }
      const step = (this.high - this.low) / GRID_INTERVALS;
      let previous: { x: number; g: number } | undefined;
      for (let i = 0; i <= GRID_INTERVALS; i++) {
        this.deadline.check();
        const x = this.low + i * step;
        const g = this.residual(part, x)?.g;
        if (g === undefined) {
          previous = undefined;
          continue;
        }
        if (g === 0) found.push(x);
        else if (previous && previous.g !== 0 && Math.sign(previous.g) !== Math.sign(g)) {
          const root = this.bisect(part, previous.x, x);
          if (root !== undefined && this.isSmall(this.residual(part, root))) found.push(root);
        }
        previous = { x, g };
      }
    }
    this.roots.set(statement, found);
    return found;
  }
}
