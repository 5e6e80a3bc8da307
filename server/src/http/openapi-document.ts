import { errorEnvelopeSchema } from "@co/shared";
import { generateOpenApiDocument } from "trpc-to-openapi";
import { z } from "zod";
import { ERROR_CODES } from "../errors/app-error.js";
import { appRouter } from "../trpc/app-router.js";
import { successStatuses } from "./rest.js";

type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;
type Operation = { operationId?: string; responses?: Record<string, unknown>; security?: unknown };

/** Paths served at the root rather than under `/v1`. */
const ROOT_PATHS = new Set(["/health", "/health/ready"]);

/** Non-JSON routes (SSE, CSV) live outside the adapter; each adds its operation here. */
export type ExtraOperations = Record<string, Record<string, unknown>>;

const ERROR_STATUSES = [...new Set(Object.values(ERROR_CODES).map((entry) => entry.status))].sort();

/**
 * The OpenAPI 3 document: generated from the same zod contracts, then adjusted for
 * what the generator cannot know: the `/v1` prefix, 201/202 statuses, and the §5
 * error envelope on every error response.
 */
export function buildOpenApiDocument(options: { baseUrl: string; extraPaths?: ExtraOperations }): OpenApiDocument {
  const document = generateOpenApiDocument(appRouter, {
    title: "Curriculum Orchestrator API",
    description:
      "Tracks, sessions, graded submissions, mastery, study paths and the tutor. Every `/v1` call needs `Authorization: Bearer <jwt>`. Errors use one envelope: `{error: {code, message, details}}`.",
    version: "1.0.0",
    baseUrl: options.baseUrl,
  });
  const statuses = successStatuses();
  const operationStatus = new Map<string, number>();
  for (const [path, status] of statuses) operationStatus.set(path, status);

  const errorResponse = (status: number) => ({
    description: `Error (${status})`,
    content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
  });

  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const target = ROOT_PATHS.has(path) ? path : `/v1${path}`;
    const operations = item as Record<string, Operation>;
    for (const operation of Object.values(operations)) {
      if (!operation || typeof operation !== "object" || !operation.responses) continue;
      const responses = operation.responses;
      const declared = operationStatus.get(operation.operationId?.replace(/-/g, ".") ?? "");
      if (declared && responses["200"]) {
        responses[String(declared)] = responses["200"];
        delete responses["200"];
      }
      for (const code of Object.keys(responses)) {
        if (code === "default" || Number(code) >= 400) delete responses[code];
      }
      const relevant = operation.security ? ERROR_STATUSES : ERROR_STATUSES.filter((status) => status >= 500 || status === 400);
      for (const status of relevant) responses[String(status)] = errorResponse(status);
      // Readiness answers 503 with its own report (which dependency is down), not an error.
      if (path === "/health/ready") responses["503"] = { ...(responses[String(declared ?? 200)] as object), description: "A required dependency is down" };
    }
    paths[target] = operations;
  }
  Object.assign(paths, options.extraPaths ?? {});
  document.paths = paths as OpenApiDocument["paths"];
  document.servers = [{ url: options.baseUrl }];
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ErrorEnvelope: z.toJSONSchema(errorEnvelopeSchema, { target: "openapi-3.0" }) as never,
    },
  };
  return document;
}
