/**
 * Last year's bank lines still unpointed at its closing (cheques not cashed, receipts not
 * credited), as the new exercise sees them: never re-entered, counted in its état de
 * rapprochement and offered to its statement matching until cleared (table
 * outstanding_clearances, by hand or by a statement line; the closed year stays untouched).
 */
import { exerciseBounds, touchesBank, type LiveLine } from '../../templates/definition';
import type { ExerciseRow } from '../db/models';
import type { Scope } from './changes';
import { lineInputOf } from './lines';

/**
 * The lines pointed by a date: a line cleared by a statement line dated after it was still
 * outstanding then (as in the état de rapprochement). Without a date, every pointed line.
 */
export async function pointedBy(scope: Scope, date: string | null): Promise<Set<string>> {
  const rows = await scope.db.models.Line.findAll({
    attributes: ['id', 'pointed', 'statementLineId'],
    where: { exerciseId: scope.exercise.id, deleted: false, pointed: true },
    raw: true,
  });
  const clearing = [...new Set(rows.flatMap((r) => (r.statementLineId ? [r.statementLineId] : [])))];
  const clearedOn = new Map(
    (clearing.length && date
      ? await scope.db.models.StatementLine.findAll({ attributes: ['id', 'date'], where: { id: clearing }, raw: true })
      : []
    ).map((s) => [Number(s.id), s.date]),
  );
  const out = new Set<string>();
  for (const r of rows) {
    const cleared = r.statementLineId ? clearedOn.get(Number(r.statementLineId)) : undefined;
    if (!date || cleared === undefined || cleared <= date) out.add(r.id);
  }
  return out;
}

/** One of last year's outstanding lines, with its version and its clearance in this exercise. */
export interface CarriedOverLine extends LiveLine {
  status: 'validated';
  version: number;
  clearance: { on: string; by: string; statementLineId: number | null } | null;
}

/** The previous exercise when it is closed (null otherwise: nothing is carried over). */
export async function closedPrevious(scope: Scope): Promise<ExerciseRow | null> {
  const { db, exercise } = scope;
  const previous = await db.models.Exercise.findOne({ where: { coopId: exercise.coopId, year: exercise.year - 1 } });
  return previous && previous.status === 'closed' ? previous : null;
}

/** Last year's validated bank lines unpointed at its closing, with their clearance, if any. */
export async function carriedOverLines(scope: Scope, previous?: ExerciseRow | null): Promise<CarriedOverLine[]> {
  const last = previous === undefined ? await closedPrevious(scope) : previous;
  if (!last) return [];
  const lastScope: Scope = { ...scope, exercise: last };
  const [rows, pointed] = await Promise.all([
    scope.db.models.Line.findAll({ where: { exerciseId: last.id, deleted: false, status: 'validated' } }),
    pointedBy(lastScope, exerciseBounds(last.year).end),
  ]);
  const open = rows
    .map((r) => ({ ...lineInputOf(r), id: r.id, status: 'validated' as const, version: r.version }))
    .filter((l) => touchesBank(l) && !pointed.has(l.id));
  const clearances = open.length
    ? await scope.db.models.OutstandingClearance.findAll({ where: { lineId: open.map((l) => l.id) } })
    : [];
  const byLine = new Map(clearances.map((c) => [c.lineId, c]));
  return open.map((l) => {
    const c = byLine.get(l.id);
    return {
      ...l,
      clearance: c
        ? {
            on: c.clearedOn,
            by: c.clearedBy,
            statementLineId: c.statementLineId == null ? null : Number(c.statementLineId),
          }
        : null,
    };
  });
}
