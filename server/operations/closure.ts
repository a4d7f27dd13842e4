/**
 * The closure checks of an exercise (GET …/closure): the exercise's data read once — its lines
 * with their pointage at the statement's date, the statement (imported, or the coop's last
 * statement entered by hand), the arrêtés de caisse, the subsidies' and the inventory's books —
 * and handed to the pure checks (templates/definition/closure.ts).
 */
import { Op, type Transaction } from 'sequelize';
import {
  KINDS,
  closureCheck,
  exerciseBounds,
  exerciseLabel,
  type ClosureInput,
  type ClosureReport,
} from '../../templates/definition';
import type { Db } from '../db/connect';
import type { ExerciseRow } from '../db/models';
import { auditExercise, exerciseState, setExerciseStatus, type Actor } from './accounts';
import {
  closingDocuments,
  closingFiguresDocument,
  listArchives,
  nextClosing,
  storeArchives,
  type ArchiveJson,
} from './archives';
import { closedExercise, lockExercise, type Scope } from './changes';
import { exerciseMarker, storeSnapshots, storedBlockers } from './closure-snapshots';
import { fieldRefused, notFound, ServiceError } from './errors';
import { carriedOverLines, closedPrevious, pointedBy } from './outstanding';
import { liveLines } from './side-books/book-lines';
import { enteredStatement, pointageThresholdOf } from './side-books/coop-admin';
import { exerciseInventory } from './side-books/inventory';
import { listSubsidies } from './side-books/subsidies';

/** The day of a clock, AAAA-MM-JJ (local time: the day the treasurer sees). */
export function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The statement the closure reconciles at: of the statement imported last in the exercise and the
 * balance entered by hand in the coop's data, the later one within the exercise (the entered one
 * when both have the same day: the treasurer typed it).
 */
export function reconciledStatement<T extends { date: string }>(
  imported: T | null,
  entered: T | null,
  year: number,
): T | null {
  const { start, end } = exerciseBounds(year);
  const within = (s: T | null) => (s && s.date >= start && s.date <= end ? s : null);
  const [i, e] = [within(imported), within(entered)];
  if (i && e) return e.date > i.date ? e : i;
  return i ?? e;
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
  const entered = coop ? enteredStatement(coop) : null;
  return reconciledStatement(
    imported?.periodTo
      ? { date: imported.periodTo, balance: Number(imported.closingBalance), source: 'import' as const }
      : null,
    entered ? { ...entered, source: 'saisie' as const } : null,
    scope.exercise.year,
  );
}

/**
 * What blocks the closure of the exercise on `today`, and the closing figures; the check is kept
 * as the exercise's snapshot for the department's dashboard (closure-snapshots.ts).
 */
export async function closureOf(scope: Scope, today: string, pending = 0): Promise<ClosureReport> {
  const { report, marker } = await markedClosure(scope, today, pending);
  if (marker) {
    // A snapshot not stored is only checked again by the dashboard: the check itself stands.
    await storeSnapshots(scope.db, [{ exerciseId: scope.exercise.id, marker, blockers: storedBlockers(report) }]).catch(
      () => undefined,
    );
  }
  return report;
}

/** The check with the exercise's change marker, read before the data (see closure-snapshots.ts). */
export async function markedClosure(
  scope: Scope,
  today: string,
  pending = 0,
): Promise<{ report: ClosureReport; marker: string | null }> {
  const marker = await exerciseMarker(scope.db, scope.exercise.id);
  return { report: await closureReport(scope, today, pending), marker };
}

/** What blocks the closure of the exercise on `today`, and the closing figures (nothing stored). */
async function closureReport(scope: Scope, today: string, pending = 0): Promise<ClosureReport> {
  const { exercise } = scope;
  const statement = await statementOf(scope);
  const lines = await liveLines(scope);
  const [pointed, counts, subsidies, inventory, coop] = await Promise.all([
    pointedBy(scope, statement?.date ?? null),
    scope.db.models.CashCount.findAll({ where: { exerciseId: exercise.id } }),
    listSubsidies(scope, lines),
    exerciseInventory(scope, lines),
    scope.db.models.Coop.findByPk(exercise.coopId),
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
    pointageThreshold: coop ? pointageThresholdOf(coop, exercise.year) : undefined,
  });
}

const actorOf = (scope: Scope): Actor => ({ userId: scope.principal.userId, login: scope.principal.login });

