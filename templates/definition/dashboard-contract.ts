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
