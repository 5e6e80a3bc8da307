/**
 * The built SDK (`npm run build:sdk`) is a package a frontend can use with no access to
 * server code (SPEC §12): dist is copied outside the repository next to only its
 * third-party dependencies, and a consumer is type-checked and run against it there.
 */
import { execFile } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");
const dist = join(repo, "client-sdk/dist");
const tsc = join(repo, "node_modules/typescript/bin/tsc");
/** What the built package may need, and all the consumer gets from the repository. */
const thirdParty = ["@trpc/client", "@trpc/server", "superjson"];

let consumer: string;

const goodConsumer = `
import { createCoClient, TutorStreamError, type RouterInputs, type RouterOutputs } from "@co/client-sdk";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
const expectType = <T extends true>(): T => true as T;

type Track = RouterOutputs["tracks"]["list"]["items"][number];
export const slugOf = (track: Track): string => track.slug;

expectType<Equal<Track["slug"], string>>();
expectType<Equal<Track["created_at"], Date>>();
expectType<Equal<IsAny<RouterOutputs>, false>>();
expectType<Equal<IsAny<Track>, false>>();
expectType<Equal<RouterInputs["mastery"]["list"]["key_type"], "topic" | "outcome" | undefined>>();

const client = createCoClient({ baseUrl: "http://127.0.0.1:8000", getToken: () => "token" });
export async function firstSlug(): Promise<string | undefined> {
  const page = await client.tracks.list.query({ subject: "coding" });
  expectType<Equal<typeof page, RouterOutputs["tracks"]["list"]>>();
  return page.items[0]?.slug;
}
export const error: Error = new TutorStreamError("SHUTDOWN", "bye", undefined);
`;

/** Each line is wrong; tsc must say so (it could not if the types were \`any\`). */
const badConsumer = `
import { createCoClient, type RouterOutputs } from "@co/client-sdk";
type Track = RouterOutputs["tracks"]["list"]["items"][number];
export const wrongSlug = (track: Track): number => track.slug;
const client = createCoClient({ baseUrl: "http://127.0.0.1:8000", getToken: () => "token" });
export const wrongInput = () => client.tracks.list.query({ subject: "cooking" });
export const noSuchProcedure = () => client.tracks.nope.query();
`;

const tsconfig = (file: string) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      // ESNext.Disposable: tRPC's own declarations name Disposable (checked here, see skipLibCheck).
      lib: ["ES2023", "DOM", "ESNext.Disposable"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      // Checks the SDK's declarations too: an import they cannot resolve is an error.
      skipLibCheck: false,
      types: [],
    },
    files: [file],
  });

async function typecheck(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [tsc, "-p", project], { cwd: consumer });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** Every file under dir, not following links (the linked third-party packages are not ours). */
function ownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return [];
    return stat.isDirectory() ? ownFiles(path) : [path];
  });
}

const importsOf = (code: string) =>
  [...code.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => (m[1] ?? m[2])!);

beforeAll(async () => {
  await run("npm", ["run", "build:sdk"], { cwd: repo });
  consumer = mkdtempSync(join(tmpdir(), "co-sdk-consumer-"));
  cpSync(dist, join(consumer, "node_modules/@co/client-sdk"), { recursive: true });
  for (const name of thirdParty) {
    mkdirSync(dirname(join(consumer, "node_modules", name)), { recursive: true });
    symlinkSync(join(repo, "node_modules", name), join(consumer, "node_modules", name), "dir");
  }
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(join(consumer, "good.ts"), goodConsumer);
  writeFileSync(join(consumer, "bad.ts"), badConsumer);
  writeFileSync(join(consumer, "tsconfig.json"), tsconfig("good.ts"));
  writeFileSync(join(consumer, "tsconfig.bad.json"), tsconfig("bad.ts"));
}, 120_000);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

describe("the built client SDK", () => {
  it("is ESM and declarations importing only third-party packages, with a manifest naming them", () => {
    const files = readdirSync(dist).sort();
    expect(files).toEqual(["index.d.ts", "index.js", "package.json"]);
    const manifest = JSON.parse(readFileSync(join(dist, "package.json"), "utf8"));
    expect(manifest).toMatchObject({ type: "module", exports: { ".": { types: "./index.d.ts", default: "./index.js" } } });
    expect(Object.keys(manifest.dependencies).sort()).toEqual(thirdParty);
    const packageOf = (s: string) => s.split("/").slice(0, s.startsWith("@") ? 2 : 1).join("/");
    for (const file of ["index.js", "index.d.ts"]) {
      const imports = importsOf(readFileSync(join(dist, file), "utf8"));
      expect(imports.length).toBeGreaterThan(0);
      expect(imports.map(packageOf).filter((p) => !thirdParty.includes(p))).toEqual([]);
    }
    expect(readFileSync(join(dist, "index.d.ts"), "utf8")).toContain("declare const appRouter");
  });

  it("type-checks a consumer outside the repository, with fully typed outputs", { timeout: 60_000 }, async () => {
    const [good, bad] = await Promise.all([typecheck("tsconfig.json"), typecheck("tsconfig.bad.json")]);
    expect(good.output).toBe("");
    expect(good.code).toBe(0);
    // The same setup rejects wrong uses: the check above is not vacuous.
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/bad\.ts\(4,\d+\): error TS2322/);
    expect(bad.output).toMatch(/bad\.ts\(6,\d+\): error TS2322.*"cooking"/);
    expect(bad.output).toMatch(/bad\.ts\(7,\d+\): error TS2339.*'nope'/);
    for (const file of ownFiles(consumer)) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toContain("@co/server");
      expect(text, file).not.toContain("@co/shared");
      expect(text, file).not.toContain(repo);
    }
  });

  it("runs there: the JS needs no server code", async () => {
    writeFileSync(
      join(consumer, "run.mjs"),
      `import { createCoClient } from "@co/client-sdk";
       const client = createCoClient({ baseUrl: "http://127.0.0.1:1", getToken: () => null });
       console.log(typeof client.tracks.list.query);`,
    );
    const { stdout } = await run(process.execPath, ["run.mjs"], { cwd: consumer });
    expect(stdout.trim()).toBe("function");
  });
});
