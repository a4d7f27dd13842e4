/**
 * The side books and the pièces: the régie holder on lines, arrêtés de caisse, subventions and
 * the lines attached to them, the coop's inventory and the lines its items come from, the
 * attachments of lines (their bytes in the database or on disk), a department's settings, and
 * one audit trail for every change of a side book.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

/** A line id, compared byte for byte on MySQL as `lines.id` is. */
const LINE_ID = 'VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const mysql = qi.sequelize.getDialect() === 'mysql';
  const lineId = async (table: string, column = 'line_id') => {
    if (mysql) await qi.sequelize.query(`ALTER TABLE \`${table}\` MODIFY \`${column}\` ${LINE_ID}`);
  };

  await qi.addColumn('lines', 'holder', { type: DataTypes.STRING(100), allowNull: true });
  await qi.addColumn('departments', 'settings', { type: DataTypes.TEXT, allowNull: true });

  await qi.createTable('cash_counts', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    date: { type: DataTypes.STRING(10), allowNull: false },
    counts: { type: DataTypes.TEXT, allowNull: false },
    total: { type: DataTypes.BIGINT, allowNull: false },
    version: { type: DataTypes.INTEGER, allowNull: false },
    updated_by: { type: DataTypes.STRING(100), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('cash_counts', ['exercise_id', 'date'], { unique: true, name: 'cash_counts_date' });

  await qi.createTable('subsidies', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    financeur: { type: DataTypes.STRING(200), allowNull: false },
    objet: { type: DataTypes.STRING(500), allowNull: false },
    chapter: { type: DataTypes.STRING(10), allowNull: false },
    granted: { type: DataTypes.BIGINT, allowNull: false },
    decision_date: { type: DataTypes.STRING(10), allowNull: true },
    actions: { type: DataTypes.TEXT, allowNull: false },
    state: { type: DataTypes.STRING(20), allowNull: false },
    justified_on: { type: DataTypes.STRING(10), allowNull: true },
    note: { type: DataTypes.TEXT, allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('subsidies', ['exercise_id'], { name: 'subsidies_exercise' });
  await qi.createTable('subsidy_lines', {
    subsidy_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: 'subsidies', key: 'id' },
    },
    line_id: { type: DataTypes.STRING(36), allowNull: false, primaryKey: true },
    /** receipt: a 7410/7420 receipt of the subsidy; use: an expense it funds. */
    role: { type: DataTypes.STRING(10), allowNull: false },
  });
  await lineId('subsidy_lines');
  await qi.addIndex('subsidy_lines', ['line_id'], { name: 'subsidy_lines_line' });

  await qi.createTable('inventory_items', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    coop_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'coops', key: 'id' } },
    designation: { type: DataTypes.STRING(300), allowNull: false },
    acquired_on: { type: DataTypes.STRING(10), allowNull: false },
    value: { type: DataTypes.BIGINT, allowNull: false },
    location: { type: DataTypes.STRING(200), allowNull: true },
    disposed_on: { type: DataTypes.STRING(10), allowNull: true },
    disposal_reason: { type: DataTypes.STRING(500), allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('inventory_items', ['coop_id'], { name: 'inventory_items_coop' });
  await qi.createTable('inventory_lines', {
    item_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: 'inventory_items', key: 'id' },
    },
    line_id: { type: DataTypes.STRING(36), allowNull: false, primaryKey: true },
  });
  await lineId('inventory_lines');
  await qi.addIndex('inventory_lines', ['line_id'], { name: 'inventory_lines_line' });

  await qi.createTable('attachments', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    line_id: { type: DataTypes.STRING(36), allowNull: false },
    name: { type: DataTypes.STRING(255), allowNull: false },
    type: { type: DataTypes.STRING(50), allowNull: false },
    size: { type: DataTypes.INTEGER, allowNull: false },
    sha256: { type: DataTypes.STRING(64), allowNull: false },
    created_by: { type: DataTypes.STRING(100), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await lineId('attachments');
  await qi.addIndex('attachments', ['line_id', 'sha256'], { unique: true, name: 'attachments_line_file' });
  await qi.addIndex('attachments', ['exercise_id'], { name: 'attachments_exercise' });
  /** The bytes of attachments kept in the database, once per content. */
  await qi.createTable('attachment_contents', {
    sha256: { type: DataTypes.STRING(64), primaryKey: true },
    bytes: { type: DataTypes.BLOB('long'), allowNull: false },
  });

  await qi.createTable('side_book_audit', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    coop_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'coops', key: 'id' } },
    exercise_id: { type: DataTypes.INTEGER, allowNull: true },
    /** caisse, subvention, inventaire, piece, coop, departement. */
    book: { type: DataTypes.STRING(20), allowNull: false },
    record_id: { type: DataTypes.STRING(64), allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    login: { type: DataTypes.STRING(100), allowNull: false },
    action: { type: DataTypes.STRING(20), allowNull: false },
    before: { type: DataTypes.TEXT, allowNull: true },
    after: { type: DataTypes.TEXT, allowNull: true },
    at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('side_book_audit', ['coop_id', 'book', 'record_id'], { name: 'side_book_audit_record' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of [
    'side_book_audit',
    'attachment_contents',
    'attachments',
    'inventory_lines',
    'inventory_items',
    'subsidy_lines',
    'subsidies',
    'cash_counts',
  ]) {
    await qi.dropTable(table);
  }
  await qi.removeColumn('departments', 'settings');
  await qi.removeColumn('lines', 'holder');
}
