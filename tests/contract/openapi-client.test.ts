import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codingProblem, mathProblem } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

const here = dirname(fileURLToPath(import.meta.url));
const LEARNER = join(here, "openapi-client", "learner.ts");
const CACHE = join(here, "..", "..", "node_modules", ".cache");

let app: TestApp;
let workDir: string;
beforeAll(async () => {
  app = await startTestApp();
  mkdirSync(CACHE, { recursive: true });
  workDir = mkdtempSync(join(CACHE, "openapi-client-"));
});
afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await app.close();
});

/** openapi-typescript's output for a document, beside a copy of the learner script, in a fresh folder. */
async function generateClient(source: URL | OpenAPI3, name: string): Promise<string> {
  const dir = join(workDir, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "schema.d.ts"), astToString(await openapiTS(source)));
  copyFileSync(LEARNER, join(dir, "learner.ts"));
  return dir;
}

/** Strict tsc over the learner script and the generated types; the diagnostics, one line each. */
function typeCheck(dir: string): string[] {
  const program = ts.createProgram([join(dir, "learner.ts")], {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file ? `${diagnostic.file.fileName.slice(dir.length + 1)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`;
  });
}

interface SubmissionResult {
  id: string;
  status: string;
  hidden: { categories: string[] };
}
type LearnerModule = {
  learnerRun(input: {
    baseUrl: string;
    token: string;
    coding: { problemId: string; code: string };
    math: { problemId: string; expression: string };
  }): Promise<{ coding: SubmissionResult; math: SubmissionResult; mathReplay: SubmissionResult; categories: string[] }>;
};

describe("a client generated from /openapi.json", () => {
  it("type-checks under strict tsc with a script that opens sessions and submits through openapi-fetch", async () => {
    const dir = await generateClient(new URL(`${app.url}/openapi.json`), "served");
    expect(typeCheck(dir)).toEqual([]);
  }, 120_000);

  it("the same script runs against the server: coding and math graded, the Idempotency-Key replay returns the first result", async () => {
    // A variable path keeps the root type check out of the script (its types exist only once generated).
    const path = LEARNER;
    const { learnerRun } = (await import(/* @vite-ignore */ path)) as LearnerModule;
    const coding = codingProblem();
    const math = mathProblem();
    const run = await learnerRun({
      baseUrl: app.url,
      token: await app.tokenFor("openapi-client"),
      coding: { problemId: coding.id, code: coding.reference_solutions!.javascript },
      math: { problemId: math.id, expression: math.solution! },
    });
    expect(run.coding.status).toBe("passed");
    expect(run.math.status).toBe("passed");
    expect(run.mathReplay.id).toBe(run.math.id);
    expect(run.categories).toEqual([]);
  });

  it("when the document loses the submission oneOf and the enums, the script's misuses type-check and the check fails", async () => {
    type Loose = {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>>;
      components: { schemas: Record<string, { properties: Record<string, { properties?: Record<string, unknown> }> }> };
    };
    const loose = (await http<Loose>(`${app.url}/openapi.json`)).body;
    const body = (path: string) => loose.paths[path]!.post!.requestBody.content["application/json"]!;
    body("/v1/submissions").schema = { properties: {} };
    body("/v1/tutor/messages").schema.properties!.hint_level = { type: "integer" };
    loose.components.schemas.SubmissionResult!.properties.hidden!.properties!.categories = { type: "array", items: { type: "string" } };

    const diagnostics = typeCheck(await generateClient(loose as unknown as OpenAPI3, "loose"));
    const unused = diagnostics.filter((line) => line.includes("Unused '@ts-expect-error' directive"));
    // coding without code, math with code, an essay, ruby, hint level 4, any category string.
    expect(unused).toHaveLength(6);
  }, 120_000);
});
