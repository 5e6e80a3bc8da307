import { listMasteryInputSchema, listMasteryOutputSchema } from "@co/shared";
import { authedProcedure } from "../procedures.js";
import { router } from "../init.js";

export const masteryRouter = router({
  list: authedProcedure
    .meta({ openapi: { method: "GET", path: "/mastery", tags: ["mastery"], summary: "The caller's mastery per topic and outcome" } })
    .input(listMasteryInputSchema)
    .output(listMasteryOutputSchema)
    .query(({ ctx, input }) => ctx.deps.services.mastery.list(ctx.user.id, input.key_type)),
});
