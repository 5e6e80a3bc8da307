import { spawn } from "node:child_process";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "../..");

/** The entry point as this test runner's Node starts it. */
const ENTRY_POINT = [process.execPath, "--import", "tsx", "server/src/main.ts"] as const;

/**
 * Runs the real entry point (`server/src/main.ts`, or the given command line that starts it) with
 * the given environment (nothing inherited but PATH/HOME); `matched` settles once stdout matches.
 */
export function runEntryPoint(env: Record<string, string>, untilOutput?: RegExp, commandLine: readonly string[] = ENTRY_POINT) {
  const [command, ...args] = commandLine;
  const child = spawn(command!, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const matched = untilOutput
    ? new Promise<void>((resolve, reject) => {
        const check = () => untilOutput.test(stdout) && resolve();
        child.stdout.on("data", check);
        void exited.then(() => reject(new Error(`exited before output matched:\n${stdout}\n${stderr}`)));
      })
    : Promise.resolve();
  return { child, exited, matched, output: () => ({ stdout, stderr }) };
}

/** Runs a command to its end and collects what it printed (no exception on a non-zero exit). */
export function runToEnd(command: string, args: string[], options: { env: Record<string, string>; cwd?: string; input?: string }) {
  const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(options.input ?? "");
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
