import type { Subject, TrackDefinition } from "@co/shared";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { tracks } from "../db/schema/index.js";

export type TrackRow = typeof tracks.$inferSelect;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TracksRepository {
  constructor(private readonly db: DbOrTx) {}

  list(filter: { subject?: Subject; label?: string }): Promise<TrackRow[]> {
    const conditions: SQL[] = [];
    if (filter.subject) conditions.push(eq(tracks.subject, filter.subject));
    if (filter.label) conditions.push(sql`${tracks.labels} @> ${JSON.stringify([filter.label])}::jsonb`);
    return this.db
      .select()
      .from(tracks)
      .where(and(...conditions))
      .orderBy(asc(tracks.subject), asc(tracks.slug));
  }

  /** Inserts or refreshes a track by slug (its id stays the same), returning the stored row. */
  async upsert(definition: TrackDefinition): Promise<TrackRow> {
    const { slug, ...fields } = definition;
    const [row] = await this.db
      .insert(tracks)
      .values(definition)
      .onConflictDoUpdate({ target: tracks.slug, set: fields })
      .returning();
    return row!;
  }

  /** By uuid or slug: a uuid-looking key is tried as either. */
  async findByIdOrSlug(key: string): Promise<TrackRow | undefined> {
    const condition = UUID_PATTERN.test(key)
      ? sql`${tracks.id} = ${key}::uuid OR ${tracks.slug} = ${key}`
      : eq(tracks.slug, key);
    const [row] = await this.db.select().from(tracks).where(condition).limit(1);
    return row;
  }
}
