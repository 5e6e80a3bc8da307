import { AppError } from "../../../errors/app-error.js";
import type { MathEvaluation, MathEvaluationRequest } from "../../../ports/evaluator.js";
import { MATH_BUDGET_MS, MathBudgetExceeded, MathDeadline, outOfTime } from "./math-budget.js";
import { parseStatement, sameValueSet, SolutionSets, valuesOf, type Statement } from "./math-equation.js";
import { parseExpression, type CheckedExpression } from "./math-parse.js";
import { DEFAULT_TOLERANCE, equivalent, randomSource, seedOf } from "./math-sample.js";

type Verdict = Omit<MathEvaluation, "execMs">;

const syntaxError = (feedback: string): Verdict => ({ correct: false, errorType: "syntax_error", feedback });
const stepLabel = (index: number) => `Step ${index + 1}`;

/** The learner's final answer, or null when none was given (`userAnswer` null). */
function answerText(request: MathEvaluationRequest): string | null {
  return request.userAnswer === null || request.userAnswer === undefined ? null : request.userAnswer;
}

function toleranceOf(request: MathEvaluationRequest): number {
  const { tolerance } = request;
  return typeof tolerance === "number" && Number.isFinite(tolerance) && tolerance > 0 ? tolerance : DEFAULT_TOLERANCE;
}

function invalidReference(request: MathEvaluationRequest): AppError {
  return new AppError("INTERNAL", "The problem's reference answer cannot be read", { problemId: request.problemId });
}

/**
 * An expression problem: the answer must be equivalent to the expected expression (numeric
 * sampling), and each step equivalent to the step before it; the answer must follow from the last step.
 */
function gradeExpression(request: MathEvaluationRequest, deadline: MathDeadline): Verdict {
  const variables = request.variables;
  const tolerance = toleranceOf(request);
  const random = randomSource(seedOf(request.problemId));
  const same = (a: CheckedExpression, b: CheckedExpression) => equivalent(a, b, variables, tolerance, random, deadline).equivalent;

  const expected = parseExpression(request.expectedAnswer, variables);
  if (!expected.ok) throw invalidReference(request);

  const steps: CheckedExpression[] = [];
  for (const [index, source] of request.userSteps.entries()) {
    deadline.check();
    const parsed = parseExpression(source, variables);
    if (!parsed.ok) return syntaxError(`${stepLabel(index)}: ${parsed.message}`);
    steps.push(parsed.expression);
  }
  const given = answerText(request);
  let answer: CheckedExpression | undefined;
  if (given !== null) {
    const parsed = parseExpression(given, variables);
    if (!parsed.ok) return syntaxError(parsed.message);
    answer = parsed.expression;
  }

  const last = steps.at(-1);
  if (answer === undefined) {
    if (last === undefined) return { correct: false, errorType: "incomplete", feedback: "No answer or steps were given." };
    if (!same(last, expected.expression)) {
      return { correct: false, errorType: "incomplete", feedback: "There is no final answer, and the last step is not the answer yet." };
    }
  } else if (!same(answer, expected.expression)) {
    return { correct: false, errorType: "wrong_answer", feedback: "The answer is not equivalent to the expected result." };
  }

  for (let i = 1; i < steps.length; i++) {
    if (!same(steps[i - 1]!, steps[i]!)) return methodError(`step ${i + 1} is not equivalent to step ${i}`);
  }
  if (answer !== undefined && last !== undefined && !same(last, answer)) {
    return methodError(`the final answer does not follow from step ${steps.length}`);
  }
  return { correct: true, feedback: "Correct." };
}

/** Right answer, invalid step: `what` says which step, e.g. "step 3 is not equivalent to step 2". */
function methodError(what: string): Verdict {
  return { correct: false, errorType: "method_error", feedback: `The answer is right, but ${what}.` };
}

/**
 * An equation problem in one variable: the answer is a set of values compared with the expected
 * set within the tolerance. Steps are equations (or solution lists); consecutive steps must have
 * the same real solutions (see `SolutionSets`).
 */
function gradeEquation(request: MathEvaluationRequest, deadline: MathDeadline): Verdict {
  if (request.variables.length > 1) {
    throw new AppError("VALIDATION_ERROR", "An equation problem has exactly one variable", { problemId: request.problemId });
  }
  const variable = request.variables[0] ?? "x";
  const tolerance = toleranceOf(request);

  const expected = parseStatement(request.expectedAnswer, variable);
  if (!expected.ok || !expected.statement.isSolutionList) throw invalidReference(request);
  const expectedValues = valuesOf(expected.statement);
  if (expectedValues.some((value) => value === undefined)) throw invalidReference(request);
  const sets = new SolutionSets(variable, tolerance, expectedValues as number[], deadline);

  const steps: Statement[] = [];
  for (const [index, source] of request.userSteps.entries()) {
    deadline.check();
    const parsed = parseStatement(source, variable);
    if (!parsed.ok) return syntaxError(`${stepLabel(index)}: ${parsed.message}`);
    steps.push(parsed.statement);
  }
  const given = answerText(request);
  let answer: Statement | undefined;
  if (given !== null) {
    const parsed = parseStatement(given, variable);
    if (!parsed.ok) return syntaxError(parsed.message);
    if (!parsed.statement.isSolutionList) {
      return {
        correct: false,
        errorType: "wrong_answer",
        feedback: `Give the values of ${variable}, e.g. "${variable} = 2, ${variable} = 3".`,
      };
    }
    answer = parsed.statement;
  }

  const last = steps.at(-1);
  const final = answer ?? (last?.isSolutionList ? last : undefined);
  if (final === undefined) {
    return {
      correct: false,
      errorType: "incomplete",
      feedback: last === undefined ? "No answer or steps were given." : `There is no final answer: the last step does not give the values of ${variable} yet.`,
    };
  }
  if (!sameValueSet(valuesOf(final), expectedValues, tolerance)) {
    return answer === undefined
      ? { correct: false, errorType: "incomplete", feedback: "There is no final answer, and the last step is not the solution." }
      : { correct: false, errorType: "wrong_answer", feedback: "The set of solutions is not correct." };
  }

  for (let i = 1; i < steps.length; i++) {
    if (!sets.equivalent(steps[i - 1]!, steps[i]!)) return methodError(`step ${i + 1} does not have the same solutions as step ${i}`);
  }
  if (answer !== undefined && last !== undefined && !sets.equivalent(last, answer)) {
    return methodError(`the final answer does not follow from step ${steps.length}`);
  }
  return { correct: true, feedback: "Correct." };
}

/**
 * Grades a math answer and its steps (§10): never evaluates a raw string, only allow-listed trees.
 * Grading is bounded by `budgetMs` of wall-clock time: past it, the answer is neither right nor
 * wrong but not checked, with no `errorType` (§8.4 `unknown_error`). It is synchronous: the
 * evaluator runs it in a worker thread (math-pool.ts), never on the API's event loop.
 */
export function evaluateMath(request: MathEvaluationRequest, budgetMs: number = MATH_BUDGET_MS): MathEvaluation {
  const started = performance.now();
  const deadline = new MathDeadline(budgetMs);
  let verdict: Verdict;
  try {
    verdict = request.problemType === "equation" ? gradeEquation(request, deadline) : gradeExpression(request, deadline);
  } catch (error) {
    if (!(error instanceof MathBudgetExceeded)) throw error;
    verdict = outOfTime(budgetMs);
  }
  return { ...verdict, execMs: Math.round(performance.now() - started) };
}
