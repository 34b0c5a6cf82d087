/** Business days are whole days since 1970-01-01 (a calendar date, not an instant). */
const MS_PER_DAY = 86_400_000;

export function dayToIso(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function isoToDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): '${iso}'`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (dayToIso(ms / MS_PER_DAY) !== iso) throw new Error(`not a calendar date: '${iso}'`);
  return ms / MS_PER_DAY;
}
