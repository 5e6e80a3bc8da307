import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { testServices } from "../support/test-infra.js";

/**
 * postgres.js 3.4.9, unpatched: when a transaction's connection closes mid-statement, the
 * transaction scope sends its ROLLBACK on that connection after closed() has set its socket
 * to null; the write is deferred to a setImmediate that then calls null.write() outside any
 * promise, an uncaught TypeError that ends the process. patches/postgres+3.4.9.patch makes
 * such a write reject with CONNECTION_CLOSED. Vitest fails a file on any uncaught error.
 */
describe.runIf(testServices.dbUrl)("when a PostgreSQL connection closes inside a transaction", () => {
  let proxy: TcpProxy;
  let sql: postgres.Sql;
  beforeAll(async () => {
    const target = new URL(testServices.dbUrl!);
    proxy = await startTcpProxy(Number(target.port || 5432));
    target.port = String(proxy.port);
    sql = postgres(target.toString(), { max: 2, onnotice: () => {}, connect_timeout: 2 });
  });
  afterAll(async () => {
    await sql.end({ timeout: 1 });
    await proxy.close();
  });

  it("the transaction rejects with a connection error, the process lives, and the pool serves again", async () => {
    await sql`select 1`;
    for (let round = 0; round < 5; round++) {
      const transaction = sql.begin(async (tx) => {
        await tx`select pg_sleep(5)`;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      proxy.cut();
      const error = await transaction.then(() => null, (caught: unknown) => caught as { code?: string });
      expect(error?.code).toMatch(/^CONNECTION_(CLOSED|ENDED|DESTROYED)$|^ECONNRESET$/);
      // Give a deferred write its turn: unpatched, this is where the process died.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [row] = await sql`select 1 as ok`;
      expect(row?.ok).toBe(1);
    }
  });
});
