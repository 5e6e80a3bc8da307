/** Mean log loss of probability predictions of binary outcomes (clipped away from 0 and 1). */
export function logLoss(events: { p: number; y: 0 | 1 }[]): number {
  const eps = 1e-6;
  let total = 0;
  for (const { p, y } of events) {
    const q = Math.min(1 - eps, Math.max(eps, p));
    total += y ? -Math.log(q) : -Math.log(1 - q);
  }
  return total / events.length;
}

/** Area under the ROC curve (Mann–Whitney, ties counted half). */
export function auc(events: { p: number; y: 0 | 1 }[]): number {
  const sorted = [...events].sort((a, b) => a.p - b.p);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.p === sorted[i]!.p) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.y) (rankSum += rank), positives++;
    i = j;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Fits one recall rate per group on the events themselves (in-sample) and predicts with it. */
export function perGroupRates<T extends { group: string; y: 0 | 1 }>(events: T[]): (T & { p: number })[] {
  const totals = new Map<string, { n: number; passed: number }>();
  for (const event of events) {
    const total = totals.get(event.group) ?? { n: 0, passed: 0 };
    total.n++;
    total.passed += event.y;
    totals.set(event.group, total);
  }
  return events.map((event) => ({ ...event, p: totals.get(event.group)!.passed / totals.get(event.group)!.n }));
}

/** The q-quantile (nearest rank) of values where Infinity stands for "never"; null when it lands on never. */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  return Number.isFinite(value) ? value : null;
}
