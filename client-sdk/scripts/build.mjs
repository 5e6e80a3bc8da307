// Builds the SDK into a self-contained dist/: index.js (ESM), index.d.ts (the router type
// inlined, no @co/* import) and a package.json naming only third-party dependencies.
//
// 1. tsc emits JS and declarations for the SDK and the router's modules into a cache dir.
// 2. rollup-plugin-dts bundles the SDK's declarations, following @co/* imports into that
//    tree. The router's root types name the server's request context and procedure meta
//    (InnerContext, ProcedureMeta): clients never see either (a procedure's input and
//    output do not depend on them), so their modules are replaced by opaque stand-ins
//    instead of dragging in the server's dependency graph (services, drizzle, pino, express).
// 3. Every import left in dist must be an allowed third-party package, or the build fails.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(sdkDir, "..");
const tscOut = join(repoDir, "node_modules/.cache/co-client-sdk/tsc");
const distDir = join(sdkDir, "dist");
const require = createRequire(import.meta.url);

/** Packages dist may import (JS or types); each must be a dependency in dist/package.json. */
const allowedExternals = ["@trpc/client", "@trpc/server", "superjson"];

/** Server modules the router type names, replaced by what a client may know of them. */
const standIns = {
  [join(tscOut, "server/src/trpc/context.d.ts")]: [
    "/** The server's request context: opaque to clients (no procedure's input or output depends on it). */",
    "export interface InnerContext {",
    "}",
  ].join("\n"),
  [join(tscOut, "server/src/trpc/init.d.ts")]: [
    "/** Procedure metadata (the REST mapping): the server's concern, opaque to clients. */",
    "export interface ProcedureMeta {",
    "    [key: string]: unknown;",
    "}",
  ].join("\n"),
};

/** `@co/<pkg>/<sub>` → the emitted declarations of the file the workspace package exports. */
const workspaceDeclarations = {
  name: "co-workspace-declarations",
  resolveId(source, importer) {
    if (source.startsWith(".") && importer) {
      const file = resolve(dirname(importer), source.replace(/\.js$/, ".d.ts"));
      return file in standIns ? file : null;
    }
    const match = /^@co\/([^/]+)(\/.*)?$/.exec(source);
    if (!match) return null;
    const [, pkg, sub = ""] = match;
    const pkgDir = { shared: "shared", server: "server", "client-sdk": "client-sdk" }[pkg];
    if (!pkgDir) throw new Error(`unknown workspace package ${source}`);
    const { exports } = JSON.parse(readFileSync(join(repoDir, pkgDir, "package.json"), "utf8"));
    const target = exports[`.${sub}`];
    const file = typeof target === "string" ? target : target?.types;
    if (!file) throw new Error(`${source} is not exported by ${pkgDir}/package.json`);
    return join(tscOut, pkgDir, file.replace(/\.ts$/, ".d.ts"));
  },
  load(id) {
    return standIns[id] ?? null;
  },
};

const specifiersOf = (code) =>
  [...code.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
const packageOf = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

function assertOnlyAllowedImports(file) {
  const bad = specifiersOf(readFileSync(file, "utf8")).filter((s) => !allowedExternals.includes(packageOf(s)));
  if (bad.length) throw new Error(`${file} imports ${[...new Set(bad)].join(", ")}: only ${allowedExternals.join(", ")} may stay external`);
}

rmSync(tscOut, { recursive: true, force: true });
rmSync(distDir, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(sdkDir, "tsconfig.build.json")], { stdio: "inherit" });

mkdirSync(distDir, { recursive: true });
copyFileSync(join(tscOut, "client-sdk/src/index.js"), join(distDir, "index.js"));

const bundle = await rollup({
  input: join(tscOut, "client-sdk/src/index.d.ts"),
  plugins: [workspaceDeclarations, dts()],
  onwarn(warning) {
    throw new Error(`rollup: ${warning.message}`);
  },
});
await bundle.write({ file: join(distDir, "index.d.ts"), format: "es" });
await bundle.close();

const manifest = JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8"));
writeFileSync(
  join(distDir, "package.json"),
  `${JSON.stringify(
    {
      name: manifest.name,
      version: manifest.version,
      type: "module",
      exports: { ".": { types: "./index.d.ts", default: "./index.js" } },
      types: "./index.d.ts",
      dependencies: Object.fromEntries(allowedExternals.map((name) => [name, manifest.dependencies[name]])),
    },
    null,
    2,
  )}\n`,
);

assertOnlyAllowedImports(join(distDir, "index.js"));
assertOnlyAllowedImports(join(distDir, "index.d.ts"));
rmSync(tscOut, { recursive: true, force: true });
console.log(`client-sdk: built ${distDir} (index.js, index.d.ts, package.json)`);
