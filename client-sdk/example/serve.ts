import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;

/** `main.ts` with the SDK (from its source) and its dependencies in one browser ES module. */
export async function bundleExample(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

export interface ExampleServer {
  /** Origin of the page, e.g. `http://127.0.0.1:5173`. */
  url: string;
  close(): Promise<void>;
}

/** Serves the page and its bundle (built once, at start) on loopback. */
export async function startExampleServer(options: { host?: string; port?: number } = {}): Promise<ExampleServer> {
  const [html, script] = await Promise.all([readFile(join(here, "index.html"), "utf8"), bundleExample()]);
  const files: Record<string, { type: string; body: string }> = {
    "/": { type: "text/html; charset=utf-8", body: html },
    "/main.js": { type: "text/javascript; charset=utf-8", body: script },
  };
  const server: Server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://page").pathname];
    res.writeHead(file ? 200 : 404, { "content-type": file?.type ?? "text/plain", "cache-control": "no-store" });
    res.end(file?.body ?? "not found");
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
