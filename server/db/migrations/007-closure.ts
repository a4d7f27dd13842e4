/**
 * The closure: the documents archived at each closing of an exercise (the closing figures, the
 * compte rendu financier in every format, the version imprimable), their bytes and sha256 in the
 * database, kept (never deleted by the service); and last year's outstanding bank items cleared
 * in the new exercise (the closed year stays read-only).
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const mysql = qi.sequelize.getDialect() === 'mysql';
  await qi.createTable('archives', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    /** 1 for the first closing, 2 after a reopening and a new closing… */
    closing: { type: DataTypes.INTEGER, allowNull: false },
    /** cloture (the frozen closing figures), crf, cahier. */
    kind: { type: DataTypes.STRING(20), allowNull: false },
    format: { type: DataTypes.STRING(10), allowNull: false },
    name: { type: DataTypes.STRING(255), allowNull: false },
    type: { type: DataTypes.STRING(100), allowNull: false },
    size: { type: DataTypes.INTEGER, allowNull: false },
    sha256: { type: DataTypes.STRING(64), allowNull: false },
    bytes: { type: DataTypes.BLOB('long'), allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    created_by: { type: DataTypes.STRING(100), allowNull: false },
  });
  await qi.addIndex('archives', ['exercise_id', 'closing'], { name: 'archives_exercise' });

  await qi.createTable('outstanding_clearances', {
    /** A line of the previous (closed) exercise. */
    line_id: { type: DataTypes.STRING(36), allowNull: false, primaryKey: true },
    /** The exercise where it was cleared. */
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    cleared_on: { type: DataTypes.STRING(10), allowNull: false },
    cleared_by: { type: DataTypes.STRING(100), allowNull: false },
    at: { type: DataTypes.DATE(3), allowNull: false },
  });
  if (mysql) {
    await qi.sequelize.query(
      'ALTER TABLE `outstanding_clearances` MODIFY `line_id` VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
    );
  }
  await qi.addIndex('outstanding_clearances', ['exercise_id'], { name: 'outstanding_clearances_exercise' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('outstanding_clearances');
  await qi.dropTable('archives');
}
