/**
 * The version of the seeded or imported content (tracks and problems). It changes whenever
 * content is written, and every instance hears of it, so caches of catalog reads can be kept
 * until then rather than for a guessed time.
 */
export interface ContentVersion {
  /** This instance's view of the version; cheap (no I/O). */
  current(): number;
  /** Records a content change and tells every instance. */
  bump(): Promise<void>;
  /** Releases the subscription, if any. */
  close(): Promise<void>;
}
