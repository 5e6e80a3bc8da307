import "../runtime/require-node-24.js";
import { join } from "node:path";
import { loadConfig } from "../config/config.js";
import { readContentPack, seedContent } from "../content/load-pack.js";
import { RedisContentVersion } from "../adapters/cache/redis-content-version.js";
import { connectRedis } from "../adapters/redis/redis-client.js";
import { openDatabase } from "../db/database.js";
import { createLogger } from "../logger.js";

/** Tells every running instance (through Redis) that the catalog changed, so their caches let go. */
async function announceContentChange(url: string, prefix: string) {
  const logger = createLogger("warn");
  const redis = await connectRedis(url, prefix, logger);
  const version = await RedisContentVersion.connect(redis, logger);
  await version.bump();
  await version.close();
  await redis.close();
}

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
if (config.redis.url) await announceContentChange(config.redis.url, config.redis.prefix);
console.log(`Seeded ${counts.tracks} tracks; ${counts.problems} problems added or changed.`);
