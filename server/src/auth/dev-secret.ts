import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/config.js";

/**
 * The development HS256 secret: generated once into the data dir so tokens printed
 * at start-up keep working across restarts. Never used in production (config refuses).
 */
export function ensureDevSecret(dataDir: string): string {
  const file = join(dataDir, "dev-jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Outside production, with no key source configured, HS256 with the data dir's secret. */
export function withDevSecret(config: Config): Config {
  if (config.environment === "production" || config.auth.secret || config.auth.publicKeyPem || config.auth.jwksUrl) return config;
  return { ...config, auth: { ...config.auth, secret: ensureDevSecret(config.dataDir) } };
}
