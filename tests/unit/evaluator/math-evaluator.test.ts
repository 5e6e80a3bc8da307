import { afterAll, describe, expect, it } from "vitest";
import { LocalEvaluator } from "../../../server/src/adapters/evaluator/local/local-evaluator.js";
import type { MathEvaluationRequest } from "../../../server/src/ports/evaluator.js";
import { AppError } from "../../../server/src/errors/app-error.js";

const expression = (userAnswer: string | null, expectedAnswer: string, extra: Partial<MathEvaluationRequest> = {}): MathEvaluationRequest => ({
  problemId: "expr-1",
  problemType: "expression",
  userAnswer,
  userSteps: [],
  expectedAnswer,
  variables: ["x"],
  tolerance: 1e-6,
  ...extra,
});

const equation = (userAnswer: string | null, expectedAnswer: string, extra: Partial<MathEvaluationRequest> = {}): MathEvaluationRequest => ({
  ...expression(userAnswer, expectedAnswer),
  problemId: "eq-1",
  problemType: "equation",
  ...extra,
});

describe("local evaluator, math expressions", () => {
  const evaluator = new LocalEvaluator({});
  afterAll(() => evaluator.close());
  const grade = (request: MathEvaluationRequest) => evaluator.evaluateMath(request);

  it.each([
    ["2x+2", "2(x+1)"],
    ["(x+1)^2", "x^2+2x+1"],
    ["sin(x)^2+cos(x)^2", "1"],
    ["ln(x) + log(x)", "2 log(x)"],
    ["e^(2x)", "exp(x)^2"],
    ["sqrt(x^2)", "abs(x)"],
    ["tan(x)", "sin(x)/cos(x)"],
  ])("when the answer %s is equivalent to %s, it is correct", async (answer, expected) => {
    const result = await grade(expression(answer, expected));
    expect(result).toMatchObject({ correct: true });
    expect(result.errorType).toBeUndefined();
  });

  it.each([
    ["sqrt(x^2)", "x"],
    ["x^2", "x^3"],
    ["2x+1", "2(x+1)"],
    ["x + 1e-3", "x"],
  ])("when the answer %s is not equivalent to %s, it is a wrong answer", async (answer, expected) => {
    expect(await grade(expression(answer, expected))).toMatchObject({ correct: false, errorType: "wrong_answer" });
  });

  it("when both sides are constants, they are compared directly within the tolerance", async () => {
    expect(await grade(expression("1/3 + 1/6", "0.5", { variables: [] }))).toMatchObject({ correct: true });
    expect(await grade(expression("0.333", "1/3", { variables: [] }))).toMatchObject({ correct: false, errorType: "wrong_answer" });
    expect(await grade(expression("0.333", "1/3", { variables: [], tolerance: 0.01 }))).toMatchObject({ correct: true });
  });

  it("when the problem has several variables, all of them are sampled", async () => {
    const request = expression("(x+y)^2", "x^2 + 2*x*y + y^2", { variables: ["x", "y"] });
    expect(await grade(request)).toMatchObject({ correct: true });
    expect(await grade({ ...request, userAnswer: "x^2 + y^2" })).toMatchObject({ correct: false });
  });

  it("when an expression is only defined for large values, the sampling range widens", async () => {
    expect(await grade(expression("sqrt(x - 5)^2", "x - 5"))).toMatchObject({ correct: true });
  });

  it("when the answer is cut short, the result is a syntax error with the parser's position", async () => {
    const result = await grade(expression("2*x+", "2x"));
    expect(result).toMatchObject({ correct: false, errorType: "syntax_error" });
    expect(result.feedback).toContain("Unexpected end of expression (char 5)");
  });

  it.each([
    ['import("fs")', /not an allowed function/],
    ["x = 2", /Assignments are not allowed/],
    ["[1, 2]", /Matrices/],
    ["5 cm", /Unknown symbol "cm"/],
    ["2 inch to cm", /not allowed/],
    ["f(x) = x^2", /not allowed/],
    ["evaluate(\"2+2\")", /not an allowed function/],
    ["x.constructor", /not allowed/],
    ['"text"', /Only numbers/],
    ["3!", /not allowed/],
    ["y + 1", /Unknown symbol "y"/],
    ["a ? 1 : 2", /not allowed/],
    ["1; 2", /Only one expression/],
  ])("when the answer %s is outside the allowed grammar, it is refused as a syntax error", async (answer, message) => {
    const result = await grade(expression(answer, "x"));
    expect(result).toMatchObject({ correct: false, errorType: "syntax_error" });
    expect(result.feedback).toMatch(message);
  });

  it("when a refused symbol is reported, its position is given", async () => {
    expect((await grade(expression("x + cm", "x"))).feedback).toContain("(char 5)");
  });

  it("when the answer is empty, it is refused as a syntax error", async () => {
    expect(await grade(expression("", "x"))).toMatchObject({ correct: false, errorType: "syntax_error" });
    expect(await grade(expression("   ", "x"))).toMatchObject({ correct: false, errorType: "syntax_error" });
  });

  it("when the steps are each equivalent to the one before, the solution is correct", async () => {
    const result = await grade(expression("x^2 + 2x", "x^2+2x", { userSteps: ["(x+1)^2 - 1", "x^2 + 2x + 1 - 1"] }));
    expect(result).toMatchObject({ correct: true });
  });

  it("when a middle step is invalid but the answer is right, the result is a method error naming the step", async () => {
    const result = await grade(expression("x^2 + 2x", "x^2+2x", { userSteps: ["(x+1)^2 - 1", "x^2 + 1 - 1", "x^2 + 2x"] }));
    expect(result).toMatchObject({ correct: false, errorType: "method_error" });
    expect(result.feedback).toMatch(/step 2\b/);
  });

  it("when a step has a syntax error, the result is a syntax error naming the step", async () => {
    const result = await grade(expression("x", "x", { userSteps: ["x + 0", "x +"] }));
    expect(result).toMatchObject({ correct: false, errorType: "syntax_error" });
    expect(result.feedback).toMatch(/^Step 2: .*\(char \d+\)/);
  });

  it("when there is no answer and the last step is not the answer, the solution is incomplete", async () => {
    const result = await grade(expression(null, "x^2+2x", { userSteps: ["(x+1)^2 - 1", "(x+1)^2"] }));
    expect(result).toMatchObject({ correct: false, errorType: "incomplete" });
  });

  it("when there is no answer and the last step is the answer, the solution is correct", async () => {
    expect(await grade(expression(null, "x^2+2x", { userSteps: ["(x+1)^2 - 1", "x^2+2x"] }))).toMatchObject({ correct: true });
  });

  it("when the answer is wrong, it is a wrong answer even if the steps are fine", async () => {
    expect(await grade(expression("x^2", "x^2+2x", { userSteps: ["(x+1)^2 - 1"] }))).toMatchObject({ errorType: "wrong_answer" });
  });

  it("when the problem's reference answer is unreadable, an AppError is thrown", async () => {
    await expect(grade(expression("x", "x +"))).rejects.toBeInstanceOf(AppError);
  });

  it("when the same problem is graded twice, the verdict is the same (sampling is seeded)", async () => {
    const request = expression("sqrt(x^2)", "x");
    expect(await grade(request)).toEqual({ ...(await grade(request)), execMs: expect.any(Number) });
  });
});

