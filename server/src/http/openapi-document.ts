import { errorEnvelopeSchema, studyPathSchema, type ErrorCode } from "@co/shared";
import type { AnyProcedure } from "@trpc/server";
import { generateOpenApiDocument } from "trpc-to-openapi";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { ERROR_CODES } from "../errors/app-error.js";
import { appRouter } from "../trpc/app-router.js";
import { unionBodyOperations } from "./openapi-union-bodies.js";
import { jsonBodyProcedures, successStatuses } from "./rest.js";

type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;
type Operation = { operationId?: string; requestBody?: unknown; responses?: Record<string, unknown>; security?: unknown };

/** Paths served at the root rather than under `/v1`. */
const ROOT_PATHS = new Set(["/health", "/health/ready"]);

/**
 * Non-JSON routes (SSE, CSV) live outside the adapter; each adds its operation here, with its
 * full `/v1` path and its own error responses. Zod schemas in them become components too.
 */
export type ExtraOperations = ZodOpenApiPathsObject;

const ENVELOPE_REF = { $ref: "#/components/schemas/ErrorEnvelope" };

/** The REST adapter answers 415 to a body that is not JSON (its own check, before any procedure runs). */
const UNSUPPORTED_MEDIA_TYPE = 415;

/** Status → the §5 codes it carries, from the one error table (415 is added per operation). */
const CODES_BY_STATUS = new Map<number, ErrorCode[]>();
for (const [code, { status }] of Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][]) {
  if (status !== UNSUPPORTED_MEDIA_TYPE) CODES_BY_STATUS.set(status, [...(CODES_BY_STATUS.get(status) ?? []), code]);
}
const ERROR_STATUSES = [...CODES_BY_STATUS.keys()].sort();

const errorResponse = (status: number) => ({
  description: status === UNSUPPORTED_MEDIA_TYPE ? "The body is not `application/json`" : `Error: ${CODES_BY_STATUS.get(status)!.join(" or ")}`,
  content: { "application/json": { schema: ENVELOPE_REF } },
});

/**
 * The OpenAPI 3.1 document: generated from the same zod contracts (schemas with a
 * `.meta({ id })` become named components), then adjusted for what the generator cannot know:
 * the `/v1` prefix, 201/202 statuses, the §5 error envelope on every error response, 415 where the
 * adapter checks the body's type, and union bodies (`oneOf` by discriminator).
 */
export function buildOpenApiDocument(options: { baseUrl: string; extraPaths?: ExtraOperations }): OpenApiDocument {
  const unions = unionBodyOperations(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);
  const handwritten = new Set(Object.keys(options.extraPaths ?? {}));
  const document = generateOpenApiDocument(appRouter, {
    title: "Curriculum Orchestrator API",
    description:
      "Tracks, sessions, graded submissions, mastery, study paths and the tutor. Every `/v1` call needs `Authorization: Bearer <jwt>`. Errors use one envelope: `{error: {code, message, details}}`.",
    version: "1.0.0",
    baseUrl: options.baseUrl,
    filter: ({ metadata }) => !unions.skip.has(metadata.openapi),
    paths: { ...unions.paths, ...options.extraPaths },
    // StudyPath only reaches operations extended (with tasks, with a summary): named here so
    // clients get the type the others build on.
    defs: { ErrorEnvelope: errorEnvelopeSchema, StudyPath: studyPathSchema },
  });
  const declaredStatus = successStatuses();
  const jsonBodies = jsonBodyProcedures();

  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const operations = item as Record<string, Operation>;
    if (handwritten.has(path)) {
      paths[path] = operations;
      continue;
    }
    for (const operation of Object.values(operations)) {
      if (!operation || typeof operation !== "object" || !operation.responses) continue;
      const responses = operation.responses;
      const procedurePath = operation.operationId?.replace(/-/g, ".") ?? "";
      const declared = declaredStatus.get(procedurePath);
      if (declared && responses["200"]) {
        responses[String(declared)] = responses["200"];
        delete responses["200"];
      }
      for (const code of Object.keys(responses)) {
        if (code === "default" || Number(code) >= 400) delete responses[code];
      }
      const relevant = operation.security ? ERROR_STATUSES : ERROR_STATUSES.filter((status) => status >= 500 || status === 400);
      for (const status of relevant) responses[String(status)] = errorResponse(status);
      if (jsonBodies.has(procedurePath)) responses[String(UNSUPPORTED_MEDIA_TYPE)] = errorResponse(UNSUPPORTED_MEDIA_TYPE);
      // Readiness answers 503 with its own report (which dependency is down), not an error.
      if (path === "/health/ready") responses["503"] = { ...(responses[String(declared ?? 200)] as object), description: "A required dependency is down" };
    }
    paths[ROOT_PATHS.has(path) ? path : `/v1${path}`] = operations;
  }
  document.paths = paths as OpenApiDocument["paths"];
  document.servers = [{ url: options.baseUrl }];
  dropGeneratorErrorSchemas(document);
  return document;
}

/**
 * The generator registers its own `error.*` schemas (`{message, code, issues}`), which are not
 * what `/v1` answers; every error response above points at the envelope instead.
 */
function dropGeneratorErrorSchemas(document: OpenApiDocument) {
  const schemas = document.components?.schemas ?? {};
  const text = JSON.stringify(document.paths);
  for (const name of Object.keys(schemas)) {
    if (!name.startsWith("error.")) continue;
    if (text.includes(`"#/components/schemas/${name}"`)) throw new Error(`the document still refers to ${name}`);
    delete schemas[name];
  }
}
