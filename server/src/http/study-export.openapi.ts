import { studyTaskSchema } from "@co/shared";
import { z } from "zod";
import { STUDY_TASK_CSV_COLUMNS } from "./study-export.csv.js";
import { STUDY_EXPORT_PATH } from "./study-export.route.js";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
});

/** StudyTask as it is on the wire: dates are ISO-8601 strings. */
const studyTaskJsonSchema = z.toJSONSchema(studyTaskSchema, {
  target: "openapi-3.0",
  unrepresentable: "any",
  override: ({ zodSchema, jsonSchema }) => {
    if (zodSchema._zod.def.type === "date") {
      jsonSchema.type = "string";
      jsonSchema.format = "date-time";
    }
  },
});

const instant = (description: string) => ({ type: "string", format: "date-time", description });

/** The streamed export in the OpenAPI document (the REST adapter only knows JSON operations). */
export const studyExportOpenApiPaths = {
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
      parameters: [
        {
          name: "format",
          in: "query",
          required: false,
          description: "json (default) or csv",
          schema: { type: "string", enum: ["json", "csv"], default: "json" },
        },
        { name: "from", in: "query", required: false, schema: instant("Only tasks scheduled at or after this instant") },
        { name: "to", in: "query", required: false, schema: instant("Only tasks scheduled before this instant") },
      ],
      responses: {
        "200": {
          description: "The export, streamed",
          content: {
            "application/json": { schema: { type: "array", items: studyTaskJsonSchema } },
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
