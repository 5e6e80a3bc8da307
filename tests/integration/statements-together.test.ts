import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgErrorCode } from "../../server/src/db/database.js";
import { rowsOf } from "../../server/src/db/raw-rows.js";
import { executeTogether } from "../../server/src/db/statements-together.js";
import { createTestDatabase, type TestDatabase } from "../support/test-infra.js";

/** db/statements-together.ts on the test database (PGlite, or PostgreSQL when CO_TEST_DB_URL is set). */
let database: TestDatabase;
const values = async () => {
  const rows = await rowsOf<{ id: number; v: number }>(
    database.handle.db,
    sql`select id, v from together_a union all select id + 100, v from together_b order by id`,
  );
  return rows.map((row) => [row.id, row.v]);
};
const setA = (v: number) => sql`update together_a set v = ${v}::int where id = 1`;
const setB = (v: number) => sql`update together_b set v = ${v}::int where id = 1`;

beforeAll(async () => {
  database = await createTestDatabase({ seed: false });
  const { db } = database.handle;
  await db.execute(sql`create table together_a (id int primary key, v int not null)`);
  await db.execute(sql`create table together_b (id int primary key, v int not null check (v >= 0))`);
  await db.execute(sql`insert into together_a values (1, 0)`);
  await db.execute(sql`insert into together_b values (1, 0)`);
});
afterAll(() => database?.dispose());

describe("executeTogether", () => {
  it("applies every write of the list, skipping the absent ones, in one statement", async () => {
    await executeTogether(database.handle.db, [setA(5), undefined, setB(7)]);
    expect(await values()).toEqual([
      [1, 5],
      [101, 7],
    ]);
    await executeTogether(database.handle.db, [setA(6)]);
    await executeTogether(database.handle.db, [undefined]);
    expect(await values()).toEqual([
      [1, 6],
      [101, 7],
    ]);
  });

  it("when one write fails, none is applied and the database's error reaches the caller", async () => {
    const failure = await executeTogether(database.handle.db, [setA(9), setB(-1)]).catch((error: unknown) => error);
    expect(pgErrorCode(failure)).toBe("23514");
    expect(await values()).toEqual([
      [1, 6],
      [101, 7],
    ]);
  });

  it("inside a transaction, a failed write rolls back what the transaction wrote before it", async () => {
    const failure = await database.handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`update together_a set v = 40 where id = 1`);
        await executeTogether(tx, [setA(41), setB(-1)]);
      })
      .catch((error: unknown) => error);
    expect(pgErrorCode(failure)).toBe("23514");
    expect(await values()).toEqual([
      [1, 6],
      [101, 7],
    ]);
  });
});
