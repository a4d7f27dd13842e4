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

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The ISO form of a real calendar day of a four-digit year (plain arithmetic: no Date), else null. */
export function isoDateOf(year: number, month: number, day: number): IsoDate | null {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

const build = isoDateOf;

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

/**
 * 45901 → "2025-09-01"; the fractional part (a time) is ignored. Plain arithmetic (the
 * civil-from-days algorithm, days counted from 0000-03-01): imports convert every cell.
 */
export function serialToDate(serial: number): IsoDate {
  const z = Math.floor(serial) - 25569 + 719468; // 25569: 1970-01-01; 719468: 1970-01-01 from 0000-03-01
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Adds days to an ISO date. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return serialToDate(dateToSerial(date) + days);
}
