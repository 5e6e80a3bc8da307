import { describe, expect, it } from "vitest";
import { FairQueue } from "../../../server/src/adapters/evaluator/local/fair-queue.js";

/** A job that runs until `finish()` is called, recording when it started. */
function gate(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    work: async () => {
      log.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const queueOf = (overrides: Partial<ConstructorParameters<typeof FairQueue>[0]> = {}) =>
  new FairQueue({ capacity: { js: 2 }, perOwner: 1, maxWaiting: 10, retryAfterSeconds: 5, ...overrides });

describe("fair admission to the sandboxes", () => {
  it("when one owner has a job running, their next waits while another owner's starts on the free sandbox", async () => {
    const queue = queueOf();
    const log: string[] = [];
    const [a1, a2, b1] = [gate(log, "a1"), gate(log, "a2"), gate(log, "b1")];
    const runs = [queue.run("js", "a", a1.work), queue.run("js", "a", a2.work), queue.run("js", "b", b1.work)];
    await tick();
    expect(log).toEqual(["a1", "b1"]);
    a1.finish();
    await tick();
    expect(log).toEqual(["a1", "b1", "a2"]);
    a2.finish();
    b1.finish();
    expect(await Promise.all(runs)).toEqual(["a1", "a2", "b1"]);
  });

  it("when a sandbox frees, the oldest waiting job that may run starts, skipping an owner at their limit", async () => {
    const queue = queueOf();
    const log: string[] = [];
    const jobs = { a1: gate(log, "a1"), b1: gate(log, "b1"), a2: gate(log, "a2"), c1: gate(log, "c1") };
    for (const [name, job] of Object.entries(jobs)) void queue.run("js", name[0], job.work);
    await tick();
    expect(log).toEqual(["a1", "b1"]);
    jobs.b1.finish();
    await tick();
    // a2 waited longer, but a1 still runs: c1 takes the free sandbox.
    expect(log).toEqual(["a1", "b1", "c1"]);
    jobs.a1.finish();
    await tick();
    expect(log).toEqual(["a1", "b1", "c1", "a2"]);
    jobs.a2.finish();
    jobs.c1.finish();
  });

  it("when the waiting room is full, the next job is refused as UNAVAILABLE with retry_after", async () => {
    const queue = queueOf({ capacity: { js: 1 }, maxWaiting: 1 });
    const log: string[] = [];
    const first = gate(log, "first");
    void queue.run("js", "a", first.work);
    void queue.run("js", "b", gate(log, "waits").work);
    await expect(queue.run("js", "c", gate(log, "refused").work)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      details: { retry_after: 5 },
    });
    expect(log).toEqual(["first"]);
    first.finish();
  });

  it("a lane with a room of its own waits there: a full room refuses only its lane, and the others' full room never refuses it", async () => {
    const queue = queueOf({ capacity: { js: 1, math: 1 }, maxWaiting: 1, rooms: { math: 2 } });
    const log: string[] = [];
    const running = [gate(log, "js"), gate(log, "math")];
    void queue.run("js", "a", running[0]!.work);
    void queue.run("math", "b", running[1]!.work);
    // The shared room (js) takes one, then is full; math waits in its own room of two.
    void queue.run("js", "c", gate(log, "js waits").work);
    await expect(queue.run("js", "d", gate(log, "js refused").work)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    void queue.run("math", "e", gate(log, "math waits 1").work);
    void queue.run("math", "f", gate(log, "math waits 2").work);
    await expect(queue.run("math", "g", gate(log, "math refused").work)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(queue.waitingCount).toBe(3);
    expect(log).toEqual(["js", "math"]);
    for (const job of running) job.finish();
  });

  it("when a waiting job is aborted, it leaves the queue with the abort reason and never runs", async () => {
    const queue = queueOf({ capacity: { js: 1 } });
    const log: string[] = [];
    const first = gate(log, "first");
    void queue.run("js", "a", first.work);
    const controller = new AbortController();
    const waiting = queue.run("js", "b", gate(log, "aborted").work, controller.signal);
    controller.abort(new Error("client went away"));
    await expect(waiting).rejects.toThrow("client went away");
    expect(queue.waitingCount).toBe(0);
    first.finish();
    await tick();
    expect(log).toEqual(["first"]);
  });

  it("when a job has no owner, only its lane's capacity limits it", async () => {
    const queue = queueOf();
    const log: string[] = [];
    const jobs = [gate(log, "x"), gate(log, "y")];
    const runs = jobs.map((job) => queue.run("js", undefined, job.work));
    await tick();
    expect(log).toEqual(["x", "y"]);
    jobs.forEach((job) => job.finish());
    await Promise.all(runs);
  });

  it("when the queue closes, waiting jobs are refused as UNAVAILABLE", async () => {
    const queue = queueOf({ capacity: { js: 1 } });
    const log: string[] = [];
    const first = gate(log, "first");
    void queue.run("js", "a", first.work);
    const waiting = queue.run("js", "b", gate(log, "waits").work);
    queue.close();
    await expect(waiting).rejects.toMatchObject({ code: "UNAVAILABLE" });
    first.finish();
  });
});
