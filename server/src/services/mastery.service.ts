import type { MasteryItem } from "@co/shared";
import type { MasteryRepository } from "../repositories/mastery.repository.js";

export class MasteryService {
  constructor(private readonly mastery: MasteryRepository) {}

  async list(userId: string, keyType?: "topic" | "outcome"): Promise<{ items: MasteryItem[] }> {
    const rows = await this.mastery.listForUser(userId, keyType);
    return {
      items: rows.map((row) => ({ key_type: row.keyType, key_id: row.keyId, score: row.score, updated_at: row.updatedAt })),
    };
  }
}
