import { createRequire } from "node:module";
import type { Express } from "express";
import { renderTrpcPanel } from "trpc-ui-zod4";
import type { AppDeps } from "../app-deps.js";
import { appRouter } from "../trpc/app-router.js";
import { buildOpenApiDocument, type ExtraOperations } from "./openapi-document.js";

const require = createRequire(import.meta.url);

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Curriculum Orchestrator API</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="/docs/scalar.js"></script>
    <script>Scalar.createApiReference("#app", { url: "/openapi.json" });</script>
  </body>
</html>`;

/**
 * `/openapi.json`, the `/docs` page (its script served locally: no CDN, works offline)
 * and, outside production, the tRPC panel at `/panel`. Each is rendered once, on first use.
 */
export function mountDocs(app: Express, deps: AppDeps, extraPaths: () => ExtraOperations) {
  let document: string | undefined;
  app.get("/openapi.json", (_req, res) => {
    document ??= JSON.stringify(buildOpenApiDocument({ baseUrl: deps.config.publicBaseUrl, extraPaths: extraPaths() }));
    res.type("application/json").send(document);
  });
  app.get("/docs", (_req, res) => {
    res.type("html").send(DOCS_PAGE);
  });
  app.get("/docs/scalar.js", (_req, res) => {
    res.sendFile(require.resolve("@scalar/api-reference/browser/standalone.js"), { maxAge: "1d" });
  });
  if (deps.config.environment !== "production") {
    let panel: string | undefined;
    app.get("/panel", (_req, res) => {
      panel ??= renderTrpcPanel(appRouter, {
        url: "/trpc",
        transformer: "superjson",
        meta: { title: "Curriculum Orchestrator", description: "Every procedure; set Authorization: Bearer <token> under Headers." },
      });
      res.type("html").send(panel);
    });
  }
}
