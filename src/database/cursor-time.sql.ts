// A row's timestamp as a keyset cursor holds it: UTC with all six fractional digits. A cursor cut
// to milliseconds (Date#toISOString) would skip the rows of the same millisecond that sort after
// the page's last row: `(created_at, id) < (cut, id)` is false for them.
export function cursorTimeSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
