/**
 * The one reading of an exercise's lines for the side books (arrêté de caisse, subventions,
 * inventaire, régies, actions): every live line with its status. Only validated lines count in
 * a book's figures (`isCounted`, templates/definition/side-books.ts); a book may name its
 * drafts, never count them.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { LiveLine } from '../../../templates/definition';
import type { Scope } from '../changes';
import { lineInputOf, type LineFields } from '../lines';

/**
 * The live (not deleted) lines of the scope's exercise, with their status. Read by hand, only
 * the columns needed, as plain rows: building model instances cost four times as much on a
 * 10,000-line exercise (the closure check and the compte rendu read every line).
 */
export async function liveLines(scope: Scope, transaction?: Transaction): Promise<LiveLine[]> {
  // LINES is a reserved word of MySQL: the table's name is quoted by the dialect.
  const table = scope.db.sequelize.getQueryInterface().quoteIdentifier('lines');
  const rows = await scope.db.sequelize.query<LineFields & { id: string; status: LiveLine['status'] }>(
    `SELECT id, status, pj, date, libelle, mode, cheque, action, kind, account, amount, ventilation, holder
       FROM ${table} WHERE exercise_id = $exercise AND deleted = 0`,
    { bind: { exercise: scope.exercise.id }, type: QueryTypes.SELECT, transaction },
  );
  return rows.map((r) => ({ ...lineInputOf(r), id: String(r.id), status: r.status }));
}
