import { z } from "zod";
import { instantSchema, subjectSchema } from "./common.js";
import { problemSummarySchema } from "./problems.js";

export const trackModuleSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  outcomes: z.array(z.string()),
}).meta({ id: "TrackModule" });

export const trackSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  subject: subjectSchema,
  title: z.string(),
  modules: z.array(trackModuleSchema).describe("Ordered modules"),
  labels: z.array(z.string()),
  version: z.string(),
  created_at: instantSchema,
}).meta({ id: "Track" });
export type Track = z.infer<typeof trackSchema>;

/** A track as the neighbour Problem Bank and the content pack describe it (no id/created_at). */
export const trackDefinitionSchema = trackSchema.omit({ id: true, created_at: true });
export type TrackDefinition = z.infer<typeof trackDefinitionSchema>;

export const listTracksInputSchema = z.strictObject({
  subject: subjectSchema.optional().describe("Only tracks of this subject"),
  label: z.string().max(100).optional().describe("Only tracks carrying this label"),
});
export const listTracksOutputSchema = z.object({ items: z.array(trackSchema) });

export const trackIdInputSchema = z.strictObject({
  id: z.string().min(1).max(200).describe("Track uuid or slug"),
});

export const trackProblemsInputSchema = trackIdInputSchema.extend({
  module: z.string().max(200).optional().describe("Only problems of this module"),
});
export const trackProblemsOutputSchema = z.object({ items: z.array(problemSummarySchema) });
