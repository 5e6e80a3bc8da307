import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

/** Debian's Chromium (playwright-core downloads no browser of its own). */
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_INSTALL = "sudo apt-get update && sudo apt-get install -y chromium";

const MISSING = `Chromium is not installed at ${CHROMIUM}: run \`${CHROMIUM_INSTALL}\``;

/**
 * Whether the browser tests run here: always when required (CI), never when skipped, else when
 * Chromium is installed; a skip for a missing browser says so, with the install command.
 */
export function browserTestsRun(mode: "required" | "if-installed" | "skip"): boolean {
  if (mode !== "if-installed") return mode === "required";
  if (existsSync(CHROMIUM)) return true;
  console.warn(`Skipping the browser tests. ${MISSING} (CI sets CO_REQUIRE_BROWSER=1, where a missing Chromium fails them).`);
  return false;
}

/** Chromium, or an error that says how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${MISSING} (or set CO_SKIP_BROWSER=1 to skip the browser tests)`);
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
