import { and, asc, eq, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { mastery } from "../db/schema/index.js";

export type MasteryRow = typeof mastery.$inferSelect;

export class MasteryRepository {
  constructor(private readonly db: DbOrTx) {}

  listForUser(userId: string, keyType?: "topic" | "outcome"): Promise<MasteryRow[]> {
    const conditions: SQL[] = [eq(mastery.userId, userId)];
    if (keyType) conditions.push(eq(mastery.keyType, keyType));
    return this.db
      .select()
      .from(mastery)
      .where(and(...conditions))
      .orderBy(asc(mastery.keyType), asc(mastery.keyId));
  }
}