describe("local evaluator, math equations", () => {
  const evaluator = new LocalEvaluator({});
  afterAll(() => evaluator.close());
  const grade = (request: MathEvaluationRequest) => evaluator.evaluateMath(request);

  it.each(["2, 3", "3, 2", "x = 2, x = 3", "x=2 or x=3", "{2, 3}", "{ x = 3; x = 2 }", "x = 2 or 3 = x", "2.0000000001, 3"])(
    "when the solutions are written as %s, they are accepted",
    async (answer) => {
      expect(await grade(equation(answer, "2, 3"))).toMatchObject({ correct: true });
    },
  );

  it.each(["2", "2, 3, 4", "x = 2, x = -3", "{}"])("when the solutions %s differ from the expected set, it is a wrong answer", async (answer) => {
    expect(await grade(equation(answer, "2, 3"))).toMatchObject({ correct: false, errorType: "wrong_answer" });
  });

  it("when values are given as expressions, they are evaluated", async () => {
    expect(await grade(equation("x = sqrt(2) or x = -sqrt(2)", "-1.4142135623730951, 1.4142135623730951"))).toMatchObject({ correct: true });
  });

  it("when the answer is an equation rather than values, it is a wrong answer that says what to give", async () => {
    const result = await grade(equation("2x = 6", "3"));
    expect(result).toMatchObject({ correct: false, errorType: "wrong_answer" });
    expect(result.feedback).toMatch(/values of x/);
  });

  it("when an equation answer has a syntax error, its position is given in the whole answer", async () => {
    const result = await grade(equation("x = 2, x = 3*", "2, 3"));
    expect(result).toMatchObject({ correct: false, errorType: "syntax_error" });
    expect(result.feedback).toContain("(char 14)");
  });

  it("when an equation answer is empty, it is refused", async () => {
    expect(await grade(equation("", "2, 3"))).toMatchObject({ correct: false, errorType: "syntax_error" });
    expect(await grade(equation("x = 2,", "2, 3"))).toMatchObject({ correct: false, errorType: "syntax_error" });
  });

  it("when the steps are valid transformations, the solution is correct", async () => {
    const steps = ["x^2 - 5x + 6 = 0", "(x - 2)(x - 3) = 0", "x - 2 = 0 or x - 3 = 0", "x = 2 or x = 3"];
    expect(await grade(equation("2, 3", "2, 3", { userSteps: steps }))).toMatchObject({ correct: true });
  });

  it("when steps multiply both sides or square them without changing the solutions, they are accepted", async () => {
    expect(await grade(equation("x = 4", "4", { userSteps: ["sqrt(x) = 2", "x = 4"] }))).toMatchObject({ correct: true });
    expect(await grade(equation("x = 1.5", "1.5", { userSteps: ["1/(x - 1) = 2", "1 = 2(x - 1)", "2x = 3"] }))).toMatchObject({ correct: true });
  });

  it("when a middle step changes the solutions but the answer is right, it is a method error naming the step", async () => {
    const steps = ["2x + 4 = 10", "2x = 14", "x = 3"];
    const result = await grade(equation("3", "3", { userSteps: steps }));
    expect(result).toMatchObject({ correct: false, errorType: "method_error" });
    expect(result.feedback).toMatch(/step 2\b/);
  });

  it("when a step loses a root, it is a method error", async () => {
    const steps = ["x^2 = 4x", "x = 4", "x = 0 or x = 4"];
    const result = await grade(equation("0, 4", "0, 4", { userSteps: steps }));
    expect(result).toMatchObject({ correct: false, errorType: "method_error" });
    expect(result.feedback).toMatch(/step 2\b/);
  });

  it("when there is no answer and the last step is an equation still to solve, the solution is incomplete", async () => {
    expect(await grade(equation(null, "3", { userSteps: ["2x + 4 = 10", "2x = 6"] }))).toMatchObject({
      correct: false,
      errorType: "incomplete",
    });
  });

  it("when there is no answer and the last step gives the solutions, the solution is correct", async () => {
    expect(await grade(equation(null, "3", { userSteps: ["2x + 4 = 10", "2x = 6", "x = 3"] }))).toMatchObject({ correct: true });
  });

  it("when an equation step has a syntax error, the result names the step", async () => {
    const result = await grade(equation("3", "3", { userSteps: ["2x + 4 = = 10"] }));
    expect(result).toMatchObject({ correct: false, errorType: "syntax_error" });
    expect(result.feedback).toMatch(/^Step 1: /);
  });

  it("when an equation has no solution, the empty set is accepted", async () => {
    expect(await grade(equation("no solution", "{}"))).toMatchObject({ correct: true });
    expect(await grade(equation("{}", "{}", { userSteps: ["x^2 + 1 = 0"] }))).toMatchObject({ correct: true });
  });
});

