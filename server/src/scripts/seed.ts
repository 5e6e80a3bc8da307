import "../runtime/require-node-24.js";
import { join } from "node:path";
import { loadConfig } from "../config/config.js";
import { readContentPack, seedContent } from "../content/load-pack.js";
import { openDatabase } from "../db/database.js";

/** Loads the content pack; safe to run any number of times. */
const config = loadConfig();
const database = await openDatabase(
  config.database.url
    ? { kind: "postgres", url: config.database.url, poolSize: 1 }
    : { kind: "pglite", dataDir: join(config.dataDir, "pglite") },
);
await database.migrate();
const counts = await seedContent(database.db, readContentPack());
await database.close();
console.log(`Seeded ${counts.tracks} tracks; ${counts.problems} problems added or changed.`);
