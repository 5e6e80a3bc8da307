import type { Subject } from "@co/shared";
import type { ContentVersion } from "../ports/content-version.js";
import type { ProblemBank } from "../ports/problem-bank.js";
import type { TrackRow, TracksRepository } from "../repositories/tracks.repository.js";

/**
 * Where services find tracks: the `tracks` table, and — with a remote Problem Bank — the
 * bank's `GET /internal/tracks/{slug}` for a slug not stored yet. A track found there is
 * stored, so it gets a stable id that sessions and study paths can point at, and is listed
 * from then on.
 */
export class TrackDirectory {
  constructor(
    private readonly tracks: TracksRepository,
    private readonly problemBank: ProblemBank,
    /** Told when a remote track is stored: the catalog's listing has changed. */
    private readonly contentVersion?: ContentVersion,
  ) {}

  list(filter: { subject?: Subject; label?: string }): Promise<TrackRow[]> {
    return this.tracks.list(filter);
  }

  async findByIdOrSlug(key: string): Promise<TrackRow | undefined> {
    const stored = await this.tracks.findByIdOrSlug(key);
    if (stored || !this.problemBank.getTrack) return stored;
    const definition = await this.problemBank.getTrack(key);
    if (!definition) return undefined;
    const row = await this.tracks.upsert(definition);
    await this.contentVersion?.bump();
    return row;
  }
}
