/**
 * The audit trail of the side books (arrêtés de caisse, subventions, inventaire, pièces, the
 * coop's data): every change writes who, when, before and after, in the change's transaction.
 */
import type { Transaction } from 'sequelize';
import type { Db } from '../db/connect';
import type { SideBook } from '../db/models';
import type { Principal } from './access';
import { auditJson, type AuditJson, type Scope } from './changes';
import type { ServiceError } from './errors';

export interface SideBookChange {
  coopId: number;
  exerciseId: number | null;
  book: SideBook;
  recordId: string | number;
  /** create, update, delete, attach, detach… */
  action: string;
  before: unknown;
  after: unknown;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

export async function auditSideBook(
  db: Db,
  t: Transaction,
  who: Pick<Principal, 'userId' | 'login'>,
  change: SideBookChange,
): Promise<void> {
  await db.models.SideBookAudit.create(
    {
      coopId: change.coopId,
      exerciseId: change.exerciseId,
      book: change.book,
      recordId: String(change.recordId),
      userId: who.userId,
      login: who.login,
      action: change.action,
      before: json(change.before),
      after: json(change.after),
      at: new Date(),
    },
    { transaction: t },
  );
}

/** The audit row of a change to a side book of the scope's exercise (caisse, subvention, pièce). */
export const auditExerciseBook = (
  scope: Scope,
  t: Transaction,
  change: Omit<SideBookChange, 'coopId' | 'exerciseId'>,
): Promise<void> =>
  auditSideBook(scope.db, t, scope.principal, {
    coopId: scope.exercise.coopId,
    exerciseId: scope.exercise.id,
    ...change,
  });

/**
 * The changes of one record of a side book, oldest first (a deleted record's included), in the
 * coop or in one of its exercises: 404 (`unknown`) when it has no change and does not exist.
 */
export async function sideBookHistory(
  db: Db,
  where: { coopId: number; exerciseId?: number },
  book: SideBook,
  recordId: string | number,
  unknown: () => ServiceError,
  exists: () => Promise<boolean> = async () => false,
): Promise<AuditJson[]> {
  const rows = await db.models.SideBookAudit.findAll({
    where: { ...where, book, recordId: String(recordId) },
    order: [['id', 'ASC']],
  });
  if (!rows.length && !(await exists())) throw unknown();
  return rows.map((a) => auditJson(a.get()));
}
