/**
 * The department's dashboard (trésorier départemental): which coops can close their exercise,
 * and what needs attention. The shapes exchanged between the storage (server/operations/
 * dashboard.ts: SQL aggregates), the API (GET /api/departments/{code}/dashboard, JSON, CSV,
 * xlsx), the command line (`cahier dashboard`) and the pane's Département page; and the pure
 * pieces they share: the states, their French labels, the attention order and the CSV. Plain
 * data only: no I/O, no Node or Office import.
 */
import type { IsoDate } from './dates';
import type { Cents } from './money';

/**
 * Where a coop's exercise stands for its closure:
 * - `cloture`: closed (its compte rendu archived);
 * - `pret`: open, and nothing blocks the closure (its last check passed);
 * - `bloque`: open, something blocks the closure (the blockers' codes say what);
 * - `vide`: no line at all in the exercise (or no exercise opened): nothing entered yet.
 */
export const DASHBOARD_STATES = ['bloque', 'vide', 'pret', 'cloture'] as const;
export type DashboardState = (typeof DASHBOARD_STATES)[number];

export const DASHBOARD_STATE_LABELS: Record<DashboardState, string> = {
  bloque: 'Clôture bloquée',
  vide: 'Rien de saisi',
  pret: 'Prête à clôturer',
  cloture: 'Clôturée',
};

export interface DashboardCoop {
  /** N° of the coop (e.g. 069-0042). */
  number: string;
  name: string;
  school: string | null;
  state: DashboardState;
  /** The codes of what blocks the closure (errors of GET …/closure), French order of the check. */
  blockers: string[];
  /** Live lines of the exercise (validated and drafts). */
  lines: number;
  drafts: number;
  /** Last change of a line of the exercise (ISO date-time, UTC), null: none. */
  lastSync: string | null;
  /** Validated bank lines of the exercise not pointed (not cleared by a statement). */
  unpointedBankLines: number;
  /** The last bank statement of the exercise (imported or entered): its date and balance. */
  lastStatement: { date: IsoDate; balance: Cents } | null;
  /** The date of the last arrêté de caisse of the exercise, null: never counted. */
  lastCashCount: IsoDate | null;
  /** The compte rendu financier is archived (the exercise was closed through the service). */
  crfSent: boolean;
}

export interface DashboardTotals {
  coops: number;
  byState: Record<DashboardState, number>;
  lines: number;
  drafts: number;
  unpointedBankLines: number;
  crfSent: number;
}

export interface DashboardJson {
  department: string;
  /** The exercise shown (its starting year) and its label (2025-2026). */
  exercise: number;
  label: string;
  /** The day of the figures (the service's clock). */
  date: IsoDate;
  /** Totals over every coop of the department (whatever the filter). */
  totals: DashboardTotals;
  /** The coops shown (after the filter), sorted by what needs attention first. */
  coops: DashboardCoop[];
}

/** The order of attention: blocked first (most blockers first), then empty, ready, closed. */
export function byAttention(a: DashboardCoop, b: DashboardCoop): number {
  const rank = (c: DashboardCoop) => DASHBOARD_STATES.indexOf(c.state);
  return (
    rank(a) - rank(b) ||
    b.blockers.length - a.blockers.length ||
    b.drafts - a.drafts ||
    b.unpointedBankLines - a.unpointedBankLines ||
    (a.number < b.number ? -1 : a.number > b.number ? 1 : 0)
  );
}

/** The columns of the dashboard's table (CSV, xlsx, pane, command line), in order. */
export const DASHBOARD_COLUMNS = [
  { key: 'number', header: 'Coopérative' },
  { key: 'name', header: 'Nom' },
  { key: 'state', header: 'État' },
  { key: 'blockers', header: 'Ce qui bloque' },
  { key: 'lines', header: 'Lignes' },
  { key: 'drafts', header: 'Brouillons' },
  { key: 'lastSync', header: 'Dernière saisie' },
  { key: 'unpointedBankLines', header: 'Banque non pointée' },
  { key: 'lastStatement', header: 'Dernier relevé' },
  { key: 'lastCashCount', header: 'Dernier arrêté de caisse' },
  { key: 'crfSent', header: 'Compte rendu envoyé' },
] as const;

/**
 * The exercise a department looks at when none is asked: the one that contained the day four
 * months before `today`. From January to August, the exercise under way (its lines are being
 * entered); from September to December, the exercise that ended on 31 August (its closure and
 * its compte rendu are due by 30 September, late ones are chased until the end of the year).
 */
export function defaultDashboardExercise(today: IsoDate): number {
  let year = Number(today.slice(0, 4));
  let month = Number(today.slice(5, 7)) - 4;
  if (month < 1) {
    month += 12;
    year -= 1;
  }
  return month >= 9 ? year : year - 1;
}

/** Cents as euros with a comma and no grouping, for files read back by a spreadsheet: -1234,56. */
export function centsText(cents: Cents): string {
  const abs = Math.abs(Math.trunc(cents));
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** AAAA-MM-JJ (or an ISO date-time: its UTC day) → JJ/MM/AAAA. */
export function dayText(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** One coop's row of the table, in the order of DASHBOARD_COLUMNS: counts as numbers, the rest as text. */
export function dashboardCells(c: DashboardCoop): (string | number)[] {
  const values: Record<(typeof DASHBOARD_COLUMNS)[number]['key'], string | number> = {
    number: c.number,
    name: c.name,
    state: DASHBOARD_STATE_LABELS[c.state],
    blockers: c.blockers.join(', '),
    lines: c.lines,
    drafts: c.drafts,
    lastSync: c.lastSync ? dayText(c.lastSync) : '',
    unpointedBankLines: c.unpointedBankLines,
    lastStatement: c.lastStatement ? `${dayText(c.lastStatement.date)} : ${centsText(c.lastStatement.balance)} €` : '',
    lastCashCount: c.lastCashCount ? dayText(c.lastCashCount) : '',
    crfSent: c.crfSent ? 'oui' : 'non',
  };
  return DASHBOARD_COLUMNS.map((col) => values[col.key]);
}

/**
 * A text cell a spreadsheet would read as a formula (= + - @, tab, carriage return first) gets
 * an apostrophe in front: the file never runs what a coop typed in its name.
 */
export function inertText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * The dashboard as CSV for a French spreadsheet: UTF-8 with a byte order mark, `;` between
 * cells, CRLF between rows, the French headers, dates JJ/MM/AAAA, amounts in euros with a comma;
 * a cell holding `;`, a quote or a line break is quoted, a formula-like one made inert.
 */
export function dashboardCsv(json: DashboardJson): string {
  const cell = (v: string | number) => {
    const text = typeof v === 'number' ? String(v) : inertText(v);
    return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const rows = [DASHBOARD_COLUMNS.map((c) => c.header), ...json.coops.map(dashboardCells)];
  return `\uFEFF${rows.map((r) => r.map(cell).join(';')).join('\r\n')}\r\n`;
}

/** The file name of the dashboard's exports: tableau-de-bord-69-2025-2026.csv. */
export function dashboardFileName(json: Pick<DashboardJson, 'department' | 'label'>, ext: 'csv' | 'xlsx'): string {
  return `tableau-de-bord-${json.department.replace(/[^A-Za-z0-9]/g, '')}-${json.label}.${ext}`;
}
