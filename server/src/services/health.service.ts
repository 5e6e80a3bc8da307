import type { Readiness } from "@co/shared";

export interface DependencyProbe {
  name: string;
  /** A failing critical dependency makes the service unavailable; others only degrade it. */
  critical: boolean;
  check(): Promise<void>;
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref())]);

export class HealthService {
  constructor(
    private readonly probes: DependencyProbe[],
    private readonly notConfigured: string[] = [],
  ) {}

  check() {
    return { status: "healthy" as const, service: "curriculum-orchestrator" as const };
  }

  async ready(): Promise<Readiness> {
    const results = await Promise.all(
      this.probes.map(async (probe) => {
        try {
          await withTimeout(probe.check(), 2000);
          return { probe, ok: true };
        } catch {
          return { probe, ok: false };
        }
      }),
    );
    const checks: Readiness["checks"] = {};
    for (const name of this.notConfigured) checks[name] = "not_configured";
    for (const { probe, ok } of results) checks[probe.name] = ok ? "ok" : "down";
    const status = results.some((r) => !r.ok && r.probe.critical)
      ? "unavailable"
      : results.some((r) => !r.ok)
        ? "degraded"
        : "ready";
    return { status, checks };
  }
}
