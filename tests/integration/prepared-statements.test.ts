import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../server/src/db/database.js";
import { rowsOf } from "../../server/src/db/raw-rows.js";
import { createTestDatabase, testServices } from "../support/test-infra.js";

/** How many statements the one pooled connection holds prepared after a parameterised query and a transaction. */
async function preparedAfterWork(url: string, preparedStatements: boolean): Promise<number> {
  const handle = await openDatabase({ kind: "postgres", url, poolSize: 1, preparedStatements });
  try {
    const { db } = handle;
    await db.execute(sql`select count(*) from sessions where user_id = ${"someone"}`);
    await db.transaction(async (tx) => {
      await tx.execute(sql`select count(*) from mastery where user_id = ${"someone"} and key_type = ${"topic"}`);
    });
    const [row] = await rowsOf<{ prepared: number }>(db, sql`select count(*)::int as prepared from pg_prepared_statements`);
    return row!.prepared;
  } finally {
    await handle.close();
  }
}

describe.skipIf(!testServices.dbUrl)("prepared statements on PostgreSQL (CO_DB_PREPARED_STATEMENTS)", () => {
  it("by default, statements with parameters are prepared on the connection; turned off, none is", async () => {
    const database = await createTestDatabase({ seed: false });
    try {
      expect(await preparedAfterWork(database.url!, true)).toBeGreaterThanOrEqual(2);
      expect(await preparedAfterWork(database.url!, false)).toBe(0);
    } finally {
      await database.dispose();
    }
  });
});
