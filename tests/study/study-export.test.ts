import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalProblemBank } from "../../server/src/adapters/problem-bank/local-problem-bank.js";
import { ReviewItemsRepository } from "../../server/src/repositories/review-items.repository.js";
import { StudyPathsRepository } from "../../server/src/repositories/study-paths.repository.js";
import { StudyTasksRepository, type StudyTaskRow, type TaskFilter } from "../../server/src/repositories/study-tasks.repository.js";
import { TaskEventsRepository } from "../../server/src/repositories/task-events.repository.js";
import type { Position } from "../../server/src/services/cursor.js";
import { StudyTasksService, type ExportLimits } from "../../server/src/services/study/study-tasks.service.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import { codingProblemsOf, createPath, restAs, scheduleTasks, startStudyApp, type TaskBody } from "./support/study-fixtures.js";

let app: TestApp;
beforeAll(async () => {
  app = await startStudyApp();
});
afterAll(() => app.close());

const problems = codingProblemsOf("basics");
const HEADER = "id,path_id,problem_id,module,topic_tags,difficulty,scheduled_at,started_at,completed_at,status,score,time_spent_seconds,hints_used,metadata";

/** RFC 4180 reader, strict enough to prove the writer quotes what it must. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += char;
  }
  expect(field, "the file ends with CRLF").toBe("");
  return rows;
}

/** Records the row limit of every keyset read of the export that ran; `beforeRead(n)` may hold read n back. */
class ObservedTasks extends StudyTasksRepository {
  readonly reads: number[] = [];
  private calls = 0;
  beforeRead: (read: number) => Promise<void> = async () => {};

  override async list(userId: string, filter: TaskFilter, options: { limit: number; after?: Position }): Promise<StudyTaskRow[]> {
    await this.beforeRead(++this.calls);
    this.reads.push(options.limit);
    return super.list(userId, filter, options);
  }
}

/**
 * Runs `work` with the app's study tasks service rebuilt over the same database with
 * other export limits and an observed tasks repository, then puts the original back.
 */
async function withExportService(limits: Partial<ExportLimits>, work: (tasks: ObservedTasks) => Promise<void>) {
  const db = app.db.handle.db;
  const tasks = new ObservedTasks(db);
  const original = app.deps.services.studyTasks;
  app.deps.services.studyTasks = new StudyTasksService({
    db,
    paths: new StudyPathsRepository(db),
    tasks,
    events: new TaskEventsRepository(db),
    reviews: new ReviewItemsRepository(db),
    problemBank: new LocalProblemBank(db),
    clock: app.deps.clock,
    exportLimits: limits,
  });
  try {
    await work(tasks);
  } finally {
    app.deps.services.studyTasks = original;
  }
}