/**
 * The next exercise takes the closing balances (banque, caisse) as its report à nouveau: opened
 * if it does not exist yet, its opening updated (with the reason in its history) otherwise.
 */
async function carryForward(
  db: Db,
  t: Transaction,
  closed: ExerciseRow,
  balances: { banque: number; caisse: number },
  actor: Actor,
): Promise<ExerciseRow> {
  const year = closed.year + 1;
  const reason = `Report à nouveau : soldes de clôture de l’exercice ${exerciseLabel(closed.year)}.`;
  const next = await db.models.Exercise.findOne({
    where: { coopId: closed.coopId, year },
    transaction: t,
    lock: t.LOCK.UPDATE,
  });
  if (!next) {
    const created = await db.models.Exercise.create(
      {
        coopId: closed.coopId,
        year,
        status: 'open',
        openingBanque: balances.banque,
        openingCaisse: balances.caisse,
        lastSeq: 0,
      },
      { transaction: t },
    );
    await auditExercise(db, t, created, actor, 'open', null, reason);
    return created;
  }
  if (next.status === 'closed') {
    throw new ServiceError(
      409,
      'exercice_clos',
      `L’exercice ${exerciseLabel(year)} est clôturé : son report à nouveau ne peut plus suivre. Rouvrez-le d’abord.`,
    );
  }
  if (Number(next.openingBanque) === balances.banque && Number(next.openingCaisse) === balances.caisse) return next;
  const before = exerciseState(next);
  await next.update({ openingBanque: balances.banque, openingCaisse: balances.caisse }, { transaction: t });
  await auditExercise(db, t, next, actor, 'opening', before, reason);
  return next;
}

export interface ClosingOutcome {
  exercise: ExerciseRow;
  next: ExerciseRow;
  closing: number;
  report: ClosureReport;
  archives: ArchiveJson[];
}

/**
 * Closes the exercise when nothing blocks (409 cloture_impossible with the errors otherwise): in
 * one transaction, the exercise locked, checked, closed (audited), its closing figures frozen in
 * the archive and the next exercise opened with the closing balances. Then the documents (the
 * CRF in every format, the version imprimable) are written from the closed exercise and
 * archived; should that fail, the closure is undone (audited) and nothing stays half-way.
 */
export async function closeExercise(scope: Scope, coop: string, today: string): Promise<ClosingOutcome> {
  const { db } = scope;
  const actor = actorOf(scope);
  const done = await db.write(async (t) => {
    const exercise = await lockExercise(db, t, scope.exercise.id, { open: false });
    if (exercise.status === 'closed') throw closedExercise(exercise.year);
    const report = await closureReport({ ...scope, exercise }, today);
    if (!report.canClose) {
      const errors = report.problems.filter((p) => p.severity === 'error');
      throw new ServiceError(
        409,
        'cloture_impossible',
        `L’exercice ${exerciseLabel(exercise.year)} ne peut pas être clôturé : ${errors.map((p) => p.message).join(' ; ')}`,
        { problems: errors },
      );
    }
    const before = exerciseState(exercise);
    await exercise.update({ status: 'closed' }, { transaction: t });
    await auditExercise(db, t, exercise, actor, 'close', before, null);
    const next = await carryForward(db, t, exercise, report.figures.balances, actor);
    const closing = await nextClosing(db, exercise.id, t);
    const frozen = { closing, date: today, closedBy: actor.login, figures: report.figures, problems: report.problems };
    await storeArchives(db, t, exercise.id, closing, actor.login, [
      closingFiguresDocument(coop, exercise.year, frozen),
    ]);
    return { exercise, next, closing, report };
  });
  try {
    const docs = await closingDocuments({ ...scope, exercise: done.exercise }, coop);
    await db.write((t) => storeArchives(db, t, done.exercise.id, done.closing, actor.login, docs));
  } catch (e) {
    await setExerciseStatus(db, done.exercise.id, 'open', {
      actor,
      reason: 'Archivage des documents de clôture impossible : clôture annulée.',
    });
    throw e;
  }
  return { ...done, archives: await listArchives({ ...scope, exercise: done.exercise }) };
}

/**
 * Reopens a closed exercise: a trésorier départemental of the coop's department or an admin
 * (403 reservee_au_tresorier for a mandataire), with a reason (422), audited. The archived
 * documents stay; closing again adds new ones and updates the next exercise's report à nouveau.
 */
