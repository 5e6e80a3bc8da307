import { z } from "zod";
import { instantSchema, pageQuerySchema, pagedSchema } from "./common.js";
import { REVIEW_REASONS, STUDY_PATH_STATUSES, TASK_EVENT_TYPES, TASK_STATUSES } from "./enums.js";

export const taskStatusSchema = z
  .enum(TASK_STATUSES)
  .describe("scheduled → in_progress → completed; scheduled | in_progress → skipped; scheduled → expired 7 days after scheduled_at");
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const studyPathStatusSchema = z.enum(STUDY_PATH_STATUSES);

export const taskEventTypeSchema = z.enum(TASK_EVENT_TYPES);

/** Largest `config` / `metadata` object accepted, as JSON text. */
export const STUDY_JSON_LIMIT_CHARS = 16 * 1024;

/** A free-form object; over the limit it is a field too large (413), like any oversized string. */
const jsonObject = (what: string) =>
  z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    if (JSON.stringify(value).length <= STUDY_JSON_LIMIT_CHARS) return;
    ctx.addIssue({
      code: "too_big",
      origin: "string",
      maximum: STUDY_JSON_LIMIT_CHARS,
      inclusive: true,
      input: value,
      message: `${what} is larger than 16 KiB as JSON`,
    });
  });

/**
 * An instant in a request body: a `Date` over tRPC (superjson), an ISO-8601 date-time with
 * an offset (`2026-03-01T09:00:00Z`) over REST.
 */
export const instantInputSchema = z.union([z.date(), z.iso.datetime({ offset: true })]).pipe(z.coerce.date());

/**
 * An instant in a query: a `Date` over tRPC, over REST only an ISO-8601 date-time with an
 * offset. `z.coerce.date()` would also take `0`, `1` or `March 1 2030`; this refuses them.
 */
const instantQuerySchema = (description: string) =>
  z
    .union([z.date(), z.iso.datetime({ offset: true })])
    .pipe(z.coerce.date())
    .meta({
      description: `${description} (ISO-8601 date-time with offset, e.g. 2030-03-01T00:00:00Z)`,
      // On the wire it is only ever the string; the Date branch is tRPC's.
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        delete jsonSchema.anyOf;
        Object.assign(jsonSchema, { type: "string", format: "date-time" });
      },
    });

export const studyTaskSchema = z.object({
  id: z.uuid(),
  path_id: z.uuid(),
  problem_id: z.string(),
  module: z.string().nullable().describe("Track module id; null when the problem has none"),
  topic_tags: z.array(z.string()),
  difficulty: z.number().int().min(1).max(5),
  scheduled_at: instantSchema,
  started_at: instantSchema.nullable(),
  completed_at: instantSchema.nullable(),
  status: taskStatusSchema,
  score: z.number().min(0).max(1).nullable().describe("passed / total tests of the completing submission (0 when it had no tests)"),
  time_spent_seconds: z.number().int().min(0).nullable().describe("From started_at to completion; null when never started"),
  hints_used: z.number().int().min(0).describe("Tutor hints requested with this task's id"),
  metadata: z.record(z.string(), z.unknown()),
}).meta({ id: "StudyTask" });
export type StudyTask = z.infer<typeof studyTaskSchema>;

export const studyPathSchema = z.object({
  id: z.uuid(),
  user_id: z.string(),
  track_id: z.uuid(),
  config: z.record(z.string(), z.unknown()),
  status: studyPathStatusSchema,
  created_at: instantSchema,
  updated_at: instantSchema,
}).meta({ id: "StudyPath" });
export type StudyPath = z.infer<typeof studyPathSchema>;

const statusCountsSchema = z
  .object({
    scheduled: z.number().int(),
    in_progress: z.number().int(),
    completed: z.number().int(),
    skipped: z.number().int(),
    expired: z.number().int(),
  })
  .describe("Number of the path's tasks in each status");

const accuracySchema = z
  .number()
  .min(0)
  .max(1)
  .nullable()
  .describe("Mean score of the completed tasks (0-1); null when none is completed. Skipped and expired tasks do not count.");

export const pathSummarySchema = z.object({
  total: z.number().int().describe("All tasks of the path"),
  by_status: statusCountsSchema,
  accuracy: accuracySchema,
  next_scheduled_at: instantSchema.nullable().describe("When the earliest still-scheduled task is due; null when none"),
}).meta({ id: "PathSummary" });
export type PathSummary = z.infer<typeof pathSummarySchema>;

export const reviewItemSchema = z.object({
  problem_id: z.string(),
  reason: z
    .enum(REVIEW_REASONS)
    .describe("Why it is queued: `fail` a failed attempt; `retention` a passed problem scheduled so forgetting is caught"),
  next_due_at: instantSchema.describe("When it is due: the FSRS card's due date (or the bucket's)"),
  bucket: z.number().int().min(0).describe("Passes since the last failure; under the bucket scheduler, the interval grows with it"),
  retrievability: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe("FSRS's predicted probability of recalling the problem now (0-1); null when the item has no FSRS card"),
  stability: z
    .number()
    .positive()
    .nullable()
    .describe("FSRS memory stability in days: the interval after which recall falls to 90 %; null when the item has no FSRS card"),
}).meta({ id: "ReviewItem" });
export type ReviewItem = z.infer<typeof reviewItemSchema>;

