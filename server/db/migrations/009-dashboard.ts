/**
 * The department's dashboard: the last closure check of each exercise (its blockers' codes and
 * the change marker of the data it read, so the dashboard knows whether it still holds), and the
 * indexes its aggregates over a department's exercises read (coops by department, the lines'
 * counts as an index-only scan, the side books' last change by coop, the archives by kind).
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('closure_snapshots', {
    exercise_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: 'exercises', key: 'id' },
    },
    checked_at: { type: DataTypes.DATE(3), allowNull: false },
    /** JSON array of the codes of the errors, in the order of the check, without date_trop_tot. */
    blockers: { type: DataTypes.TEXT, allowNull: false },
    /** What the exercise's data looked like when it was read (see server/operations/dashboard.ts). */
    marker: { type: DataTypes.STRING(255), allowNull: false },
  });
  await qi.addIndex('coops', ['department_code'], { name: 'coops_department' });
  await qi.addIndex(
    'lines',
    ['exercise_id', 'deleted', 'status', 'pointed', 'kind', 'account', 'amount', 'updated_at'],
    {
      name: 'lines_exercise_dashboard',
    },
  );
  await qi.addIndex('side_book_audit', ['coop_id', 'id'], { name: 'side_book_audit_coop' });
  await qi.addIndex('statements', ['coop_id', 'id'], { name: 'statements_coop' });
  await qi.addIndex('archives', ['exercise_id', 'kind'], { name: 'archives_exercise_kind' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('archives', 'archives_exercise_kind');
  await qi.removeIndex('statements', 'statements_coop');
  await qi.removeIndex('side_book_audit', 'side_book_audit_coop');
  await qi.removeIndex('lines', 'lines_exercise_dashboard');
  await qi.removeIndex('coops', 'coops_department');
  await qi.dropTable('closure_snapshots');
}
