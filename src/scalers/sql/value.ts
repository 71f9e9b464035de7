/**
 * What KEDA's SQL scalers do with a query result: `QueryRow(query).Scan(&float64)`. The first
 * column of the first row must convert to a float as Go's database/sql converts it; no row,
 * NULL, a boolean, a date or a string that is not a number is an error. Shared by `postgresql`
 * and `mysql`, whose drivers hand numbers over as numbers, bigints or decimal strings.
 */

/** Go strconv.ParseFloat's decimal form (no surrounding spaces, as Go does not trim them). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The first column of the first row as a number, or why it is not one. */
export function scanFloat(
  rows: readonly (readonly unknown[])[],
): { value: number } | { error: string } {
  const row = rows[0];
  if (row === undefined) return { error: 'the query returned no rows (expected one number)' };
  if (row.length === 0) return { error: 'the query returned a row without columns' };
  const v = row[0];
  if (v === null || v === undefined)
    return { error: 'the query returned NULL (expected a number; wrap it in COALESCE(..., 0))' };
  if (typeof v === 'number') return { value: v };
  if (typeof v === 'bigint') return { value: Number(v) };
  const text = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
  if (text !== undefined) {
    if (DECIMAL.test(text)) return { value: Number(text) };
    return { error: `the query returned ${JSON.stringify(truncate(text))}, not a number` };
  }
  const kind = v instanceof Date ? 'a date' : typeof v === 'boolean' ? 'a boolean' : typeof v;
  return { error: `the query returned ${kind}, not a number` };
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
