/**
 * The arrêtés de caisse of an exercise: one count of notes and coins per date, stored with its
 * version, compared at read time with the caisse balance of the cahier (validated lines), every
 * change audited (book `caisse`, record: the date). The rules are pure (templates/definition/caisse.ts).
 */
import type { Transaction } from 'sequelize';
import {
  caisseBalanceOn,
  caisseProblems,
  cashCountFigures,
  exerciseBounds,
  exerciseLabel,
  formatDateFr,
  isInExercise,
  isIsoDate,
  validateCashCount,
  type BookProblem,
  type CashCountJson,
  type CashCounts,
  type LiveLine,
} from '../../../templates/definition';
import type { Models } from '../../db/models';
import { lockExercise, type AuditJson, type Scope } from '../changes';
import { ServiceError, invalidFields, notFound } from '../errors';
import { auditExerciseBook, sideBookHistory } from '../side-book-audit';
import { liveLines } from './book-lines';
import { staleVersion } from './versions';

type CashCountRow = InstanceType<Models['CashCount']>;

/** The date of a count: a real day of the exercise (422 naming `date` otherwise). */
function checkDate(scope: Scope, date: string): void {
  const { year } = scope.exercise;
  if (!isIsoDate(date)) {
    throw invalidFields('La requête', [
      { field: 'date', message: `date : « ${date} » n’est pas une date réelle (AAAA-MM-JJ)` },
    ]);
  }
  if (!isInExercise(date, year)) {
    const { start, end } = exerciseBounds(year);
    throw invalidFields('La requête', [
      {
        field: 'date',
        message: `date : le ${formatDateFr(date)} n’est pas dans l’exercice ${exerciseLabel(year)} (du ${formatDateFr(start)} au ${formatDateFr(end)})`,
      },
    ]);
  }
}

const noCount = (date: string) => notFound(`Aucun arrêté de caisse au ${formatDateFr(date)}.`);

