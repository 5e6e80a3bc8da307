import { readContentPack } from "../../../server/src/content/load-pack.js";
import type { PackProblem } from "../../../server/src/content/pack-schema.js";
import { codingBody, openSession, packProblem, submit } from "../../support/learning.js";
import { http, startTestApp, type TestApp, type TestAppOptions } from "../../support/test-app.js";

const DAY_MS = 86_400_000;

/** The study tests make many calls per user: the rate limit is not what they test. */
export const startStudyApp = (options: TestAppOptions = {}) =>
  startTestApp({ ...options, env: { CO_RATE_LIMIT_REQUESTS: "100000", ...options.env } });

/** A StudyTask as REST returns it (dates as ISO strings). */
export interface TaskBody {
  id: string;
  path_id: string;
  problem_id: string;
  module: string | null;
  topic_tags: string[];
  difficulty: number;
  scheduled_at: string;
  started_at: string | null;
  completed_at: string | null;
  status: string;
  score: number | null;
  time_spent_seconds: number | null;
  hints_used: number;
  metadata: Record<string, unknown>;
}

export interface PathBody {
  id: string;
  user_id: string;
  track_id: string;
  config: Record<string, unknown>;
  status: string;
  created_at: string;
  updated_at: string;
  tasks: TaskBody[];
}

export interface EventBody {
  id: string;
  task_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  created_at: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** ISO instant `days` from now (negative: in the past). */
export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

/** REST calls as one user. */
export function restAs(app: TestApp, user: string) {
  const headers = () => app.authFor(user);
  return {
    get: async <T = unknown>(path: string) => http<T & ErrorBody>(`${app.url}/v1${path}`, { headers: await headers() }),
    post: async <T = unknown>(path: string, json?: unknown) =>
      http<T & ErrorBody>(`${app.url}/v1${path}`, { method: "POST", headers: await headers(), ...(json === undefined ? {} : { json }) }),
  };
}

/** `POST /v1/study-paths`; fails the test unless 201. */
export async function createPath(app: TestApp, user: string, body: Record<string, unknown> = { track_id: "coding-foundations" }) {
  const response = await restAs(app, user).post<PathBody>("/study-paths", body);
  if (response.status !== 201) throw new Error(`path not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** `POST /v1/study-tasks/batch`; fails the test unless 200. */
export async function scheduleTasks(app: TestApp, user: string, pathId: string, tasks: Record<string, unknown>[]) {
  const response = await restAs(app, user).post<{ items: TaskBody[] }>("/study-tasks/batch", { path_id: pathId, tasks });
  if (response.status !== 200) throw new Error(`tasks not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.items;
}

export async function eventsOf(app: TestApp, user: string, taskId: string): Promise<EventBody[]> {
  const response = await restAs(app, user).get<{ items: EventBody[] }>(`/study-tasks/${taskId}/events`);
  if (response.status !== 200) throw new Error(`events not read: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.items;
}

const pack = readContentPack();

/** Seeded coding problems of one module of `coding-foundations`, in authoring order. */
export const codingProblemsOf = (module: string): PackProblem[] =>
  pack.problems.filter((problem) => problem.type === "coding" && problem.module === module);

/** A graded coding submission for the task: the reference solution, a wrong answer, or the given code. */
export async function submitForTask(app: TestApp, user: string, task: Pick<TaskBody, "id" | "problem_id">, code: "reference" | "wrong" | string) {
  const problem = packProblem((candidate) => candidate.id === task.problem_id);
  const session = await openSession(app, user, problem);
  const source =
    code === "reference"
      ? problem.reference_solutions!.javascript
      : code === "wrong"
        ? `function ${problem.entrypoint!.javascript}() { return "nope"; }`
        : code;
  return submit(app, user, { ...codingBody(session.id, problem, source), task_id: task.id });
}
