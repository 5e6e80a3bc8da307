import type { ContentVersion } from "../../ports/content-version.js";

/** One process, one counter: without Redis there is no other instance to tell. */
export class MemoryContentVersion implements ContentVersion {
  private version = 0;

  current(): number {
    return this.version;
  }

  async bump(): Promise<void> {
    this.version += 1;
  }

  async close(): Promise<void> {}
}
