// Entry of a math worker thread. Plain JavaScript on purpose: a worker thread gets no
// TypeScript transform from vitest (vite-node transforms only its own process), and under
// `tsx` / `node --import tsx` it inherits tsx's hooks through execArgv. tsx's `tsImport`
// loads the TypeScript grader in every case: its hooks are namespaced to this one import,
// so they neither need nor clash with hooks the thread may have inherited.
import { tsImport } from "tsx/esm/api";

await tsImport("./math-worker.ts", import.meta.url);
