import { all, create, type EvalFunction, type MathNode } from "mathjs";

if (all === undefined) throw new Error("mathjs did not export its function set");
/** A private mathjs instance: nothing here can change the defaults another module relies on. */
const math = create(all, {});

/** Functions a learner may call, with the number of arguments each accepts. */
const FUNCTIONS: Readonly<Record<string, readonly [min: number, max: number]>> = {
  sin: [1, 1],
  cos: [1, 1],
  tan: [1, 1],
  asin: [1, 1],
  acos: [1, 1],
  atan: [1, 1],
  sinh: [1, 1],
  cosh: [1, 1],
  tanh: [1, 1],
  exp: [1, 1],
  log: [1, 2],
  ln: [1, 1],
  sqrt: [1, 1],
  abs: [1, 1],
};

const CONSTANTS = new Set(["pi", "e"]);
const OPERATORS = new Set(["add", "subtract", "multiply", "divide", "pow", "unaryMinus", "unaryPlus"]);
const MAX_DEPTH = 200;

/** Names of the node types that are refused, in words a learner understands. */
const REFUSED: Readonly<Record<string, string>> = {
  AssignmentNode: "Assignments are not allowed",
  FunctionAssignmentNode: "Function definitions are not allowed",
  ArrayNode: "Matrices and vectors are not allowed",
  IndexNode: "Indexing is not allowed",
  AccessorNode: "Property access is not allowed",
  ObjectNode: "Objects are not allowed",
  RangeNode: "Ranges are not allowed",
  ConditionalNode: "Conditionals are not allowed",
  BlockNode: "Only one expression is allowed",
  RelationalNode: "Comparisons are not allowed",
};

/** An expression that passed the allow-list walk, compiled, with the variables it uses. */
export interface CheckedExpression {
  readonly source: string;
  readonly variables: ReadonlySet<string>;
  readonly compiled: EvalFunction;
}

export type ParseResult = { ok: true; expression: CheckedExpression } | { ok: false; message: string };

class Refusal extends Error {}

const wordAt = (source: string, name: string): number | undefined => {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const index = source.search(new RegExp(`(?<![\\w.])${escaped}(?!\\w)`));
  return index >= 0 ? index : undefined;
};

/** "message (char N)", N 1-based like mathjs's own positions, shifted by `offset`. */
function withPosition(message: string, source: string, offset: number, name?: string): string {
  const index = name === undefined ? undefined : wordAt(source, name);
  return index === undefined ? message : `${message} (char ${index + 1 + offset})`;
}

function check(node: MathNode, variables: ReadonlySet<string>, used: Set<string>, source: string, offset: number, depth: number): void {
  if (depth > MAX_DEPTH) throw new Refusal("The expression is nested too deeply");
  switch (node.type) {
    case "ConstantNode": {
      const { value } = node as MathNode & { value: unknown };
      if (typeof value !== "number") throw new Refusal("Only numbers are allowed as constants");
      return;
    }
    case "SymbolNode": {
      const { name } = node as MathNode & { name: string };
      if (variables.has(name)) used.add(name);
      else if (!CONSTANTS.has(name)) {
        const known = [...variables].join(", ");
        throw new Refusal(withPosition(`Unknown symbol "${name}"${known ? ` (the variables are ${known})` : ""}`, source, offset, name));
      }
      return;
    }
    case "ParenthesisNode":
      check((node as MathNode & { content: MathNode }).content, variables, used, source, offset, depth + 1);
      return;
    case "OperatorNode": {
      const { fn, op, args } = node as MathNode & { fn: string; op: string; args: MathNode[] };
      if (!OPERATORS.has(fn)) throw new Refusal(`The operator "${op}" is not allowed`);
      for (const arg of args) check(arg, variables, used, source, offset, depth + 1);
      return;
    }
    case "FunctionNode": {
      const { fn, args } = node as MathNode & { fn: MathNode; args: MathNode[] };
      const name = fn.type === "SymbolNode" ? (fn as MathNode & { name: string }).name : undefined;
      const arity = name !== undefined && Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
      if (name === undefined || arity === undefined) {
        throw new Refusal(withPosition(`"${name ?? fn.toString()}" is not an allowed function`, source, offset, name));
      }
      if (args.length < arity[0] || args.length > arity[1]) {
        throw new Refusal(withPosition(`${name}() takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} or ${arity[1]}`} argument(s)`, source, offset, name));
      }
      for (const arg of args) check(arg, variables, used, source, offset, depth + 1);
      return;
    }
    default:
      throw new Refusal(REFUSED[node.type] ?? `"${node.type}" is not allowed`);
  }
}

/** Moves mathjs's "(char N)" by `offset`, for a part cut out of a longer answer. */
function shiftPosition(message: string, offset: number): string {
  if (offset === 0) return message;
  return message.replace(/\(char (\d+)\)/, (_, n: string) => `(char ${Number(n) + offset})`);
}

/**
 * Parses a learner's expression with mathjs and accepts it only if every node is allow-listed:
 * numbers, the given variables, pi and e, + - * / ^ (unary too), parentheses and the functions
 * sin cos tan asin acos atan sinh cosh tanh exp log ln sqrt abs. Nothing else is ever compiled.
 * `offset` shifts reported positions when `source` is a slice of a longer input.
 */
export function parseExpression(source: string, variables: readonly string[], offset = 0): ParseResult {
  if (source.trim() === "") return { ok: false, message: "The expression is empty" };
  let node: MathNode;
  try {
    node = math.parse(source);
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false, message: shiftPosition(error.message, offset) };
    return { ok: false, message: "The expression could not be read" };
  }
  const used = new Set<string>();
  try {
    check(node, new Set(variables), used, source, offset, 0);
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, message: error.message };
    return { ok: false, message: "The expression could not be read" };
  }
  return { ok: true, expression: { source, variables: used, compiled: node.compile() } };
}

const FUNCTION_SCOPE: Readonly<Record<string, unknown>> = { ln: (value: unknown) => math.log(value as number) };

/** The real value of a checked expression at a point, or undefined (complex, non-finite, or an error). */
export function evaluateAt(expression: CheckedExpression, point: Readonly<Record<string, number>>): number | undefined {
  let value: unknown;
  try {
    value = expression.compiled.evaluate({ ...FUNCTION_SCOPE, ...point });
  } catch {
    return undefined;
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (math.isComplex(value) && value.im === 0 && Number.isFinite(value.re)) return value.re;
  return undefined;
}
