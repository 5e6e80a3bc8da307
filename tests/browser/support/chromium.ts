import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

/** Debian's Chromium (playwright-core downloads no browser of its own). */
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_INSTALL = "sudo apt-get update && sudo apt-get install -y chromium";

/** Chromium, or an error that says how to install it (a missing browser never skips silently). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`${CHROMIUM_INSTALL}\` (or set CO_SKIP_BROWSER=1 to skip the browser tests)`);
  }
  // The sandbox cannot start as root (CI runs as root); these pages are the test's own.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

export interface RecordedContext {
  context: BrowserContext;
  /** Every request the pages made (documents, scripts, XHR/fetch, EventSource, workers, fonts). */
  requests: string[];
  /** The requests to an origin not in the allowed list; each was aborted, so none left the machine. */
  foreign(): string[];
}

/** A fresh browser context that records every request and aborts those to other origins. */
export async function recordedContext(browser: Browser, allowedOrigins: string[]): Promise<RecordedContext> {
  const context = await browser.newContext();
  const requests: string[] = [];
  const allowed = (url: string) => url.startsWith("data:") || allowedOrigins.includes(new URL(url).origin);
  context.on("request", (request) => requests.push(request.url()));
  await context.route(
    (url) => !allowed(url.href),
    (route) => route.abort("blockedbyclient"),
  );
  return { context, requests, foreign: () => requests.filter((url) => !allowed(url)) };
}
