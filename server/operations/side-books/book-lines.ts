/**
 * The one reading of an exercise's lines for the side books (arrêté de caisse, subventions,
 * inventaire, régies, actions): every live line with its status. Only validated lines count in
 * a book's figures (`isCounted`, templates/definition/side-books.ts); a book may name its
 * drafts, never count them.
 */
import type { Transaction } from 'sequelize';
import type { LiveLine } from '../../../templates/definition';
import type { Scope } from '../changes';
import { lineInputOf } from '../lines';

/** The live (not deleted) lines of the scope's exercise, with their status. */
export async function liveLines(scope: Scope, transaction?: Transaction): Promise<LiveLine[]> {
  const rows = await scope.db.models.Line.findAll({
    where: { exerciseId: scope.exercise.id, deleted: false },
    transaction,
  });
  return rows.map((r) => ({ ...lineInputOf(r), id: r.id, status: r.status }));
}
