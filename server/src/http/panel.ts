import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import express, { type Express } from "express";
import { renderTrpcPanel } from "trpc-ui-zod4";
import { appRouter } from "../trpc/app-router.js";

const require = createRequire(import.meta.url);

/**
 * The panel's bundle loads Monaco (its raw-JSON editor) with @monaco-editor/loader, whose
 * default is this CDN path; the bundle inlines that default, so the rendered page is
 * rewritten to point at the same build served from node_modules (monaco-editor is pinned
 * to the version the bundle names).
 */
const MONACO_CDN_VS = "https://cdn.jsdelivr.net/npm/monaco-editor@0.52.2/min/vs";
const MONACO_LOCAL_VS = "/panel/monaco/vs";

export function renderPanel(): string {
  const html = renderTrpcPanel(appRouter, {
    url: "/trpc",
    transformer: "superjson",
    meta: { title: "Curriculum Orchestrator", description: "Every procedure; set Authorization: Bearer <token> under Headers." },
  });
  if (!html.includes(MONACO_CDN_VS)) {
    // A trpc-ui-zod4 upgrade moved the loader's default: fail here rather than fetch from a CDN.
    throw new Error(`the panel bundle no longer names ${MONACO_CDN_VS}: update MONACO_CDN_VS and the monaco-editor pin together`);
  }
  return html.replaceAll(MONACO_CDN_VS, MONACO_LOCAL_VS);
}

/** The tRPC panel at `/panel` (development only) with Monaco served from this server. */
export function mountPanel(app: Express) {
  const monacoVs = join(dirname(require.resolve("monaco-editor/package.json")), "min/vs");
  app.use(MONACO_LOCAL_VS, express.static(monacoVs, { maxAge: "1d", index: false }));
  let panel: string | undefined;
  app.get("/panel", (_req, res) => {
    panel ??= renderPanel();
    res.type("html").send(panel);
  });
}
