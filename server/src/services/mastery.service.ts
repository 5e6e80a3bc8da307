import type { MasteryItem } from "@co/shared";
import type { Clock } from "../ports/clock.js";
import type { MasteryKeyType, MasteryRepository } from "../repositories/mastery.repository.js";
import { betaOfDifficulty, DIFFICULTY_STEP, sigmoid } from "./learning/elo.js";
import { KeyDifficultyCache } from "./learning/key-difficulties.js";

/** A key no stored problem lists is judged against a median problem (authored difficulty 3). */
const MEDIAN_BETA = betaOfDifficulty(3);
/** How stale the median β of a key's problems may be when p_success is judged against it. */
const KEY_DIFFICULTY_MAX_AGE_MS = 10_000;

export class MasteryService {
  private readonly difficulties: KeyDifficultyCache;

  constructor(
    private readonly mastery: MasteryRepository,
    clock: Clock,
  ) {
    const prior = { center: 3, step: DIFFICULTY_STEP };
    this.difficulties = new KeyDifficultyCache(() => mastery.medianBetaOfEveryKey(prior), clock, KEY_DIFFICULTY_MAX_AGE_MS);
  }

  /** The caller's mastery, with p_success against the median β of each key's problems (one query, and one every 10 s for the medians). */
  async list(userId: string, keyType?: MasteryKeyType): Promise<{ items: MasteryItem[] }> {
    const [rows, medians] = await Promise.all([this.mastery.listForUser(userId, keyType), this.difficulties.get()]);
    return {
      items: rows.map((row) => ({
        key_type: row.keyType,
        key_id: row.keyId,
        score: row.score,
        skill: row.skill,
        attempts: row.attempts,
        p_success: sigmoid(row.skill - (medians.get(`${row.keyType}:${row.keyId}`) ?? MEDIAN_BETA)),
        updated_at: row.updatedAt,
      })),
    };
  }
}
