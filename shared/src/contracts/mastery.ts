import { z } from "zod";

export const masteryKeyTypeSchema = z.enum(["topic", "outcome"]);

export const listMasteryInputSchema = z.object({
  key_type: masteryKeyTypeSchema.optional().describe("Only topic or only outcome mastery"),
});

export const masteryItemSchema = z.object({
  key_type: masteryKeyTypeSchema,
  key_id: z.string(),
  score: z.number().int().min(0).max(100).describe("round(ema * 100)"),
  updated_at: z.date(),
});
export type MasteryItem = z.infer<typeof masteryItemSchema>;

export const listMasteryOutputSchema = z.object({ items: z.array(masteryItemSchema) });