export async function reopenExercise(scope: Scope, reason: string | undefined): Promise<ExerciseRow> {
  if (scope.principal.role === 'mandataire') {
    throw new ServiceError(
      403,
      'reservee_au_tresorier',
      'Seul le trésorier départemental (ou un administrateur) peut rouvrir un exercice clôturé.',
    );
  }
  const why = reason?.trim();
  if (!why) throw fieldRefused('reason', 'reason : indiquez pourquoi l’exercice clôturé est rouvert.');
  const { db } = scope;
  return db.write(async (t) => {
    const exercise = await lockExercise(db, t, scope.exercise.id, { open: false });
    if (exercise.status === 'open') return exercise;
    const before = exerciseState(exercise);
    await exercise.update({ status: 'open' }, { transaction: t });
    await auditExercise(db, t, exercise, actorOf(scope), 'reopen', before, why);
    return exercise;
  });
}

/** A bank line of last year outstanding at its closing, as the new exercise lists it. */
export interface OutstandingItem {
  id: string;
  pj: string;
  date: string;
  libelle: string;
  mode: string | null;
  cheque: string | null;
  /** depense: a cheque or payment not yet debited; recette: a receipt not yet credited. */
  direction: 'depense' | 'recette';
  amount: number;
  cleared: { on: string; by: string } | null;
}

export interface Outstanding {
  /** The previous exercise (AAAA-AAAA), when it is closed; null otherwise (nothing listed). */
  from: string | null;
  items: OutstandingItem[];
  total: { depenses: number; recettes: number; nonPointees: { depenses: number; recettes: number } };
}

/**
 * Last year's bank lines not pointed at its closing (cheques not cashed, receipts not credited):
 * never re-entered, listed in the new exercise with their clearance there, if any.
 */
export async function outstandingOf(scope: Scope): Promise<Outstanding> {
  const previous = await closedPrevious(scope);
  const empty = { depenses: 0, recettes: 0 };
  if (!previous) return { from: null, items: [], total: { ...empty, nonPointees: { ...empty } } };
  const open = await carriedOverLines(scope, previous);
  const items = open
    .map((l): OutstandingItem => {
      const bank = KINDS[l.kind].movements(l.account).find((m) => m.account === 'banque')!;
      const c = l.clearance;
      return {
        id: l.id,
        pj: l.pj,
        date: l.date,
        libelle: l.libelle,
        mode: l.mode ?? null,
        cheque: l.cheque ?? null,
        direction: bank.direction === 'depenses' ? 'depense' : 'recette',
        amount: l.amount,
        cleared: c ? { on: c.on, by: c.by } : null,
      };
    })
    .sort((a, b) => (a.date === b.date ? a.pj.localeCompare(b.pj) : a.date < b.date ? -1 : 1));
  const sum = (pred: (i: OutstandingItem) => boolean) => items.filter(pred).reduce((s, i) => s + i.amount, 0);
  return {
    from: exerciseLabel(previous.year),
    items,
    total: {
      depenses: sum((i) => i.direction === 'depense'),
      recettes: sum((i) => i.direction === 'recette'),
      nonPointees: {
        depenses: sum((i) => i.direction === 'depense' && !i.cleared),
        recettes: sum((i) => i.direction === 'recette' && !i.cleared),
      },
    },
  };
}

/** Points (or unpoints) one of last year's outstanding items in this exercise (open: 409 if closed). */
export async function pointOutstanding(
  scope: Scope,
  lineId: string,
  pointed: boolean,
  today: string,
): Promise<OutstandingItem> {
  const { db } = scope;
  const found = (await outstandingOf(scope)).items.find((i) => i.id === lineId);
  if (!found) throw notFound('Cette ligne n’est pas en suspens de l’exercice précédent.');
  await db.write(async (t) => {
    await lockExercise(db, t, scope.exercise.id);
    const { OutstandingClearance } = db.models;
    const existing = await OutstandingClearance.findByPk(lineId, { transaction: t });
    if (!pointed) {
      if (existing) await existing.destroy({ transaction: t });
      return;
    }
    if (existing) return;
    await OutstandingClearance.create(
      { lineId, exerciseId: scope.exercise.id, clearedOn: today, clearedBy: scope.principal.login, at: new Date() },
      { transaction: t },
    );
  });
  const after = (await outstandingOf(scope)).items.find((i) => i.id === lineId);
  return after ?? found;
}
