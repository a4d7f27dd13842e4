/**
 * The audit trail of the side books (arrêtés de caisse, subventions, inventaire, pièces, the
 * coop's data): every change writes who, when, before and after, in the change's transaction.
 */
import type { Transaction } from 'sequelize';
import type { Db } from '../db/connect';
import type { SideBook } from '../db/models';
import type { Principal } from './access';
import { auditJson, type AuditJson } from './changes';

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

/** The changes of one record of a side book, oldest first. */
export async function sideBookHistory(
  db: Db,
  coopId: number,
  book: SideBook,
  recordId: string | number,
): Promise<AuditJson[]> {
  const rows = await db.models.SideBookAudit.findAll({
    where: { coopId, book, recordId: String(recordId) },
    order: [['id', 'ASC']],
  });
  return rows.map((a) => auditJson(a.get()));
}
