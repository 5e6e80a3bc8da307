import type { Subject } from "@co/shared";
import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { studyPaths, studyTasks, tracks } from "../db/schema/index.js";
import type { TaskStatus } from "./study-tasks.repository.js";

export type StudyPathRow = typeof studyPaths.$inferSelect;
export type NewStudyPath = typeof studyPaths.$inferInsert;

/** A path with the facts of its track that progress and scheduling need. */
export interface OwnedPath {
  path: StudyPathRow;
  track: { slug: string; subject: Subject; moduleIds: string[] };
}

export interface PathTotals {
  total: number;
  scheduled: number;
  inProgress: number;
  completed: number;
  skipped: number;
  expired: number;
  /** Mean score of completed tasks; null when none. */
  accuracy: number | null;
  nextScheduledAt: Date | null;
}

export interface ModuleTotals {
  module: string | null;
  total: number;
  completed: number;
  accuracy: number | null;
}

const count = (condition?: SQL) =>
  (condition ? sql<number>`(count(*) filter (where ${condition}))::int` : sql<number>`count(*)::int`).mapWith(Number);
const hasStatus = (status: TaskStatus) => sql`${studyTasks.status} = ${status}`;
/** Mean score of completed tasks: skipped and expired tasks have no score and do not count. */
const accuracy = () =>
  sql<number | null>`avg(${studyTasks.score}) filter (where ${studyTasks.status} = 'completed')`.mapWith(Number);

/** Study paths, always read through their owner; aggregates are computed in SQL. */
export class StudyPathsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): StudyPathsRepository {
    return new StudyPathsRepository(db);
  }

  async create(values: NewStudyPath): Promise<StudyPathRow> {
    const [row] = await this.db.insert(studyPaths).values(values).returning();
    return row!;
  }

  /** The path with its track, only if it belongs to this user. */
  async findOwned(userId: string, id: string): Promise<OwnedPath | undefined> {
    const [row] = await this.db
      .select({ path: studyPaths, slug: tracks.slug, subject: tracks.subject, modules: tracks.modules })
      .from(studyPaths)
      .innerJoin(tracks, eq(tracks.id, studyPaths.trackId))
      .where(and(eq(studyPaths.id, id), eq(studyPaths.userId, userId)))
      .limit(1);
    return row ? { path: row.path, track: { slug: row.slug, subject: row.subject, moduleIds: row.modules.map((module) => module.id) } } : undefined;
  }

  async newestActive(userId: string): Promise<StudyPathRow | undefined> {
    const [row] = await this.db
      .select()
      .from(studyPaths)
      .where(and(eq(studyPaths.userId, userId), eq(studyPaths.status, "active")))
      .orderBy(desc(studyPaths.createdAt), desc(studyPaths.id))
      .limit(1);
    return row;
  }

  /** Counts per status, accuracy and the next due task of one path: a single aggregate row. */
  async totals(pathId: string): Promise<PathTotals> {
    const [row] = await this.db
      .select({
        total: count(),
        scheduled: count(hasStatus("scheduled")),
        inProgress: count(hasStatus("in_progress")),
        completed: count(hasStatus("completed")),
        skipped: count(hasStatus("skipped")),
        expired: count(hasStatus("expired")),
        accuracy: accuracy(),
        nextScheduledAt: sql<Date | null>`min(${studyTasks.scheduledAt}) filter (where ${studyTasks.status} = 'scheduled')`.mapWith(
          (value: string | Date) => new Date(value),
        ),
      })
      .from(studyTasks)
      .where(eq(studyTasks.pathId, pathId));
    return row!;
  }

  /** Per module of one path: total, completed and accuracy (GROUP BY module). */
  moduleTotals(pathId: string): Promise<ModuleTotals[]> {
    return this.db
      .select({
        module: studyTasks.module,
        total: count(),
        completed: count(hasStatus("completed")),
        accuracy: accuracy(),
      })
      .from(studyTasks)
      .where(eq(studyTasks.pathId, pathId))
      .groupBy(studyTasks.module)
      .orderBy(asc(studyTasks.module));
  }
}
