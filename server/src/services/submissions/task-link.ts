import type { Transaction } from "../../db/database.js";

/** What a graded submission tells the study task it belongs to. */
export interface TaskSubmissionRecord {
  userId: string;
  taskId: string;
  submissionId: string;
  language: string | null;
  code: string | null;
  testsPassed: number;
  testsTotal: number;
  runtimeMs: number;
  errorMessage: string | null;
  status: string;
}

/**
 * The study-tasks side of a submission with `task_id` (§8.4, §8.5). `assertSubmittable`
 * runs before evaluation (unknown or foreign task → NOT_FOUND, finished task → CONFLICT);
 * `record` runs inside the submission's transaction.
 */
export interface TaskSubmissionLink {
  assertSubmittable(userId: string, taskId: string, problemId: string): Promise<void>;
  record(tx: Transaction, record: TaskSubmissionRecord): Promise<void>;
}
