import "./runtime/require-node-24.js";
import { mintUserToken } from "./auth/token-minter.js";
import { ConfigError, loadConfig, type Config } from "./config/config.js";
import { startService } from "./server.js";

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const service = await startService(config).catch((error: unknown) => {
  console.error(`Failed to start: ${(error as Error).message}`);
  process.exit(1);
});

// Before the banner: whoever reads "listening" may signal at once, and a signal with no handler
// yet would end the process without its graceful stop.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    service.deps.logger.info({ signal }, "shutting down");
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        service.deps.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}

const { auth } = service.deps.config;
const lines = [
  `Curriculum Orchestrator listening on ${service.url} (${config.environment}, ${config.database.url ? "PostgreSQL" : "embedded PGlite"}, ${config.redis.url ? "Redis" : "in-process state"})`,
  `  API docs:   ${service.url}/docs`,
  `  OpenAPI:    ${service.url}/openapi.json`,
];
if (config.environment !== "production") lines.push(`  tRPC panel: ${service.url}/panel`);
if (auth.secret && config.environment !== "production") {
  const token = await mintUserToken({ secret: auth.secret, sub: "dev-user", issuer: auth.issuer, audience: auth.audience });
  lines.push(`  Dev token (sub=dev-user, 30 days; more with npm run token -- --sub <id>):`, `  ${token}`);
  // The whole token: a shortened one would make the line look runnable and answer 401.
  lines.push(`  Try: curl -H "Authorization: Bearer ${token}" ${service.url}/v1/tracks`);
}
console.log(lines.join("\n"));

