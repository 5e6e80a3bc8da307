import { problemIdInputSchema, publicProblemSchema } from "@co/shared";
import { authedProcedure } from "../procedures.js";
import { router } from "../init.js";

export const problemsRouter = router({
  get: authedProcedure
    .meta({
      catalog: true,
      openapi: {
        method: "GET",
        path: "/problems/{id}",
        tags: ["problems"],
        summary: "A problem's public view (no hints, solution, hidden tests or references)",
      },
    })
    .input(problemIdInputSchema)
    // Output parsing strips anything the learner must not see, whatever the service returned.
    .output(publicProblemSchema)
    .query(({ ctx, input }) => ctx.deps.services.catalog.getProblem(input.id)),
});
