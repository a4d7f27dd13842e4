/**
 * The compte rendu financier of an exercise, any day of the year (provisional until the
 * closure): gathered from storage (the lines, the latest statement and what it cleared, the side
 * books) and built by the pure `buildCrf`; as JSON, or as the cahier workbook filled with the
 * exercise (its Compte rendu sheet and the side-book sheets recompute the same figures), or as
 * the PDF to be signed and sent to the department.
 */
import {
  buildCrf,
  byDateThenPj,
  exerciseBounds,
  type Crf,
  type CrfInput,
  type IsoDate,
} from '../../templates/definition';
import { buildCahierWorkbook, type WorkbookLine } from '../../templates/workbook/build';
import { crfPdf } from '../formats/pdf/crf';
import { exerciseFor, type ExerciseScope, type Principal } from './access';
import type { Db } from '../db/connect';
import type { Scope } from './changes';
import { liveLines } from './side-books/book-lines';
import { listCashCounts } from './side-books/cash-counts';
import { exerciseInventory } from './side-books/inventory';
import { listSubsidies } from './side-books/subsidies';
import { reconciliationAt, statementAt } from './statements';

export const REPORT_FORMATS = ['json', 'xlsx', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Everything the CRF is built from, read once. */
export async function crfInput(db: Db, principal: Principal, coop: string, year: number, date?: IsoDate) {
  return (await gather(db, principal, coop, year, { date, reconcile: true })).input;
}

/**
 * What the export of the cahier workbook is built from: as `crfInput` without the état de
 * rapprochement (the workbook carries the pointage the treasurer set, not the one it computes;
 * the lines come with `pointed` false), only the last statement's date and balance (the
 * Coopérative sheet's). With the exercise read once, for the caller's own queries.
 */
export async function workbookInput(db: Db, principal: Principal, coop: string, year: number) {
  return gather(db, principal, coop, year, { reconcile: false });
}

async function gather(
  db: Db,
  principal: Principal,
  coop: string,
  year: number,
  options: { date?: IsoDate; reconcile: boolean },
): Promise<{ exercise: ExerciseScope; input: CrfInput }> {
  const s = await exerciseFor(db, principal, coop, year);
  const scope: Scope = { db, principal, exercise: s.exercise, chart: s.chart };
  const lines = await liveLines(scope);
  const [rec, cashCounts, subsidies, inventory] = await Promise.all([
    options.reconcile
      ? reconciled(scope)
      : lastStatement(scope).then((statement) => ({ statement, outstanding: null })),
    listCashCounts(scope),
    listSubsidies(scope, lines),
    exerciseInventory(scope, lines),
  ]);
  const input: CrfInput = {
    coop: { number: s.coop.number, name: s.coop.name, school: s.coop.school, department: s.coop.departmentCode },
    exercise: { year, status: s.exercise.status },
    date: options.date ?? new Date().toISOString().slice(0, 10),
    chart: s.chart,
    opening: { banque: Number(s.exercise.openingBanque), caisse: Number(s.exercise.openingCaisse) },
    lines: lines.map((l) => ({ ...l, pointed: rec.outstanding ? !rec.outstanding.has(l.id) : false })),
    statement: rec.statement,
    cashCounts,
    subsidies: subsidies.subsidies,
    inventory: inventory.items,
  };
  return { exercise: s, input };
}

/** The état de rapprochement at the exercise's end: its statement and the lines it still lists. */
async function reconciled(scope: Scope): Promise<{ statement: CrfInput['statement']; outstanding: Set<string> }> {
  const rec = await reconciliationAt(scope, null);
  return {
    statement:
      rec.statement?.date && rec.statementBalance !== null
        ? { date: rec.statement.date, balance: rec.statementBalance }
        : null,
    // A line is cleared at the exercise's end unless the état de rapprochement still lists it.
    outstanding: new Set([...rec.outstanding.payments.lines, ...rec.outstanding.receipts.lines].map((l) => l.id)),
  };
}

/** The statement `reconciliationAt` reads: the latest ending by the exercise's end, with a closing balance. */
async function lastStatement(scope: Scope): Promise<CrfInput['statement']> {
  const row = await statementAt(scope, exerciseBounds(scope.exercise.year).end);
  return row?.periodTo && row.closingBalance !== null
    ? { date: row.periodTo, balance: Number(row.closingBalance) }
    : null;
}

export async function crfJson(db: Db, principal: Principal, coop: string, year: number, date?: IsoDate): Promise<Crf> {
  return buildCrf(await crfInput(db, principal, coop, year, date));
}

/**
 * The cahier workbook of the exercise filled with its side books and, by default, its validated
 * lines (the export gives every live line, drafts marked in the Statut column).
 */
export async function crfWorkbook(
  input: CrfInput,
  lines: readonly WorkbookLine[] = input.lines
    .filter((l) => l.status !== 'draft')
    .map(({ status: _status, ...l }) => l)
    .sort(byDateThenPj),
): Promise<Buffer> {
  return buildCahierWorkbook({
    coop: {
      nom: input.coop.name,
      numero: input.coop.number,
      departement: input.coop.department,
      ...(input.coop.school ? { ecole: input.coop.school } : {}),
    },
    exercise: input.exercise.year,
    opening: input.opening,
    chart: input.chart,
    lines,
    releve: input.statement ? { date: input.statement.date, solde: input.statement.balance } : undefined,
    cashCounts: input.cashCounts,
    subsidies: input.subsidies,
    inventory: input.inventory,
  });
}

/** The document of the exercise in a format: its bytes, Content-Type and a French file name. */
export async function crfDocument(
  db: Db,
  principal: Principal,
  coop: string,
  year: number,
  format: ReportFormat,
): Promise<{ bytes: Buffer; type: string; fileName: string }> {
  const input = await crfInput(db, principal, coop, year);
  const crf = buildCrf(input);
  const fileName = `compte-rendu-${crf.coop.number}-${crf.exercise.label}.${format}`;
  if (format === 'xlsx') return { bytes: await crfWorkbook(input), type: XLSX_TYPE, fileName };
  if (format === 'pdf') return { bytes: await crfPdf(crf), type: 'application/pdf', fileName };
  return { bytes: Buffer.from(`${JSON.stringify(crf, null, 2)}\n`), type: 'application/json; charset=utf-8', fileName };
}
