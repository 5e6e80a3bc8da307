import { createRequire } from "node:module";
import type { Express } from "express";
import type { AppDeps } from "../app-deps.js";
import type { Environment } from "../config/config.js";
import { buildOpenApiDocument, type ExtraOperations } from "./openapi-document.js";
import { mountPanel } from "./panel.js";

const require = createRequire(import.meta.url);

/** The bearer scheme's name in `/openapi.json` (trpc-to-openapi names it after the header). */
const BEARER_SCHEME = "Authorization";

/**
 * Scalar's options for a page that talks to this server only: its defaults load fonts
 * from fonts.scalar.com, send requests through proxy.scalar.com, ask api.scalar.com for
 * the "Ask AI" agent and show "Share"/"Deploy" developer tools on localhost.
 */
export function scalarConfiguration(environment: Environment) {
  const tokenHint =
    environment === "production"
      ? "A JWT from the platform's identity provider."
      : "Development: `npm run token -- --sub <user-id>` prints a JWT (`npm start` prints one too).";
  return {
    url: "/openapi.json",
    withDefaultFonts: false,
    // Without a proxy URL the client sends requests straight to this (same-origin) server.
    proxyUrl: "",
    agent: { disabled: true },
    showDeveloperTools: "never",
    telemetry: false,
    hideClientButton: false,
    documentDownloadType: "json",
    authentication: {
      preferredSecurityScheme: BEARER_SCHEME,
      securitySchemes: { [BEARER_SCHEME]: { description: tokenHint, bearerFormat: "JWT", token: "" } },
    },
  };
}

function docsPage(environment: Environment): string {
  // `<` escaped so no option value could close the script element.
  const options = JSON.stringify(scalarConfiguration(environment)).replaceAll("<", "\\u003c");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Curriculum Orchestrator API</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="/docs/scalar.js"></script>
    <script>Scalar.createApiReference("#app", ${options});</script>
  </body>
</html>`;
}

/**
 * `/openapi.json`, the `/docs` page (its script served from node_modules: no CDN, no
 * request leaves this server) and, outside production, the tRPC panel at `/panel`.
 * Each is rendered once, on first use.
 */
export function mountDocs(app: Express, deps: AppDeps, extraPaths: () => ExtraOperations) {
  let document: string | undefined;
  app.get("/openapi.json", (_req, res) => {
    document ??= JSON.stringify(buildOpenApiDocument({ baseUrl: deps.config.publicBaseUrl, extraPaths: extraPaths() }));
    res.type("application/json").send(document);
  });
  const page = docsPage(deps.config.environment);
  app.get("/docs", (_req, res) => {
    res.type("html").send(page);
  });
  app.get("/docs/scalar.js", (_req, res) => {
    res.sendFile(require.resolve("@scalar/api-reference/browser/standalone.js"), { maxAge: "1d" });
  });
  if (deps.config.environment !== "production") mountPanel(app);
}
