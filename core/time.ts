// Timestamps are stored as MySQL DATETIME in UTC (second precision) and read as strings (mysql2 dateStrings),
// so no Date object is made on the read path. On the wire they are ISO 8601 in UTC: 2026-11-25T16:46:13Z.

/** "2026-11-25 16:46:13" → "2026-11-25T16:46:13Z" */
export function sqlToIso(sqlDateTime: string): string {
  return `${sqlDateTime.slice(0, 10)}T${sqlDateTime.slice(11, 19)}Z`;
}

/** Date → "2026-11-25 16:46:13" (UTC) for a DATETIME column. */
export function toSqlDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function nowSql(): string {
  return toSqlDateTime(new Date());
}
