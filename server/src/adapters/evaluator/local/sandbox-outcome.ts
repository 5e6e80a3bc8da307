/** What a sandbox reports for one test: the returned value, or why there is none. */
export type TestRun = { ok: true; actual: unknown } | { ok: false; message: string };

/** How a sandbox run ended. "ok" means every test ran (each may still have thrown). */
export type RunEnd = "ok" | "compile" | "runtime" | "memory" | "timeout";

/**
 * The raw result of running a submission, before grading: one entry per test that ran,
 * in order (visible tests first, then hidden). When `end` is not "ok", the run stopped
 * early and `message` says why; the test that was running, if any, is not in `tests`.
 */
export interface RunOutcome {
  end: RunEnd;
  message?: string;
  tests: TestRun[];
  execMs: number;
}

/** One submission for a sandbox: code, the function to call and each test's arguments. */
export interface SandboxJob {
  code: string;
  entrypoint: string;
  inputs: unknown[][];
  perTestTimeoutMs: number;
  totalTimeoutMs: number;
  memoryLimitMb: number;
}

export const MAX_MESSAGE_CHARS = 2000;

/** Caps a message shown to the learner. */
export function clip(message: string, max = MAX_MESSAGE_CHARS): string {
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
}

/** A well-formed outcome, or undefined: a child's report is checked before it is believed. */
export function parseRunOutcome(value: unknown): RunOutcome | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const ends: RunEnd[] = ["ok", "compile", "runtime", "memory", "timeout"];
  if (!ends.includes(record.end as RunEnd) || !Array.isArray(record.tests)) return undefined;
  const tests: TestRun[] = [];
  for (const item of record.tests as unknown[]) {
    if (typeof item !== "object" || item === null) return undefined;
    const test = item as Record<string, unknown>;
    if (test.ok === true) tests.push({ ok: true, actual: test.actual ?? null });
    else tests.push({ ok: false, message: clip(String(test.message ?? "failed")) });
  }
  const outcome: RunOutcome = {
    end: record.end as RunEnd,
    tests,
    execMs: typeof record.execMs === "number" && Number.isFinite(record.execMs) ? Math.round(record.execMs) : 0,
  };
  if (typeof record.message === "string") outcome.message = clip(record.message);
  return outcome;
}
