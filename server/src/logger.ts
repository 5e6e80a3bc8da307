import { pino, type DestinationStream, type Logger } from "pino";

/** JSON logs; authorization headers and tokens are redacted wherever they appear. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "curriculum-orchestrator" },
      redact: { paths: ["req.headers.authorization", "headers.authorization", "token", "*.token"], censor: "[redacted]" },
    },
    destination,
  );
}
