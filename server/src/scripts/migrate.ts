import "../runtime/require-node-24.js";
import { join } from "node:path";
import { loadConfig } from "../config/config.js";
import { openDatabase } from "../db/database.js";

/** Applies drizzle/ migrations to CO_DB_URL, or to the embedded database in CO_DATA_DIR. */
const config = loadConfig();
const database = await openDatabase(
  config.database.url
    ? { kind: "postgres", url: config.database.url, poolSize: 1 }
    : { kind: "pglite", dataDir: join(config.dataDir, "pglite") },
);
await database.migrate();
await database.close();
console.log(`Migrations applied (${database.kind}).`);
