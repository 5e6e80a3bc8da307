import { count, eq } from "drizzle-orm";
import { readContentPack } from "../../server/src/content/load-pack.js";
import type { PackProblem } from "../../server/src/content/pack-schema.js";
import { submissions } from "../../server/src/db/schema/index.js";
import { http, type TestApp } from "./test-app.js";

const pack = readContentPack();

/** A seeded problem with its server-side data (references, answers), for building submissions. */
export function packProblem(predicate: (problem: PackProblem) => boolean): PackProblem {
  const problem = pack.problems.find(predicate);
  if (!problem) throw new Error("no such problem in the pack");
  return problem;
}

export const codingProblem = (id?: string) => packProblem((p) => p.type === "coding" && (!id || p.id === id));
export const mathProblem = (type: "expression" | "equation" = "expression") => packProblem((p) => p.type === type);

export interface SessionBody {
  id: string;
  problem_id: string | null;
  status: string;
  last_hint_level: number;
}

/** Opens a practice session on the given problem through REST. */
export async function openSession(app: TestApp, user: string, problem: { id: string; subject: string }): Promise<SessionBody> {
  const response = await http<SessionBody>(`${app.url}/v1/sessions`, {
    method: "POST",
    headers: await app.authFor(user),
    json: { subject: problem.subject, mode: "practice", problem_id: problem.id },
  });
  if (response.status !== 201) throw new Error(`session not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export interface SubmissionBody {
  id: string;
  status: string;
  visible: { passed: number; total: number; details: Record<string, unknown>[] };
  hidden: { passed: number; total: number; categories: string[] };
  exec_ms: number;
}

export async function submit(app: TestApp, user: string, body: unknown, headers: Record<string, string> = {}) {
  return http<SubmissionBody & { error: { code: string; message: string } }>(`${app.url}/v1/submissions`, {
    method: "POST",
    headers: { ...(await app.authFor(user)), ...headers },
    json: body,
  });
}

export const codingBody = (sessionId: string, problem: PackProblem, code: string, language: "javascript" | "python" = "javascript") => ({
  session_id: sessionId,
  problem_id: problem.id,
  subject: "coding",
  payload: { language, code },
});

/** How many submission rows the given user has in the app's database. */
export async function submissionCount(app: TestApp, userId: string): Promise<number> {
  return (await app.db.handle.db.select({ n: count() }).from(submissions).where(eq(submissions.userId, userId)))[0]!.n;
}
