import type { CreateSessionInput, Session, SessionAction } from "@co/shared";
import { AppError } from "../errors/app-error.js";
import type { ProblemBank } from "../ports/problem-bank.js";
import type { SessionRow, SessionsRepository } from "../repositories/sessions.repository.js";
import type { TrackRow } from "../repositories/tracks.repository.js";
import type { TrackDirectory } from "./track-directory.js";
import { decodeCursor, pageOf } from "./cursor.js";
import type { RecommendationService } from "./recommendation/recommendation.service.js";

export const toSession = (row: SessionRow): Session => ({
  id: row.id,
  user_id: row.userId,
  subject: row.subject,
  mode: row.mode,
  track_id: row.trackId,
  problem_id: row.problemId,
  status: row.status,
  last_hint_level: row.lastHintLevel,
  started_at: row.startedAt,
  updated_at: row.updatedAt,
});

/**
 * How a session's track shapes recommendation: in track mode the track's problems in module
 * order; in the other modes only due reviews are limited to the track (§8.2.1–2).
 */
const trackScope = (mode: Session["mode"], track: TrackRow | undefined) => {
  if (!track) return {};
  if (mode === "track") return { track: { slug: track.slug, moduleIds: track.modules.map((module) => module.id) } };
  return { reviewTrack: track.slug };
};

/** Enough for every advance of a burst of concurrent ones to land; past it the caller is told to retry. */
const MAX_UPDATE_ATTEMPTS = 50;

/** Learning sessions (§8.3): one problem at a time, moved on by recommendation. */
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly tracks: TrackDirectory,
    private readonly problemBank: ProblemBank,
    private readonly recommendations: RecommendationService,
  ) {}

  async create(userId: string, input: CreateSessionInput): Promise<Session> {
    if (input.mode === "track" && !input.track_id) {
      throw AppError.validation("track_id is required in track mode", [{ path: "track_id", message: "required in track mode" }]);
    }
    let track: TrackRow | undefined;
    if (input.track_id) {
      track = await this.tracks.findByIdOrSlug(input.track_id);
      if (!track) throw AppError.notFound("Track");
      if (track.subject !== input.subject) {
        throw AppError.validation(`Track '${track.slug}' is a ${track.subject} track, not ${input.subject}`, [
          { path: "track_id", message: "belongs to another subject" },
        ]);
      }
    }
    let problemId: string | null;
    if (input.problem_id) {
      const problem = await this.problemBank.getProblem(input.problem_id);
      if (!problem) throw AppError.notFound("Problem");
      if (problem.subject !== input.subject) {
        throw AppError.validation(`Problem '${problem.id}' is a ${problem.subject} problem, not ${input.subject}`, [
          { path: "problem_id", message: "belongs to another subject" },
        ]);
      }
      if (track && problem.track !== track.slug) {
        throw AppError.validation(`Problem '${problem.id}' is not part of track '${track.slug}'`, [
          { path: "problem_id", message: "not in this track" },
        ]);
      }
      problemId = problem.id;
    } else {
      const next = await this.recommendations.recommend({ userId, subject: input.subject, ...trackScope(input.mode, track) });
      problemId = next?.problemId ?? null;
    }
    const row = await this.sessions.create({
      userId,
      subject: input.subject,
      mode: input.mode,
      trackId: track?.id ?? null,
      problemId,
      status: problemId ? "active" : "completed",
    });
    return toSession(row);
  }

  async get(userId: string, id: string): Promise<Session> {
    return toSession(await this.owned(userId, id));
  }

  async list(userId: string, options: { status?: Session["status"]; limit: number; cursor?: string }) {
    const after = decodeCursor(options.cursor);
    const rows = await this.sessions.listOwned(userId, { status: options.status, limit: options.limit, ...(after ? { after } : {}) });
    return pageOf(rows, options.limit, toSession, (row) => ({ at: row.startedAt, id: row.id }));
  }

  /**
   * Applies an action. Each write is a compare-and-set on the problem the action was computed
   * from: when another request moved the session first, a caller that gave
   * `expectedProblemId` gets 409; one that did not is recomputed from the new state, so
   * concurrent advances apply one after another and none is silently lost.
   */
  async update(userId: string, id: string, action: SessionAction, options: { expectedProblemId?: string } = {}): Promise<Session> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const session = await this.owned(userId, id);
      if (session.status !== "active") {
        throw AppError.conflict(`Session is ${session.status}; only active sessions accept '${action}'`, { status: session.status });
      }
      if (options.expectedProblemId !== undefined && session.problemId !== options.expectedProblemId) {
        throw AppError.conflict(`Session has moved on to '${session.problemId}'; expected '${options.expectedProblemId}'`, {
          problem_id: session.problemId,
          expected_problem_id: options.expectedProblemId,
        });
      }
      const updated = await this.sessions.updateIfActive(userId, id, await this.changesFor(session, action), session.problemId);
      if (updated) return toSession(updated);
      // Someone else changed the session between our read and this write: read it again.
    }
    throw AppError.conflict("Session is being changed by too many requests at once; retry");
  }

  private async changesFor(session: SessionRow, action: SessionAction): Promise<Parameters<SessionsRepository["updateIfActive"]>[2]> {
    if (action === "retry") return { lastHintLevel: 0 };
    if (action === "giveup") return { status: "abandoned" };
    const track = session.trackId ? await this.tracks.findByIdOrSlug(session.trackId) : undefined;
    const next = await this.recommendations.recommend({
      userId: session.userId,
      subject: session.subject,
      ...trackScope(session.mode, track),
      excludeProblemId: session.problemId,
    });
    return next ? { problemId: next.problemId, lastHintLevel: 0 } : { problemId: null, lastHintLevel: 0, status: "completed" };
  }

  /** The caller's session, or NOT_FOUND (also for someone else's id). */
  async owned(userId: string, id: string): Promise<SessionRow> {
    const row = await this.sessions.findOwned(userId, id);
    if (!row) throw AppError.notFound("Session");
    return row;
  }
}
