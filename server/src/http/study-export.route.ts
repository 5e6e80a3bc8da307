import { once } from "node:events";
import { exportStudyTasksQuerySchema, type StudyTask } from "@co/shared";
import type { RequestHandler, Response } from "express";
import type { AppDeps } from "../app-deps.js";
import { bearerOf } from "../auth/bearer-credential.js";
import { clientIpOf } from "../auth/request-gate.js";
import { describeError, describeZodIssues } from "../errors/describe-error.js";
import { sendError } from "./error-envelope.js";
import { requestLog } from "./request-context.js";
import { csvHeader, csvRows } from "./study-export.csv.js";

export const STUDY_EXPORT_PATH = "/v1/study-tasks/export";

const CONTENT = {
  csv: { type: "text/csv; charset=utf-8", file: "study-tasks.csv" },
  json: { type: "application/json; charset=utf-8", file: "study-tasks.json" },
} as const;

/** Writes, then waits while the socket's buffer is full, so a slow reader holds back the database reads. */
async function write(res: Response, text: string, closed: AbortSignal): Promise<void> {
  if (!res.write(text)) await once(res, "drain", { signal: closed }).catch(() => {});
}

/**
 * `GET /v1/study-tasks/export?format=json|csv&from=&to=`: the caller's whole task
 * history, streamed chunk by chunk (CSV: a header row, then RFC 4180 rows; JSON: an
 * array of StudyTask). Not a JSON-only operation, so it sits beside the REST adapter,
 * behind the same bearer auth and rate limit as every procedure. Errors before the first
 * byte use the §5 envelope; a failure mid-stream cuts the connection, so a partial file
 * is never mistaken for a complete one.
 */
export function studyExportRoute(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const log = requestLog(res) ?? deps.logger;
    let format: keyof typeof CONTENT;
    let chunks: AsyncGenerator<StudyTask[]>;
    let next: IteratorResult<StudyTask[]>;
    try {
      const user = await deps.gate.admitUser({
        bearer: bearerOf(req.header("authorization")),
        ip: clientIpOf(req),
        setHeader: (name, value) => res.setHeader(name, value),
      });
      const query = exportStudyTasksQuerySchema.safeParse(req.query);
      if (!query.success) return sendError(res, describeZodIssues(query.error.issues));
      format = query.data.format;
      chunks = deps.services.studyTasks.exportChunks(user.id, query.data);
      // The first chunk is read before the status line, so its failure still gets an envelope.
      next = await chunks.next();
    } catch (error) {
      const described = describeError(error);
      if (described.code === "INTERNAL") log.error({ err: error }, "study export failed");
      return sendError(res, described);
    }

    const closed = new AbortController();
    res.on("close", () => closed.abort());
    res.writeHead(200, {
      "Content-Type": CONTENT[format].type,
      "Content-Disposition": `attachment; filename="${CONTENT[format].file}"`,
      "Cache-Control": "no-store",
    });
    try {
      await write(res, format === "csv" ? csvHeader() : "[", closed.signal);
      let written = 0;
      while (!next.done && !closed.signal.aborted) {
        const tasks = next.value;
        const text = format === "csv" ? csvRows(tasks) : `${written > 0 ? "," : ""}${tasks.map((task) => JSON.stringify(task)).join(",")}`;
        await write(res, text, closed.signal);
        written += tasks.length;
        next = await chunks.next();
      }
      if (closed.signal.aborted) {
        await chunks.return(undefined);
        return;
      }
      res.end(format === "json" ? "]" : undefined);
    } catch (error) {
      log.error({ err: error }, "study export failed mid-stream");
      res.destroy();
    }
  };
}
