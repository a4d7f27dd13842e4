/**
 * The closure checks of an exercise (GET …/closure): the exercise's data read once — its lines
 * with their pointage at the statement's date, the statement (imported, or the coop's last
 * statement entered by hand), the arrêtés de caisse, the subsidies' and the inventory's books —
 * and handed to the pure checks (templates/definition/closure.ts).
 */
import { Op } from 'sequelize';
import { closureCheck, exerciseBounds, type ClosureInput, type ClosureReport } from '../../templates/definition';
import type { Scope } from './changes';
import { liveLines } from './side-books/book-lines';
import { coopDetail } from './side-books/coop-admin';
import { exerciseInventory } from './side-books/inventory';
import { listSubsidies } from './side-books/subsidies';

/** The day of a clock, AAAA-MM-JJ (local time: the day the treasurer sees). */
export function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The statement of 31 August or the last one of the exercise: imported, or its balance entered for the coop. */
async function statementOf(scope: Scope): Promise<ClosureInput['statement']> {
  const { start, end } = exerciseBounds(scope.exercise.year);
  const imported = await scope.db.models.Statement.findOne({
    where: {
      coopId: scope.exercise.coopId,
      closingBalance: { [Op.ne]: null },
      periodTo: { [Op.gte]: start, [Op.lte]: end },
    },
    order: [
      ['periodTo', 'DESC'],
      ['id', 'DESC'],
    ],
  });
  const coop = await scope.db.models.Coop.findByPk(scope.exercise.coopId);
  const entered = coop ? (await coopDetail(scope.db, scope.principal, coop.number)).lastStatement : null;
  const fromImport = imported?.periodTo
    ? { date: imported.periodTo, balance: Number(imported.closingBalance), source: 'import' as const }
    : null;
  const fromEntry =
    entered && entered.date >= start && entered.date <= end
      ? { date: entered.date, balance: entered.balance, source: 'saisie' as const }
      : null;
  if (fromImport && fromEntry) return fromEntry.date > fromImport.date ? fromEntry : fromImport;
  return fromImport ?? fromEntry;
}

/**
 * The lines pointed by the statement's date: a line cleared by a statement line dated after it
 * was still outstanding then (as in the état de rapprochement).
 */
async function pointedBy(scope: Scope, date: string | null): Promise<Set<string>> {
  const rows = await scope.db.models.Line.findAll({
    attributes: ['id', 'pointed', 'statementLineId'],
    where: { exerciseId: scope.exercise.id, deleted: false, pointed: true },
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

/** What blocks the closure of the exercise on `today`, and the closing figures. */
export async function closureOf(scope: Scope, today: string, pending = 0): Promise<ClosureReport> {
  const { exercise } = scope;
  const statement = await statementOf(scope);
  const [lines, pointed, counts, subsidies, inventory] = await Promise.all([
    liveLines(scope),
    pointedBy(scope, statement?.date ?? null),
    scope.db.models.CashCount.findAll({ where: { exerciseId: exercise.id } }),
    listSubsidies(scope),
    exerciseInventory(scope),
  ]);
  return closureCheck({
    year: exercise.year,
    date: today,
    opening: { banque: Number(exercise.openingBanque), caisse: Number(exercise.openingCaisse) },
    chart: scope.chart,
    lines: lines.map((l) => ({ ...l, pointed: pointed.has(l.id) })),
    statement,
    cashCounts: counts.map((c) => ({ date: c.date, total: Number(c.total) })),
    subsidies,
    inventory,
    pending,
  });
}
