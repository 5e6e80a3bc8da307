import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "../..");

/**
 * Starts the CO's real entry point in a process of its own (the checkout in `dir`, this one by
 * default, so an older checkout can be measured beside this one) and resolves with its URL.
 */
export async function startCoServer(options: { env: Record<string, string>; dir?: string; nodeArgs?: string[] }): Promise<{
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}> {
  const dir = options.dir ?? REPO_ROOT;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", "server/src/main.ts"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", CO_PORT: "0", CO_LOG_LEVEL: "warn", ...options.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", () => reject(new Error(`server in ${dir} exited:\n${out}`)));
  });
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
