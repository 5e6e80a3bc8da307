import type { LearnerEvaluation, TutorRequest } from "../../ports/tutor.js";

/**
 * What a remote tutor is told about a turn. Built field by field from the request: the
 * statement, the level's instruction, the last evaluation and the learner's message.
 * The request type holds no solution or hidden test, so none can slip into a prompt.
 */

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const show = (value: unknown) => clip(JSON.stringify(value) ?? "undefined", 300);

export function describeEvaluation(evaluation: LearnerEvaluation | null): string {
  if (!evaluation) return "The learner has not submitted an attempt yet.";
  const lines = [`Outcome of the last attempt: ${evaluation.status}.`];
  if (evaluation.categories.length > 0) lines.push(`Failure categories: ${evaluation.categories.join(", ")}.`);
  const failure = evaluation.firstFailure;
  if (failure) {
    if (failure.input !== undefined) {
      lines.push(`First failing visible test: input ${show(failure.input)}, expected ${show(failure.expected)}, got ${show(failure.actual)}.`);
    }
    if (failure.message) lines.push(`Message: ${clip(failure.message, 500)}`);
    if (failure.feedback) lines.push(`Checker feedback: ${clip(failure.feedback, 500)}`);
  }
  if (evaluation.message) lines.push(`Error shown to the learner: ${clip(evaluation.message, 500)}`);
  return lines.join("\n");
}

const SYSTEM = [
  "You are a patient tutor on a learning platform for programming and mathematics.",
  "You help a learner who is stuck on a problem, at the hint level they asked for.",
  "Never reveal a complete solution, full working code or the final answer; the learner must write it.",
  "Answer in concise markdown.",
].join(" ");

/** OpenAI-compatible chat messages for one turn. */
export function chatMessages(request: TutorRequest): { role: "system" | "user"; content: string }[] {
  const { problem } = request;
  const user = [
    `# Problem: ${problem.title}`,
    `Subject: ${problem.subject}; kind: ${problem.type}${problem.topics.length > 0 ? `; topics: ${problem.topics.join(", ")}` : ""}.`,
    "",
    problem.statement,
    "",
    "# Learner's last evaluation",
    describeEvaluation(request.lastEval),
    "",
    "# Learner's message",
    request.message ?? "(none: the learner asked for a hint)",
  ].join("\n");
  return [
    { role: "system", content: `${SYSTEM}\n\nHint level ${request.hintLevel} of 3: ${request.instruction}` },
    { role: "user", content: user },
  ];
}

/** The `context` of a Tutor API turn (§9), as plain wire JSON. */
export function tutorApiContext(request: TutorRequest) {
  const { problem } = request;
  return {
    turn_id: request.turnId,
    hint_level: request.hintLevel,
    problem: { id: problem.id, subject: problem.subject, title: problem.title, statement: problem.statement, type: problem.type, topics: problem.topics },
    last_eval: request.lastEval
      ? {
          status: request.lastEval.status,
          categories: request.lastEval.categories,
          first_failure: request.lastEval.firstFailure,
          ...(request.lastEval.message ? { message: request.lastEval.message } : {}),
        }
      : null,
    message: request.message,
  };
}
