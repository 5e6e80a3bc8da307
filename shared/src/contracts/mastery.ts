import { z } from "zod";
import { instantSchema } from "./common.js";
import { MASTERY_KEY_TYPES } from "./enums.js";

export const masteryKeyTypeSchema = z.enum(MASTERY_KEY_TYPES);

export const listMasteryInputSchema = z.strictObject({
  key_type: masteryKeyTypeSchema.optional().describe("Only topic or only outcome mastery"),
});

export const masteryItemSchema = z.object({
  key_type: masteryKeyTypeSchema,
  key_id: z.string(),
  score: z.number().int().min(0).max(100).describe("round(ema * 100)"),
  skill: z.number().describe("Elo skill estimate θ in logits (0: passes a median problem half the time)"),
  attempts: z.number().int().min(0).describe("Graded attempts the skill estimate has seen"),
  p_success: z
    .number()
    .min(0)
    .max(1)
    .describe("Predicted pass probability on a problem of this key's median difficulty: σ(skill − median β)"),
  updated_at: instantSchema,
}).meta({ id: "MasteryItem" });
export type MasteryItem = z.infer<typeof masteryItemSchema>;

export const listMasteryOutputSchema = z.object({ items: z.array(masteryItemSchema) });
