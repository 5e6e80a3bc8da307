/**
 * Which statements postgres.js prepares. Drizzle asks for an unnamed statement unless a query
 * is `.prepare()`d by name, and postgres.js sends an unnamed statement that has parameters in
 * two round trips: Parse + Describe first (to learn the parameter types), then Bind + Execute,
 * and nothing else can be pipelined on the connection meanwhile. A prepared statement takes
 * that detour once per connection, then one round trip. A submission's transaction had twice
 * as many round trips as statements before this.
 *
 * So statements are prepared, as postgres.js does by default, unless they carry more than
 * PREPARE_MAX_PARAMETERS parameters: those are the variable-length `in (…)` lists, and each
 * length would be one more statement kept on every connection. Statements without parameters
 * need no Describe and stay unnamed. `CO_DB_PREPARED_STATEMENTS=false` turns preparing off
 * altogether (postgres.js's `prepare` option), for a pooler that cannot keep statements.
 */
export const PREPARE_MAX_PARAMETERS = 32;

export function preparationOf<Options extends { prepare?: boolean }>(parameters: readonly unknown[] | undefined, options: Options | undefined): Options {
  const count = parameters?.length ?? 0;
  return { ...(options as Options), prepare: options?.prepare === true || (count > 0 && count <= PREPARE_MAX_PARAMETERS) };
}
