import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Logger } from "pino";
import { connectRedis, type RedisHandle } from "./adapters/redis/redis-client.js";
import type { AppDeps } from "./app-deps.js";
import { withDevSecret } from "./auth/dev-secret.js";
import type { Config } from "./config/config.js";
import { buildDeps } from "./composition.js";
import { defaultContentDir, readContentPack, seedContent } from "./content/load-pack.js";
import { openDatabase, type DatabaseHandle } from "./db/database.js";
import { tracks } from "./db/schema/index.js";
import { createApp } from "./http/app.js";
import { trackInFlight } from "./http/in-flight.js";
import { createLogger } from "./logger.js";

export interface RunningService {
  url: string;
  deps: AppDeps;
  httpServer: Server;
  /** Graceful stop: no new connections, in-flight requests finish, pools close. */
  close(): Promise<void>;
}

/** Embedded mode migrates and, on its first start, seeds; a real PostgreSQL uses `npm run db:migrate` / `seed`. */
async function prepareEmbeddedDatabase(database: DatabaseHandle, log: Logger) {
  await database.migrate();
  const existing = await database.db.select({ id: tracks.id }).from(tracks).limit(1);
  if (existing.length === 0) {
    const counts = await seedContent(database.db, readContentPack(defaultContentDir));
    log.info(counts, "seeded content pack");
  }
}

export async function startService(baseConfig: Config, options: { logger?: Logger } = {}): Promise<RunningService> {
  const config = withDevSecret(baseConfig);
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(
    config.database.url
      ? {
          kind: "postgres",
          url: config.database.url,
          poolSize: config.database.poolSize,
          preparedStatements: config.database.preparedStatements,
          timeouts: { connectMs: config.database.connectTimeoutMs, statementMs: config.database.statementTimeoutMs },
        }
      : { kind: "pglite", dataDir: join(config.dataDir, "pglite") },
  );
  if (database.kind === "pglite") await prepareEmbeddedDatabase(database, logger);
  let redis: RedisHandle | null = null;
  if (config.redis.url) redis = await connectRedis(config.redis.url, config.redis.prefix, logger);

  const deps = await buildDeps({ config, logger, database, redis });
  const app = createApp(deps);
  // Not app.listen: Express 5 hands a listen error (EADDRINUSE) to its callback as if listening.
  const httpServer = createServer(app);
  const inFlight = trackInFlight(httpServer);
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await deps.close();
    await redis?.close();
    await database.close();
    throw error;
  }
  // The first learner should not wait for sandboxes to load; serving does not wait either.
  deps.warmUp();
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      // Open tutor streams get `error {code: "SHUTDOWN"}` and end before connections are cut.
      await deps.services.tutor.shutdown();
      // The ended streams leave idle keep-alive connections behind: close them too.
      await new Promise((resolve) => setImmediate(resolve));
      httpServer.closeIdleConnections();
      // In-flight requests get a grace period; what is still running after it gets a 503.
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref())]);
      inFlight.answerUnavailable();
      httpServer.closeAllConnections();
      await stopped;
      await deps.close();
      await redis?.close();
      await database.close();
    })());

  return { url: `http://${host}:${port}`, deps, httpServer, close };
}