async function exportAs(target: TestApp, user: string | null, query: string) {
  const response = await fetch(`${target.url}/v1/study-tasks/export${query}`, { headers: user ? await target.authFor(user) : {} });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("GET /v1/study-tasks/export", () => {
  it("as CSV: a header row, then one RFC 4180 row per task, quoting commas, quotes and line breaks", async () => {
    const user = "x-csv";
    const path = await createPath(app, user);
    const tricky = 'Loops, "the hard way"\nday 2';
    const [plain, quoted] = await scheduleTasks(app, user, path.id, [
      { problem_id: problems[0]!.id, difficulty: 1, scheduled_at: "2030-05-01T08:00:00Z" },
      { problem_id: problems[1]!.id, module: tricky, topic_tags: ["a,b", 'say "hi"'], difficulty: 3, scheduled_at: "2030-05-02T08:00:00Z", metadata: { note: "x,\r\ny" } },
    ]);
    await restAs(app, user).post(`/study-tasks/${plain!.id}/skip`);
    const response = await exportAs(app, user, "?format=csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain('filename="study-tasks.csv"');
    expect(response.text.startsWith(`${HEADER}\r\n`)).toBe(true);
    const rows = parseCsv(response.text);
    expect(rows).toHaveLength(3);
    expect(rows[0]!.join(",")).toBe(HEADER);
    const column = (row: string[], name: string) => row[HEADER.split(",").indexOf(name)];
    expect(column(rows[1]!, "id")).toBe(plain!.id);
    expect(column(rows[1]!, "status")).toBe("skipped");
    expect(column(rows[1]!, "started_at")).toBe("");
    expect(column(rows[1]!, "scheduled_at")).toBe("2030-05-01T08:00:00.000Z");
    expect(column(rows[2]!, "id")).toBe(quoted!.id);
    expect(column(rows[2]!, "module")).toBe(tricky);
    expect(JSON.parse(column(rows[2]!, "topic_tags")!)).toEqual(["a,b", 'say "hi"']);
    expect(JSON.parse(column(rows[2]!, "metadata")!)).toEqual({ note: "x,\r\ny" });
    expect(column(rows[2]!, "difficulty")).toBe("3");
    expect(response.text).toContain(`"Loops, ""the hard way""\nday 2"`);
  });

  it("as JSON (the default): an array of StudyTask, the same as the list answers", async () => {
    const user = "x-json";
    const path = await createPath(app, user, { track_id: "coding-foundations", initial_tasks: 2 });
    const response = await exportAs(app, user, "");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const list = await restAs(app, user).get<{ items: TaskBody[] }>("/study-tasks");
    expect(JSON.parse(response.text)).toEqual(list.body.items);
    expect(list.body.items.map((task) => task.id)).toEqual(path.tasks.map((task) => task.id));
  });

  it("streams a history of 600 tasks (more than one 500-row chunk) completely and in schedule order", async () => {
    const user = "x-large";
    const path = await createPath(app, user);
    const start = Date.parse("2031-01-01T00:00:00Z");
    for (let batch = 5; batch >= 0; batch--) {
      await scheduleTasks(
        app,
        user,
        path.id,
        Array.from({ length: 100 }, (_, i) => ({
          problem_id: problems[i % problems.length]!.id,
          difficulty: 1 + (i % 5),
          // Many tasks share an instant: the keyset must still neither skip nor repeat one.
          scheduled_at: new Date(start + (batch * 100 + i) * 60_000 - (i % 2) * 60_000).toISOString(),
          metadata: { n: batch * 100 + i },
        })),
      );
    }
    const json = JSON.parse((await exportAs(app, user, "?format=json")).text) as TaskBody[];
    expect(json).toHaveLength(600);
    expect(new Set(json.map((task) => task.id)).size).toBe(600);
    const order = json.map((task) => [task.scheduled_at, task.id].join(" "));
    expect(order).toEqual([...order].sort());
    const csv = parseCsv((await exportAs(app, user, "?format=csv")).text);
    expect(csv).toHaveLength(601);
    expect(csv.slice(1).map((row) => row[0])).toEqual(json.map((task) => task.id));
  });

  it("streams chunk by chunk: chunked transfer, no Content-Length, the next chunk read only after the client has the first", async () => {
    const user = "x-stream";
    const path = await createPath(app, user);
    await scheduleTasks(
      app,
      user,
      path.id,
      Array.from({ length: 25 }, (_, i) => ({ problem_id: problems[i % problems.length]!.id, difficulty: 1, scheduled_at: new Date(Date.parse("2032-01-01T00:00:00Z") + i * 60_000).toISOString() })),
    );
    await withExportService({ chunkRows: 10 }, async (tasks) => {
      let firstBytesArrived!: () => void;
      const arrived = new Promise<void>((resolve) => (firstBytesArrived = resolve));
      // The second database read waits until the client has received bytes: a server that
      // buffered the whole export before answering would never get there.
      tasks.beforeRead = (read) => (read === 2 ? arrived : Promise.resolve());
      const response = await fetch(`${app.url}/v1/study-tasks/export?format=csv`, { headers: await app.authFor(user) });
      expect(response.status).toBe(200);
      expect(response.headers.get("transfer-encoding")).toBe("chunked");
      expect(response.headers.get("content-length")).toBeNull();
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      const first = await reader.read();
      let text = decoder.decode(first.value, { stream: true });
      expect(text.startsWith(`${HEADER}\r\n`)).toBe(true);
      expect(tasks.reads).toHaveLength(1);
      firstBytesArrived();
      for (let part = await reader.read(); !part.done; part = await reader.read()) text += decoder.decode(part.value, { stream: true });
      expect(parseCsv(text)).toHaveLength(26);
      // 25 rows in reads of at most 10: three keyset reads, never the whole history at once.
      expect(tasks.reads).toEqual([10, 10, 10]);
    });
  });

  it("keeps to the from/to window: from inclusive, to exclusive", async () => {
    const user = "x-window";
    const path = await createPath(app, user);
    const tasks = await scheduleTasks(app, user, path.id, [
      { problem_id: problems[0]!.id, difficulty: 1, scheduled_at: "2030-07-01T00:00:00Z" },
      { problem_id: problems[1]!.id, difficulty: 1, scheduled_at: "2030-07-02T00:00:00Z" },
      { problem_id: problems[2]!.id, difficulty: 1, scheduled_at: "2030-07-03T00:00:00Z" },
    ]);
    const response = await exportAs(app, user, "?from=2030-07-02T00:00:00Z&to=2030-07-03T00:00:00Z");
    expect((JSON.parse(response.text) as TaskBody[]).map((task) => task.id)).toEqual([tasks[1]!.id]);
    const empty = await exportAs(app, user, "?format=csv&from=2040-01-01T00:00:00Z");
    expect(empty.text).toBe(`${HEADER}\r\n`);
  });

  it("answers 400 in the error envelope for an unknown format or a bad date, and 401 without a token", async () => {
    const badFormat = await exportAs(app, "x-errors", "?format=xml");
    expect(badFormat.status).toBe(400);
    expect(JSON.parse(badFormat.text)).toMatchObject({ error: { code: "VALIDATION_ERROR", details: { issues: [{ path: "format" }] } } });
    expect((await exportAs(app, "x-errors", "?from=yesterday")).status).toBe(400);
    for (const query of ["?from=0", "?to=1", "?from=March%201%202030", "?format=csv&to=2030-03-01", "?from="]) {
      const response = await exportAs(app, "x-errors", query);
      expect(response.status, query).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
    }
    expect((await exportAs(app, "x-errors", "?format=csv&format=json")).status).toBe(400);
    const anonymous = await exportAs(app, null, "?format=csv");
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toMatchObject({ error: { code: "UNAUTHORIZED", message: expect.stringMatching(/missing bearer token/i) } });
    const badToken = await fetch(`${app.url}/v1/study-tasks/export`, { headers: { authorization: "Bearer not-a-jwt" } });
    expect(badToken.status).toBe(401);
    expect(((await badToken.json()) as { error: { message: string } }).error.message).toMatch(/malformed/i);
  });

  it("only ever contains the caller's tasks", async () => {
    const path = await createPath(app, "x-owner", { track_id: "coding-foundations", initial_tasks: 1 });
    const other = JSON.parse((await exportAs(app, "x-other", "")).text) as TaskBody[];
    expect(other).toEqual([]);
    expect((await exportAs(app, "x-other", "?format=csv")).text).not.toContain(path.tasks[0]!.id);
  });

  it("is rate limited like every call: RateLimit-* headers, then 429 with Retry-After", async () => {
    const limited = await startTestApp({ db: app.db, redis: null, env: { CO_RATE_LIMIT_REQUESTS: "2" } });
    try {
      const first = await exportAs(limited, "x-limited", "?format=csv");
      expect(first.status).toBe(200);
      expect(first.headers.get("ratelimit-limit")).toBe("2");
      expect(first.headers.get("ratelimit-remaining")).toBe("1");
      await exportAs(limited, "x-limited", "?format=csv");
      const refused = await exportAs(limited, "x-limited", "?format=csv");
      expect(refused.status).toBe(429);
      const body = JSON.parse(refused.text) as { error: { code: string; details: { retry_after: number } } };
      expect(body.error.code).toBe("RATE_LIMITED");
      expect(Number(refused.headers.get("retry-after"))).toBe(body.error.details.retry_after);
    } finally {
      await limited.close();
    }
  });
});

describe("studyTasks.export over tRPC", () => {
  it("returns the same tasks as items with Dates, not truncated", async () => {
    const user = "x-trpc";
    const path = await createPath(app, user, { track_id: "coding-foundations", initial_tasks: 3 });
    const client = createTrpcClient(app.url, await app.tokenFor(user));
    const exported = await client.studyTasks.export.query({});
    expect(exported.truncated).toBe(false);
    expect(exported.items.map((task) => task.id)).toEqual(path.tasks.map((task) => task.id));
    expect(exported.items[0]!.scheduled_at).toBeInstanceOf(Date);
    const windowed = await client.studyTasks.export.query({ from: exported.items[1]!.scheduled_at });
    expect(windowed.items.map((task) => task.id)).toEqual(path.tasks.slice(1).map((task) => task.id));
  });

  it("when more tasks match than the tRPC bound, returns the first ones with truncated: true", async () => {
    const user = "x-trpc-truncated";
    const path = await createPath(app, user, { track_id: "coding-foundations", initial_tasks: 5 });
    const client = createTrpcClient(app.url, await app.tokenFor(user));
    await withExportService({ trpcRows: 3, chunkRows: 2 }, async () => {
      const exported = await client.studyTasks.export.query({});
      expect(exported.truncated).toBe(true);
      expect(exported.items.map((task) => task.id)).toEqual(path.tasks.slice(0, 3).map((task) => task.id));
    });
    await withExportService({ trpcRows: 5, chunkRows: 2 }, async () => {
      const exported = await client.studyTasks.export.query({});
      expect(exported).toMatchObject({ truncated: false, items: path.tasks.map((task) => expect.objectContaining({ id: task.id })) });
    });
  });

  it("refuses a bad date: a string instead of a Date, or an invalid Date", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor("x-trpc-errors"));
    const invalid = { data: { app_code: "VALIDATION_ERROR", httpStatus: 400 } };
    await expect(client.studyTasks.export.query({ from: "March 1 2030" as never })).rejects.toMatchObject(invalid);
    await expect(client.studyTasks.export.query({ to: new Date("nope") })).rejects.toMatchObject(invalid);
  });
});