function countJson(row: CashCountRow, lines: readonly LiveLine[], openingCaisse: number): CashCountJson {
  const f = cashCountFigures(Number(row.total), caisseBalanceOn(lines, openingCaisse, row.date));
  return {
    date: row.date,
    counts: JSON.parse(row.counts) as CashCounts,
    ...f,
    version: row.version,
    updatedBy: row.updatedBy,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** What the audit trail keeps of a count: the count and how it compared with the cahier then. */
const snapshot = (c: CashCountJson) => ({
  date: c.date,
  counts: c.counts,
  total: c.total,
  balance: c.balance,
  gap: c.gap,
  version: c.version,
});

/** 412: the count changed (or went) since the client read it; the current one is joined. */
function staleCount(date: string, current: CashCountJson | null, expected: number): ServiceError {
  if (!current) {
    return new ServiceError(
      412,
      'arrete_absent',
      `L’arrêté de caisse du ${formatDateFr(date)} n’existe pas (ou plus) : il a été supprimé entre-temps. Renvoyez-le sans If-Match pour le recréer.`,
      { current: null },
    );
  }
  const name = { the: `L’arrêté de caisse du ${formatDateFr(date)}`, of: 'de l’arrêté de caisse', feminine: false };
  return staleVersion(name, current, expected);
}

const countRow = (scope: Scope, date: string, transaction?: Transaction) =>
  scope.db.models.CashCount.findOne({ where: { exerciseId: scope.exercise.id, date }, transaction });

export interface CashCountOutcome {
  status: 200 | 201;
  count: CashCountJson;
}

/**
 * Creates or replaces the count of a date. With If-Match, the count must be at that version
 * (412 otherwise, the current one joined); the same counts again change nothing (200).
 */
export async function putCashCount(
  scope: Scope,
  date: string,
  body: { counts?: unknown },
  ifMatch: number | null,
): Promise<CashCountOutcome> {
  checkDate(scope, date);
  const checked = validateCashCount(body.counts);
  if (!checked.ok) throw invalidFields('La requête', checked.errors);
  const { db, principal } = scope;
  const opening = Number(scope.exercise.openingCaisse);
  return db.write(async (t) => {
    await lockExercise(db, t, scope.exercise.id);
    const lines = await liveLines(scope, t);
    const row = await countRow(scope, date, t);
    const before = row ? countJson(row, lines, opening) : null;
    if (ifMatch !== null && (!before || before.version !== ifMatch)) throw staleCount(date, before, ifMatch);
    const counts = JSON.stringify(checked.counts);
    if (row && before && row.counts === counts) return { status: 200, count: before };

    const now = new Date();
    const values = { counts, total: checked.total, updatedBy: principal.login, updatedAt: now };
    let stored: CashCountRow;
    if (!row) {
      stored = await db.models.CashCount.create(
        { exerciseId: scope.exercise.id, date, version: 1, ...values },
        { transaction: t },
      );
    } else {
      const [changed] = await db.models.CashCount.update(
        { ...values, version: row.version + 1 },
        { where: { id: row.id, version: row.version }, transaction: t },
      );
      if (changed !== 1) throw staleCount(date, before, row.version);
      stored = row.set({ ...values, version: row.version + 1 });
    }
    const after = countJson(stored, lines, opening);
    await auditExerciseBook(scope, t, {
      book: 'caisse',
      recordId: date,
      action: row ? 'update' : 'create',
      before: before && snapshot(before),
      after: snapshot(after),
    });
    return { status: row ? 200 : 201, count: after };
  });
}

/** The counts of the exercise, newest first, against the current lines. */
export async function listCashCounts(scope: Scope): Promise<CashCountJson[]> {
  const rows = await scope.db.models.CashCount.findAll({
    where: { exerciseId: scope.exercise.id },
    order: [['date', 'DESC']],
  });
  if (!rows.length) return [];
  const lines = await liveLines(scope);
  return rows.map((r) => countJson(r, lines, Number(scope.exercise.openingCaisse)));
}

export async function getCashCount(scope: Scope, date: string): Promise<CashCountJson> {
  const row = await countRow(scope, date);
  if (!row) throw noCount(date);
  return countJson(row, await liveLines(scope), Number(scope.exercise.openingCaisse));
}

/** Deletes the count of a date (If-Match optional: when given, it must be the current version). */
export async function deleteCashCount(scope: Scope, date: string, ifMatch: number | null): Promise<void> {
  const { db } = scope;
  await db.write(async (t) => {
    await lockExercise(db, t, scope.exercise.id);
    const row = await countRow(scope, date, t);
    if (!row) {
      if (ifMatch !== null) throw staleCount(date, null, ifMatch);
      throw noCount(date);
    }
    const before = countJson(row, await liveLines(scope, t), Number(scope.exercise.openingCaisse));
    if (ifMatch !== null && before.version !== ifMatch) throw staleCount(date, before, ifMatch);
    await db.models.CashCount.destroy({ where: { id: row.id }, transaction: t });
    await auditExerciseBook(scope, t, {
      book: 'caisse',
      recordId: date,
      action: 'delete',
      before: snapshot(before),
      after: null,
    });
  });
}

/** Who changed the count of a date, when, before and after (deleted counts included). */
export function cashCountHistory(scope: Scope, date: string): Promise<AuditJson[]> {
  const { coopId, id: exerciseId } = scope.exercise;
  return sideBookHistory(scope.db, { coopId, exerciseId }, 'caisse', date, () =>
    notFound(`Aucun arrêté de caisse n’a été saisi au ${formatDateFr(date)}.`),
  );
}

/** What the closure checks about the caisse (counted at the end of the exercise, no gap). */
export async function caisseCheck(scope: Scope): Promise<BookProblem[]> {
  const rows = await scope.db.models.CashCount.findAll({ where: { exerciseId: scope.exercise.id } });
  return caisseProblems({
    year: scope.exercise.year,
    openingCaisse: Number(scope.exercise.openingCaisse),
    lines: await liveLines(scope),
    counts: rows.map((r) => ({ date: r.date, total: Number(r.total) })),
  });
}
