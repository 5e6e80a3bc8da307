import { defineConfig } from "drizzle-kit";

/** Generates forward-only SQL migrations into drizzle/ from the schema files. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./server/src/db/schema/index.ts",
  out: "./drizzle",
});
