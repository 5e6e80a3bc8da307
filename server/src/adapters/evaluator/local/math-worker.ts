import { parentPort } from "node:worker_threads";
import { isAppError } from "../../../errors/app-error.js";
import { evaluateMath } from "./math-evaluator.js";
import type { MathJobMessage, MathReplyMessage, ThrownError } from "./math-protocol.js";

// A thread of the math pool (loaded by math-worker.mjs): grades one answer at a time, off the
// API's event loop. The work budget still stops the grading inside its loops; if it ever fails
// to, the pool terminates this thread at its wall-clock stop and starts another.

const port = parentPort;
if (!port) throw new Error("math-worker must run in a worker thread");

function thrown(error: unknown): ThrownError {
  if (isAppError(error)) return { code: error.code, message: error.message, details: error.details };
  return { message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

function reply(message: MathReplyMessage): void {
  try {
    port!.postMessage(message);
  } catch {
    // Details that do not clone (never expected): the error still reaches the caller, without them.
    if (message.type === "error") port!.postMessage({ ...message, error: { ...message.error, details: {} } });
    else throw new Error("The math result could not be sent");
  }
}

port.on("message", (job: MathJobMessage) => {
  if (job?.type !== "grade") return;
  try {
    reply({ type: "result", id: job.id, evaluation: evaluateMath(job.request, job.budgetMs) });
  } catch (error) {
    reply({ type: "error", id: job.id, error: thrown(error) });
  }
});

// mathjs is loaded by now (a moment per thread): the pool sends jobs only after this.
port.postMessage({ type: "ready" } satisfies MathReplyMessage);
