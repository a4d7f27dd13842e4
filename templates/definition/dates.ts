/**
 * Dates are "YYYY-MM-DD" strings inside the product, "jj/mm/aaaa" at the edges, and serial
 * numbers (days since 1899-12-30) inside spreadsheets.
 *
 * The exercise of a cooperative runs from 1 September to 31 August; it is named by its starting
 * year (2025 = exercise 2025-2026).
 */
export type IsoDate = string;

export const EXERCISE_START = { month: 9, day: 1 } as const;
export const EXERCISE_END = { month: 8, day: 31 } as const;

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const FR_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days of a month (1-12) by arithmetic: no Date built (validation runs it for every line). */
function daysInMonth(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return MONTH_DAYS[month - 1]!;
}

function build(year: number, month: number, day: number): IsoDate | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${year.toString().padStart(4, '0')}-${month.toString().padStart(2, '0')}-${day.toString().padStart(2, '0')}`;
}

/** A real calendar date in ISO form, or false ("2025-02-30" is not). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_RE.exec(value);
  if (m === null) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(m[1]), month);
}

/** "07/05/2021" → "2021-05-07"; null when not a real date in jj/mm/aaaa. */
export function parseDateFr(text: string): IsoDate | null {
  const m = FR_RE.exec(text.trim());
  if (!m) return null;
  return build(Number(m[3]), Number(m[2]), Number(m[1]));
}

/** "2021-05-07" → "07/05/2021". */
export function formatDateFr(date: IsoDate): string {
  const m = ISO_RE.exec(date);
  if (!m) return date;
  return `${m[3]}/${m[2]}/${m[1]}`;
}

export interface ExerciseBounds {
  year: number;
  start: IsoDate;
  end: IsoDate;
}

export function exerciseBounds(year: number): ExerciseBounds {
  return { year, start: `${year}-09-01`, end: `${year + 1}-08-31` };
}

/** "2025-2026" */
export function exerciseLabel(year: number): string {
  return `${year}-${year + 1}`;
}

/** The exercise (starting year) a date belongs to. */
export function exerciseOf(date: IsoDate): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month >= EXERCISE_START.month ? year : year - 1;
}

export function isInExercise(date: IsoDate, year: number): boolean {
  const { start, end } = exerciseBounds(year);
  return date >= start && date <= end;
}

const SERIAL_EPOCH = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/** "2025-09-01" → 45901 (the spreadsheet serial of that day). */
export function dateToSerial(date: IsoDate): number {
  const m = ISO_RE.exec(date);
  if (!m) throw new Error(`date ISO attendue : ${date}`);
  return Math.round((Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - SERIAL_EPOCH) / DAY_MS);
}

/** 45901 → "2025-09-01"; the fractional part (a time) is ignored. */
export function serialToDate(serial: number): IsoDate {
  const d = new Date(SERIAL_EPOCH + Math.floor(serial) * DAY_MS);
  return d.toISOString().slice(0, 10);
}

/** Adds days to an ISO date. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return serialToDate(dateToSerial(date) + days);
}
