import { exportStudyTasksQuerySchema, studyTaskSchema } from "@co/shared";
import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { STUDY_TASK_CSV_COLUMNS } from "./study-export.csv.js";
import { STUDY_EXPORT_PATH } from "./study-export.route.js";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
});

/** The streamed export in the OpenAPI document (the REST adapter only knows JSON operations). */
export const studyExportOpenApiPaths: ZodOpenApiPathsObject = {
  [STUDY_EXPORT_PATH]: {
    get: {
      operationId: "studyTasks-exportStream",
      tags: ["study-tasks"],
      summary: "Export the caller's study tasks as JSON or CSV (streamed)",
      description:
        "Every task of the caller's paths scheduled in [from, to), earliest first, streamed without a size limit. " +
        `CSV: a header row (${STUDY_TASK_CSV_COLUMNS.join(", ")}), then one CRLF-ended row per task, RFC 4180 quoting; ` +
        "topic_tags and metadata are JSON text, empty cells are null; a text cell starting with =, +, -, @, tab or CR gets a leading ' " +
        "so spreadsheets do not run it as a formula. JSON: an array of StudyTask. " +
        "Overdue tasks are expired before the export is read.",
      security: [{ Authorization: [] }],
      requestParams: { query: exportStudyTasksQuerySchema },
      responses: {
        "200": {
          description: "The export, streamed",
          content: {
            "application/json": { schema: z.array(studyTaskSchema) },
            "text/csv": {
              schema: {
                type: "string",
                example: `${STUDY_TASK_CSV_COLUMNS.join(",")}\r\n`,
              },
            },
          },
        },
        "400": errorResponse("Bad format, from or to"),
        "401": errorResponse("Missing or invalid bearer token"),
        "429": errorResponse("Rate limited"),
        "500": errorResponse("Internal error"),
        "503": errorResponse("Database unavailable"),
      },
    },
  },
};
