/**
 * The SDK example page, /docs and /panel in a real Chromium against a running CO: what a
 * learner or developer sees, and that no page asks anything of another origin (every
 * request is recorded; those elsewhere are aborted and fail the test).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExampleServer, type ExampleServer } from "../../client-sdk/example/serve.js";
import { testEnvironment } from "../../server/src/config/config.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import { browserTestsRun, launchChromium, recordedContext } from "./support/chromium.js";

let browser: Browser;
let page: ExampleServer;
let app: TestApp;

describe.runIf(browserTestsRun(testEnvironment().browser))("in Chromium", () => {
  beforeAll(async () => {
    browser = await launchChromium();
    page = await startExampleServer();
    // The page is another origin than the CO: a frontend's dev server, allowed by CORS.
    app = await startTestApp({ env: { CO_CORS_ORIGINS: page.url } });
  });
  afterAll(async () => {
    await browser?.close();
    await page?.close();
    await app?.close();
  });

  it("a learner signs in with a token, sees the tracks and the problem, submits, and reads a hint that streams in", async () => {
    const learner = "browser-learner";
    const token = await app.tokenFor(learner);
    const { context, requests, foreign } = await recordedContext(browser, [page.url, app.url]);
    try {
      const tab = await context.newPage();
      await tab.goto(`${page.url}/?token=${encodeURIComponent(token)}&api=${encodeURIComponent(app.url)}`);
      await expect
        .poll(() => tab.locator("#status").textContent(), { timeout: 20_000 })
        .toMatch(/^(Done|Failed)\.$/);
      expect(await tab.locator("#error").textContent()).toBe("");

      // What the page shows is what the CO holds for this learner.
      const trpc = createTrpcClient(app.url, token);
      const { items: sessions } = await trpc.sessions.list.query({});
      const problem = await trpc.problems.get.query({ id: sessions[0]!.problem_id! });
      const { items: submissions } = await trpc.submissions.list.query({ session_id: sessions[0]!.id });
      const tracks = await trpc.tracks.list.query({ subject: "coding" });

      expect(await tab.locator("#tracks li").allTextContents()).toEqual(tracks.items.map((t) => `${t.title} (${t.modules.length} modules)`));
      expect(await tab.locator("#problem-title").textContent()).toBe(problem.title);
      const submitted = submissions[0]!;
      expect(await tab.locator("#result").textContent()).toBe(
        `Result: ${submitted.status}, ${submitted.visible.passed}/${submitted.visible.total} visible tests passed`,
      );

      const deltas = await tab.locator("#hint .delta").allTextContents();
      expect(deltas.length).toBeGreaterThan(1);
      expect(await tab.locator("#hint").getAttribute("data-deltas")).toBe(String(deltas.length));
      expect(deltas.join("")).toMatch(/^\*\*Hint 1\.\*\*/);

      expect(requests.some((url) => url.startsWith(`${app.url}/trpc/tutor.stream`))).toBe(true);
      expect(foreign()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("/docs renders from this server alone: no fonts, proxy or AI agent elsewhere, a bearer box that says how to get a token", async () => {
    const { context, requests, foreign } = await recordedContext(browser, [app.url]);
    try {
      const tab = await context.newPage();
      await tab.goto(`${app.url}/docs`, { waitUntil: "networkidle" });
      await tab.getByRole("heading", { name: "Curriculum Orchestrator API" }).waitFor();
      expect(foreign()).toEqual([]);
      await expect.poll(() => tab.locator("body").innerText()).toContain("npm run token");
      const text = await tab.locator("body").innerText();
      for (const hidden of ["Ask AI", "Share", "Deploy", "Developer Tools"]) expect(text).not.toContain(hidden);
      expect(requests).toContain(`${app.url}/openapi.json`);
      expect(foreign()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("/panel, with its Monaco JSON editor opened, loads everything from this server", async () => {
    const { context, requests, foreign } = await recordedContext(browser, [app.url]);
    try {
      const tab = await context.newPage();
      await tab.goto(`${app.url}/panel?path=tracks.list`);
      // The raw-JSON toggle is the one part of the panel that loads Monaco.
      const toggle = tab.locator("svg:visible:has(title:text('toggle raw JSON input'))").first();
      await toggle.waitFor();
      // Not forced: the panel is still expanding ?path's procedure, and a forced click lands where
      // the toggle was a frame ago (the subject select, whose dropdown then opens instead). An
      // unforced click waits until the toggle stands still and is the element under the pointer.
      await toggle.click();
      const opened = await tab
        .locator(".monaco-editor")
        .first()
        .waitFor({ timeout: 15_000 })
        .then(() => true, () => false);
      // Foreign requests first: they are the likely reason the editor did not open.
      expect(foreign()).toEqual([]);
      expect(opened).toBe(true);
      expect(requests).toContain(`${app.url}/panel/monaco/vs/loader.js`);
    } finally {
      await context.close();
    }
  });
});
