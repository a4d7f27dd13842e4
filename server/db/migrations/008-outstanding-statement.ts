/**
 * Last year's outstanding bank items cleared by a statement line of the new exercise (the
 * statement matching): the statement line is kept with the clearance, so it is not proposed again.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('outstanding_clearances', 'statement_line_id', {
    type: DataTypes.INTEGER,
    allowNull: true,
    defaultValue: null,
  });
  await qi.addIndex('outstanding_clearances', ['statement_line_id'], { name: 'outstanding_clearances_statement_line' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('outstanding_clearances', 'outstanding_clearances_statement_line');
  await qi.removeColumn('outstanding_clearances', 'statement_line_id');
}
