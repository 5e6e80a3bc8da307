import type { StudyTask } from "@co/shared";

/** Columns of the CSV export, in order: the StudyTask wire fields. */
export const STUDY_TASK_CSV_COLUMNS = [
  "id",
  "path_id",
  "problem_id",
  "module",
  "topic_tags",
  "difficulty",
  "scheduled_at",
  "started_at",
  "completed_at",
  "status",
  "score",
  "time_spent_seconds",
  "hints_used",
  "metadata",
] as const satisfies readonly (keyof StudyTask)[];

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** First characters a spreadsheet reads as the start of a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell a spreadsheet would run as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-1+2`)
 * gets a leading `'`, so it is shown as text. Module, tags and metadata are the learner's
 * own text; numbers are never touched (they are not text, and no column is negative).
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** null → empty; dates ISO-8601; arrays and objects as JSON (lossless, one cell); text formula-safe. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return String(value);
  if (typeof value === "object") return neutraliseFormula(JSON.stringify(value));
  return neutraliseFormula(String(value));
}

const line = (cells: string[]) => `${cells.map(csvField).join(",")}\r\n`;

export const csvHeader = (): string => line([...STUDY_TASK_CSV_COLUMNS]);

/** The rows of some tasks, each ended by CRLF. */
export const csvRows = (tasks: StudyTask[]): string =>
  tasks.map((task) => line(STUDY_TASK_CSV_COLUMNS.map((column) => cellText(task[column])))).join("");
