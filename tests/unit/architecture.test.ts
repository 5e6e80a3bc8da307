import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(name) ? [path] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, "utf8").matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+["']([^"']+)["']/gms)].map((match) => ({
    typeOnly: Boolean(match[2]),
    target: match[3]!,
  }));

describe("dependency direction: shared ← server ← client-sdk", () => {
  it("shared imports no server or SDK code, except the type-only router entry", () => {
    for (const file of sourceFiles(join(ROOT, "shared/src"))) {
      for (const { target, typeOnly } of importsOf(file)) {
        if (target.startsWith("@co/server")) {
          expect(relative(ROOT, file), target).toBe("shared/src/router.ts");
          expect(typeOnly).toBe(true);
        }
        expect(target).not.toMatch(/client-sdk|\.\.\/\.\.\/server/);
      }
    }
  });

  it("server never imports the SDK, and only the composition root picks adapters", () => {
    for (const file of sourceFiles(join(ROOT, "server/src"))) {
      for (const { target } of importsOf(file)) expect(target).not.toMatch(/client-sdk/);
    }
  });

  it("the SDK imports the router only as a type", () => {
    for (const file of sourceFiles(join(ROOT, "client-sdk/src"))) {
      for (const { target, typeOnly } of importsOf(file)) {
        expect(target).not.toMatch(/@co\/server|\.\.\/server/);
        if (target.startsWith("@co/shared/router")) expect(typeOnly).toBe(true);
      }
    }
  });

  it("repositories only run statements: they never import services (rules live there)", () => {
    for (const file of sourceFiles(join(ROOT, "server/src/repositories"))) {
      for (const { target } of importsOf(file)) expect(target, relative(ROOT, file)).not.toMatch(/services\//);
    }
  });

  it("services stay framework-free and nothing but the config module reads process.env", () => {
    for (const file of sourceFiles(join(ROOT, "server/src"))) {
      const source = readFileSync(file, "utf8");
      const name = relative(ROOT, file);
      if (name.includes("/services/")) expect(source, name).not.toMatch(/from "(@trpc\/|express)/);
      if (!name.endsWith("config/config.ts")) expect(source, name).not.toMatch(/process\.env/);
    }
  });
});
