/**
 * Types-only entry: the router type reaches clients through here, never server code.
 * `import type` is erased at build time, so `shared` keeps no runtime edge to `server`.
 */
export type { AppRouter } from "@co/server/router";