export const moduleProgressSchema = z.object({
  module: z.string().nullable().describe("Track module id (track order first); null groups tasks without a module"),
  total: z.number().int(),
  completed: z.number().int(),
  accuracy: accuracySchema,
}).meta({ id: "ModuleProgress" });

export const createStudyPathInputSchema = z.strictObject({
  track_id: z.string().min(1).max(200).describe("Track uuid or slug"),
  config: jsonObject("config").optional().describe("Free-form settings of the path (≤ 16 KiB as JSON)"),
  initial_tasks: z
    .number()
    .int()
    .min(0)
    .max(30)
    .default(0)
    .describe("Schedule the first n recommended problems of the track, one a day starting now (0-30)"),
});
export type CreateStudyPathInput = z.infer<typeof createStudyPathInputSchema>;

export const createdStudyPathSchema = studyPathSchema
  .extend({ tasks: z.array(studyTaskSchema).describe("The initially scheduled tasks, earliest first") })
  .meta({ id: "CreatedStudyPath" });

export const currentStudyPathSchema = studyPathSchema.extend({ summary: pathSummarySchema }).meta({ id: "CurrentStudyPath" });

export const studyPathIdInputSchema = z.strictObject({ id: z.uuid().describe("Study path id") });

export const studyPathProgressSchema = pathSummarySchema
  .extend({
    path_id: z.uuid(),
    modules: z.array(moduleProgressSchema).describe("Per module: the track's modules in order (also those without tasks), then any other"),
    reviews_due: z.number().int().describe("Review items of the path's track due now"),
    upcoming_reviews: z.array(reviewItemSchema).describe("Review items of the path's track, earliest first (at most 20), due ones included"),
  })
  .meta({ id: "StudyPathProgress" });
export type StudyPathProgress = z.infer<typeof studyPathProgressSchema>;

export const newStudyTaskSchema = z.strictObject({
  problem_id: z.string().min(1).max(200),
  module: z.string().min(1).max(200).optional().describe("Defaults to the problem's module"),
  topic_tags: z.array(z.string().min(1).max(100)).max(20).optional().describe("Defaults to the problem's topics"),
  difficulty: z.number().int().min(1).max(5),
  scheduled_at: instantInputSchema.describe("ISO-8601 date-time with offset"),
  metadata: jsonObject("metadata").optional().describe("Free-form (≤ 16 KiB as JSON)"),
});

export const createStudyTasksInputSchema = z.strictObject({
  path_id: z.uuid().describe("One of the caller's study paths"),
  tasks: z.array(newStudyTaskSchema).min(1).max(100).describe("1-100 tasks; every problem must exist in the path's subject"),
});
export type CreateStudyTasksInput = z.infer<typeof createStudyTasksInputSchema>;

export const studyTaskListSchema = z.object({ items: z.array(studyTaskSchema) });

export const listStudyTasksInputSchema = pageQuerySchema.extend({
  path_id: z.uuid().optional().describe("Only this path's tasks"),
  module: z.string().max(200).optional().describe("Only this module's tasks"),
  status: taskStatusSchema.optional(),
  from: instantQuerySchema("Only tasks scheduled at or after this instant").optional(),
  to: instantQuerySchema("Only tasks scheduled before this instant").optional(),
});
export type ListStudyTasksInput = z.infer<typeof listStudyTasksInputSchema>;
export const studyTaskPageSchema = pagedSchema(studyTaskSchema).meta({ id: "StudyTaskPage" });

export const reviewDueInputSchema = z.strictObject({
  limit: z.number().int().min(1).max(100).default(20).describe("At most this many items, 1-100 (default 20)"),
});
export const reviewDueOutputSchema = z.object({ items: z.array(reviewItemSchema) });

export const studyTaskIdInputSchema = z.strictObject({ id: z.uuid().describe("Study task id") });

export const taskEventSchema = z.object({
  id: z.uuid(),
  task_id: z.uuid(),
  event_type: taskEventTypeSchema,
  payload: z.record(z.string(), z.unknown()).describe("status_changed: {from, to}; hint_requested: {hint_level, turn_id}; evaluated: {submission_id, status, tests_passed, tests_total, score}"),
  created_at: instantSchema,
}).meta({ id: "TaskEvent" });
export type TaskEvent = z.infer<typeof taskEventSchema>;
export const taskEventListSchema = z.object({ items: z.array(taskEventSchema).describe("Chronological") });

/** Rows of `studyTasks.export` over tRPC; the REST export streams without a bound. */
export const STUDY_EXPORT_TRPC_LIMIT = 5_000;

export const exportRangeSchema = z.strictObject({
  from: instantQuerySchema("Only tasks scheduled at or after this instant").optional(),
  to: instantQuerySchema("Only tasks scheduled before this instant").optional(),
});

/** Query of `GET /v1/study-tasks/export`. */
export const exportStudyTasksQuerySchema = exportRangeSchema.extend({
  format: z.enum(["json", "csv"]).default("json").describe("json: an array of StudyTask; csv: a header row, then one row per task"),
});
export type ExportStudyTasksQuery = z.infer<typeof exportStudyTasksQuerySchema>;

export const studyTaskExportSchema = z.object({
  items: z.array(studyTaskSchema).describe(`Earliest first, at most ${STUDY_EXPORT_TRPC_LIMIT}`),
  truncated: z.boolean().describe(`More than ${STUDY_EXPORT_TRPC_LIMIT} tasks matched: use GET /v1/study-tasks/export, which streams all of them`),
});
