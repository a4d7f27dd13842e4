/** The history of each exercise: opened, report à nouveau corrected (with a reason), closed, reopened. */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('exercise_audit', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    login: { type: DataTypes.STRING(100), allowNull: false },
    action: { type: DataTypes.STRING(20), allowNull: false },
    reason: { type: DataTypes.TEXT, allowNull: true },
    before: { type: DataTypes.TEXT, allowNull: true },
    after: { type: DataTypes.TEXT, allowNull: true },
    at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('exercise_audit', ['exercise_id'], { name: 'exercise_audit_exercise' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('exercise_audit');
}
