/**
 * The fixed-bucket schedule of §8.4 (`CO_REVIEW_SCHEDULER=buckets`): a failure puts the
 * problem in bucket 0, due after `buckets[0]` days; a pass moves it one bucket on, due
 * after that bucket's interval, or out of the queue past the last bucket.
 */

const DAY_MS = 86_400_000;

export interface BucketPlacement {
  bucket: number;
  due: Date;
}

export const afterFailure = (buckets: readonly number[], now: Date): BucketPlacement => ({
  bucket: 0,
  due: new Date(now.getTime() + buckets[0]! * DAY_MS),
});

/** The next placement of a queued problem after a pass, or null when it leaves the queue. */
export function afterPass(buckets: readonly number[], current: number, now: Date): BucketPlacement | null {
  const next = current + 1;
  if (next >= buckets.length) return null;
  return { bucket: next, due: new Date(now.getTime() + buckets[next]! * DAY_MS) };
}
