/**
 * Bank statements (relevés) imported per coop, their lines, and the link from a pointed cahier
 * line to the statement line that cleared it. A statement line is known by its key (the bank's
 * reference, else date, amount, label and its occurrence among identical lines): importing an
 * overlapping statement never stores a line twice.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('statements', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    coop_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'coops', key: 'id' } },
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    format: { type: DataTypes.STRING(20), allowNull: false },
    file_name: { type: DataTypes.STRING(255), allowNull: true },
    file_hash: { type: DataTypes.STRING(64), allowNull: false },
    account: { type: DataTypes.STRING(64), allowNull: true },
    period_from: { type: DataTypes.STRING(10), allowNull: true },
    period_to: { type: DataTypes.STRING(10), allowNull: true },
    opening_balance: { type: DataTypes.BIGINT, allowNull: true },
    closing_balance: { type: DataTypes.BIGINT, allowNull: true },
    lines_read: { type: DataTypes.INTEGER, allowNull: false },
    lines_new: { type: DataTypes.INTEGER, allowNull: false },
    imported_by: { type: DataTypes.STRING(100), allowNull: false },
    imported_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('statements', ['coop_id', 'period_to'], { name: 'statements_coop_period' });
  await qi.createTable('statement_lines', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    statement_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'statements', key: 'id' } },
    coop_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'coops', key: 'id' } },
    line_key: { type: DataTypes.STRING(64), allowNull: false },
    date: { type: DataTypes.STRING(10), allowNull: false },
    amount: { type: DataTypes.BIGINT, allowNull: false },
    label: { type: DataTypes.STRING(500), allowNull: false },
    cheque: { type: DataTypes.STRING(40), allowNull: true },
    bank_ref: { type: DataTypes.STRING(100), allowNull: true },
    position: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.addIndex('statement_lines', ['coop_id', 'line_key'], { unique: true, name: 'statement_lines_key' });
  await qi.addIndex('statement_lines', ['statement_id'], { name: 'statement_lines_statement' });
  await qi.addColumn('lines', 'statement_line_id', { type: DataTypes.INTEGER, allowNull: true });
  await qi.createTable('csv_mappings', {
    coop_id: { type: DataTypes.INTEGER, primaryKey: true, references: { model: 'coops', key: 'id' } },
    mapping: { type: DataTypes.TEXT, allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('csv_mappings');
  await qi.removeColumn('lines', 'statement_line_id');
  await qi.dropTable('statement_lines');
  await qi.dropTable('statements');
}
