import type { CreateStudyPathInput, PathSummary, StudyPath, StudyPathProgress, StudyTask } from "@co/shared";
import type { Database } from "../../db/database.js";
import { AppError } from "../../errors/app-error.js";
import type { Clock } from "../../ports/clock.js";
import type { ProblemBank } from "../../ports/problem-bank.js";
import type { ReviewItemsRepository } from "../../repositories/review-items.repository.js";
import type { ModuleTotals, PathTotals, StudyPathsRepository } from "../../repositories/study-paths.repository.js";
import type { StudyTasksRepository } from "../../repositories/study-tasks.repository.js";
import type { TaskEventsRepository } from "../../repositories/task-events.repository.js";
import type { TrackDirectory } from "../track-directory.js";
import type { RecommendationService } from "../recommendation/recommendation.service.js";
import { toReviewItem, toStudyPath, toStudyTask } from "./study-dto.js";
import { applyExpiry } from "./task-expiry.js";

const DAY_MS = 86_400_000;
const UPCOMING_REVIEWS = 20;

export interface StudyPathsDeps {
  db: Database;
  paths: StudyPathsRepository;
  tasks: StudyTasksRepository;
  events: TaskEventsRepository;
  reviews: ReviewItemsRepository;
  tracks: TrackDirectory;
  problemBank: ProblemBank;
  recommendations: RecommendationService;
  clock: Clock;
}

const toSummary = (totals: PathTotals): PathSummary => ({
  total: totals.total,
  by_status: {
    scheduled: totals.scheduled,
    in_progress: totals.inProgress,
    completed: totals.completed,
    skipped: totals.skipped,
    expired: totals.expired,
  },
  accuracy: totals.accuracy,
  next_scheduled_at: totals.nextScheduledAt,
});

/** The track's modules in order (with zeros where no task is), then any other module, then none. */
function modulesInTrackOrder(moduleIds: string[], totals: ModuleTotals[]): StudyPathProgress["modules"] {
  const byModule = new Map(totals.map((row) => [row.module, row]));
  const known = new Set<string | null>(moduleIds);
  // SQL sorted them by name, tasks without a module last.
  const others = totals.filter((row) => !known.has(row.module));
  return [
    ...moduleIds.map((module) => byModule.get(module) ?? { module, total: 0, completed: 0, accuracy: null }),
    ...others,
  ].map(({ module, total, completed, accuracy }) => ({ module, total, completed, accuracy }));
}

/** Study paths (§8.5): a learner's schedule on one track, and its progress. */
export class StudyPathsService {
  constructor(private readonly deps: StudyPathsDeps) {}

  /**
   * Creates the path; `initial_tasks: n` schedules the first n recommended problems of
   * the track, one a day from now, with module, topics and difficulty looked up for
   * exactly those problems. A recommended problem the bank no longer knows fails the
   * call (502, nothing written) rather than leave a day without its task.
   * Path, tasks and their `created` events commit together.
   */
  async create(userId: string, input: CreateStudyPathInput): Promise<StudyPath & { tasks: StudyTask[] }> {
    const track = await this.deps.tracks.findByIdOrSlug(input.track_id);
    if (!track) throw AppError.notFound("Track");
    const scope = { slug: track.slug, moduleIds: track.modules.map((module) => module.id) };
    const picks = input.initial_tasks > 0
      ? await this.deps.recommendations.recommendSequence({ userId, subject: track.subject, track: scope }, input.initial_tasks)
      : [];
    const facts = await this.deps.problemBank.findFacts(picks.map((pick) => pick.problemId));
    const problemById = new Map(facts.map((problem) => [problem.id, problem]));
    const vanished = picks.map((pick) => pick.problemId).filter((id) => !problemById.has(id));
    if (vanished.length > 0) {
      throw new AppError("UPSTREAM_ERROR", `The problem bank no longer has the recommended problems: ${vanished.slice(0, 5).join(", ")}`, {
        problem_ids: vanished,
      });
    }
    const now = this.deps.clock.now();

    const { path, tasks } = await this.deps.db.transaction(async (tx) => {
      const path = await this.deps.paths.with(tx).create({ userId, trackId: track.id, config: input.config ?? {} });
      const tasks = await this.deps.tasks.with(tx).insertMany(
        picks.map((pick, day) => {
          const problem = problemById.get(pick.problemId)!;
          return {
            pathId: path.id,
            problemId: problem.id,
            module: problem.module,
            topicTags: problem.topics,
            difficulty: problem.difficulty,
            scheduledAt: new Date(now.getTime() + day * DAY_MS),
            metadata: { source: "recommendation" },
          };
        }),
      );
      await this.deps.events.with(tx).append(
        tasks.map((task) => ({ taskId: task.id, eventType: "created" as const, payload: { source: "initial_tasks" }, createdAt: now })),
      );
      return { path, tasks };
    });
    return { ...toStudyPath(path), tasks: tasks.map(toStudyTask) };
  }

  /** The caller's newest active path with its summary; NOT_FOUND when there is none. */
  async current(userId: string): Promise<StudyPath & { summary: PathSummary }> {
    await applyExpiry(this.deps.tasks, this.deps.clock, userId);
    const path = await this.deps.paths.newestActive(userId);
    if (!path) throw AppError.notFound("Active study path");
    return { ...toStudyPath(path), summary: toSummary(await this.deps.paths.totals(path.id)) };
  }

  /** Per-module and per-status progress and the track's reviews; every figure comes from SQL aggregates. */
  async progress(userId: string, pathId: string): Promise<StudyPathProgress> {
    const owned = await this.deps.paths.findOwned(userId, pathId);
    if (!owned) throw AppError.notFound("Study path");
    await applyExpiry(this.deps.tasks, this.deps.clock, userId);
    const now = this.deps.clock.now();
    const [totals, modules, reviews] = await Promise.all([
      this.deps.paths.totals(pathId),
      this.deps.paths.moduleTotals(pathId),
      this.deps.reviews.forTrack(userId, owned.track.slug, now, UPCOMING_REVIEWS),
    ]);
    return {
      path_id: pathId,
      ...toSummary(totals),
      modules: modulesInTrackOrder(owned.track.moduleIds, modules),
      reviews_due: reviews.due,
      upcoming_reviews: reviews.items.map((item) => toReviewItem(item, now)),
    };
  }
}
