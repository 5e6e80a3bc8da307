import type { MasteryItem } from "@co/shared";
import type { MasteryKeyType, MasteryRepository } from "../repositories/mastery.repository.js";
import { betaOfDifficulty, DIFFICULTY_STEP, sigmoid } from "./learning/elo.js";

/** A key no stored problem lists is judged against a median problem (authored difficulty 3). */
const MEDIAN_BETA = betaOfDifficulty(3);

export class MasteryService {
  constructor(private readonly mastery: MasteryRepository) {}

  /** The caller's mastery, with p_success against the median β of each key's problems (at most three queries). */
  async list(userId: string, keyType?: MasteryKeyType): Promise<{ items: MasteryItem[] }> {
    const rows = await this.mastery.listForUser(userId, keyType);
    const prior = { center: 3, step: DIFFICULTY_STEP };
    const [topics, outcomes] = await Promise.all(
      (["topic", "outcome"] as const).map((type) =>
        this.mastery.medianBeta(type, rows.filter((row) => row.keyType === type).map((row) => row.keyId), prior),
      ),
    );
    const medians = { topic: topics!, outcome: outcomes! };
    return {
      items: rows.map((row) => ({
        key_type: row.keyType,
        key_id: row.keyId,
        score: row.score,
        skill: row.skill,
        attempts: row.attempts,
        p_success: sigmoid(row.skill - (medians[row.keyType].get(row.keyId) ?? MEDIAN_BETA)),
        updated_at: row.updatedAt,
      })),
    };
  }
}
