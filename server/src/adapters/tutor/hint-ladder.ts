import type { LearnerEvaluation, TutorRequest } from "../../ports/tutor.js";

/** What each failure category suggests looking at, in the learner's terms. */
const ADVICE: Record<string, string> = {
  logic_error: "None of the hidden tests passed yet, so revisit the core approach before the details.",
  edge_cases: "Fewer than half of the hidden tests pass: test the edges — empty input, a single element, negatives, duplicates, the largest sizes.",
  minor_issues: "You are close: most hidden tests pass. Look for a boundary or off-by-one detail.",
  timeout: "Your last attempt ran out of time: look for a faster approach, or a loop that never ends.",
  runtime_error: "Your last attempt crashed while running: check indices, empty inputs and the types you return.",
  compile_error: "Your last attempt could not be parsed: fix the syntax first, then the logic.",
  incorrect_answer: "Your final answer is not equivalent to the expected one yet.",
  incomplete_solution: "Your working stops before a final answer: carry it through to the end.",
  incorrect_method: "Your answer is right, but one of your steps does not follow from the one before it.",
  syntax_error: "Your expression could not be read: check the notation (operators, brackets, `*` for products).",
  unknown_error: "Your last attempt could not be checked: try writing it again more simply.",
};

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const code = (value: unknown) => `\`${clip(JSON.stringify(value) ?? "undefined", 200).replace(/`/g, "'")}\``;

function tailoring(evaluation: LearnerEvaluation | null): string[] {
  if (!evaluation) return [];
  if (evaluation.status === "passed") return ["Your last attempt passed: use these hints to check you understand why it works."];
  const lines = evaluation.categories.map((category) => ADVICE[category]).filter((line): line is string => Boolean(line));
  if (lines.length === 0) lines.push(`Your last attempt ended with status **${evaluation.status}**.`);
  const failure = evaluation.firstFailure;
  if (failure?.input !== undefined) {
    lines.push(`On the visible test with input ${code(failure.input)}, ${code(failure.expected)} was expected but your code gave ${code(failure.actual)}.`);
  } else if (failure?.feedback) {
    lines.push(`The checker said: ${clip(failure.feedback, 300)}`);
  }
  const message = failure?.message ?? evaluation.message;
  if (message) lines.push(`The error message was: ${code(message)}`);
  return lines;
}

/** The local tutor's answer (§10): the authored hints up to the level, tailored to the last evaluation. */
export function composeHint(request: TutorRequest): string {
  const parts: string[] = [];
  for (let level = 1; level <= request.hintLevel; level++) {
    parts.push(`**Hint ${level}.** ${request.problem.hints[String(level) as "1" | "2" | "3"]}`);
  }
  const tailored = tailoring(request.lastEval);
  if (tailored.length > 0) parts.push(`**About your last attempt.** ${tailored.join(" ")}`);
  return parts.join("\n\n");
}

/** Splits markdown into word-sized deltas that concatenate back to exactly the text. */
export function toDeltas(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\S)(?=\s)/);
}