/** ~2 KiB of oscillating terms, a balanced sum (so it stays under the nesting limit): many sign changes to refine. */
function oscillating(maxChars: number): string {
  const balanced = (terms: string[]): string =>
    terms.length === 1 ? terms[0]! : `(${balanced(terms.slice(0, terms.length >> 1))}+${balanced(terms.slice(terms.length >> 1))})`;
  let best = "";
  for (let n = 10; ; n += 5) {
    const next = balanced(Array.from({ length: n }, (_, i) => `sin(${(i % 97) + 1}*x)`));
    if (next.length > maxChars) return best;
    best = next;
  }
}

describe("local evaluator, math work budget", () => {
  // A small budget keeps the test quick; the default (MATH_BUDGET_MS) applies the same way.
  const evaluator = new LocalEvaluator({ mathBudgetMs: 200 });
  afterAll(() => evaluator.close());

  it("when 50 equation steps of 2 KiB need more work than the budget, the grading stops with no verdict category", async () => {
    const step = `${oscillating(2040)} = 0`;
    const result = await evaluator.evaluateMath(equation("x = 3", "3", { userSteps: Array(50).fill(step) }));
    expect(result.correct).toBe(false);
    expect(result.errorType).toBeUndefined();
    expect(result.feedback).toMatch(/could not be checked within the 0.2 s time limit/);
  });

  it("when 50 expression steps of 2 KiB, mostly undefined, need more sampling than the budget, the grading stops the same way", async () => {
    const step = `sqrt(1 - x^2) + ${oscillating(2000)}`;
    const result = await evaluator.evaluateMath(expression(step, step, { userSteps: Array(50).fill(step) }));
    expect(result.correct).toBe(false);
    expect(result.errorType).toBeUndefined();
    expect(result.feedback).toMatch(/time limit/);
  });

  it("when an ordinary answer is graded, the budget changes nothing", async () => {
    const steps = ["x^2 - 5x + 6 = 0", "(x - 2)(x - 3) = 0", "x = 2 or x = 3"];
    expect(await evaluator.evaluateMath(equation("2, 3", "2, 3", { userSteps: steps }))).toMatchObject({ correct: true });
  });
});
