import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { connectRedis, type RedisHandle } from "../../server/src/adapters/redis/redis-client.js";
import { RedisStreamBus } from "../../server/src/adapters/stream-bus/redis-stream-bus.js";
import { createLogger } from "../../server/src/logger.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { freePort } from "../support/throwaway-postgres.js";

const REDIS = "/usr/bin/redis-server";

/** Reads until the iterator fails; resolves with the error's app code and how long after `since` it came. */
async function failureOf(iterable: AsyncIterable<unknown>, since: () => number) {
  try {
    for await (const _event of iterable) {
      // events before the failure are irrelevant here
    }
    return { code: "ended", ms: since() };
  } catch (error) {
    return { code: (error as { code?: string }).code, ms: since() };
  }
}

describe.runIf(existsSync(REDIS))("when Redis dies or freezes under a tutor stream reader", () => {
  let server: ChildProcess | undefined;
  let handle: RedisHandle | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    handle?.client.disconnect();
    await proxy?.close();
    server?.kill("SIGKILL");
  });

  const startRedis = async () => {
    const port = await freePort();
    server = spawn(REDIS, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const probe = await connectRedis(`redis://127.0.0.1:${port}`, "t:", createLogger("silent"));
        await probe.ping();
        await probe.close();
        return port;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error("redis-server did not start");
  };

  it("a killed Redis ends the reader within a second with UNAVAILABLE", { timeout: 10_000 }, async () => {
    const port = await startRedis();
    handle = await connectRedis(`redis://127.0.0.1:${port}`, "t:", createLogger("silent"));
    const bus = new RedisStreamBus(handle, createLogger("silent"));
    await bus.append("turn", { type: "message.start", data: {} });
    const reading = failureOf(bus.read("turn", null, new AbortController().signal), () => Date.now() - killedAt);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const killedAt = Date.now();
    server!.kill("SIGKILL");
    const failure = await reading;
    expect(failure.code).toBe("UNAVAILABLE");
    expect(failure.ms).toBeLessThan(1000);
  });

  it("a frozen Redis ends the reader within one BLOCK period plus 2 s, with UNAVAILABLE", { timeout: 10_000 }, async () => {
    const port = await startRedis();
    proxy = await startTcpProxy(port);
    handle = await connectRedis(`redis://127.0.0.1:${proxy.port}`, "t:", createLogger("silent"));
    const bus = new RedisStreamBus(handle, createLogger("silent"), { blockMs: 500 });
    const reading = failureOf(bus.read("turn", null, new AbortController().signal), () => Date.now() - frozenAt);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const frozenAt = Date.now();
    proxy.stall();
    const failure = await reading;
    expect(failure.code).toBe("UNAVAILABLE");
    expect(failure.ms).toBeLessThan(500 + 2000 + 500);
    console.info(`stream-bus: frozen Redis ended the reader after ${failure.ms} ms`);
  });
});
