/** The first schema: departments, coops, exercises, users, sessions, login attempts, lines, audit. */
import { DataTypes, type QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const mysql = qi.sequelize.getDialect() === 'mysql';
  const bin = mysql ? { collate: 'utf8mb4_bin' } : {};
  const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true };
  const str = (n: number, allowNull = false) => ({ type: DataTypes.STRING(n), allowNull });

  await qi.createTable('departments', {
    code: { type: DataTypes.STRING(10), primaryKey: true },
    name: str(200),
    chart: { type: DataTypes.TEXT, allowNull: true },
  });
  await qi.createTable('coops', {
    id,
    number: { ...str(40), unique: true },
    name: str(200),
    school: str(200, true),
    department_code: { ...str(10), references: { model: 'departments', key: 'code' } },
    admin: { type: DataTypes.TEXT, allowNull: true },
  });
  await qi.createTable('exercises', {
    id,
    coop_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'coops', key: 'id' } },
    year: { type: DataTypes.INTEGER, allowNull: false },
    status: str(10),
    opening_banque: { type: DataTypes.BIGINT, allowNull: false },
    opening_caisse: { type: DataTypes.BIGINT, allowNull: false },
    last_seq: { type: DataTypes.BIGINT, allowNull: false },
  });
  await qi.addIndex('exercises', ['coop_id', 'year'], { unique: true, name: 'exercises_coop_year' });
  await qi.createTable('users', {
    id,
    login: { ...str(100), unique: true, ...bin },
    password_hash: str(300),
    role: str(20),
    coop_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'coops', key: 'id' } },
    department_code: { ...str(10, true), references: { model: 'departments', key: 'code' } },
  });
  await qi.createTable('sessions', {
    token_hash: { type: DataTypes.STRING(64), primaryKey: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' } },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    revoked_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.createTable('login_attempts', {
    key: { type: DataTypes.STRING(200), primaryKey: true, ...bin },
    failures: { type: DataTypes.INTEGER, allowNull: false },
    window_start: { type: DataTypes.DATE, allowNull: false },
    locked_until: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.createTable('lines', {
    id: { type: DataTypes.STRING(36), primaryKey: true, ...bin },
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    version: { type: DataTypes.INTEGER, allowNull: false },
    status: str(10),
    deleted: { type: DataTypes.BOOLEAN, allowNull: false },
    seq: { type: DataTypes.BIGINT, allowNull: false },
    pj: str(40),
    date: str(10),
    libelle: str(500),
    mode: str(20, true),
    cheque: str(40, true),
    action: str(100, true),
    kind: str(20),
    account: str(10),
    amount: { type: DataTypes.BIGINT, allowNull: false },
    ventilation: { type: DataTypes.TEXT, allowNull: false },
    problems: { type: DataTypes.TEXT, allowNull: false },
    pointed: { type: DataTypes.BOOLEAN, allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('lines', ['exercise_id', 'seq'], { name: 'lines_exercise_seq' });
  await qi.addIndex('lines', ['exercise_id', 'pj'], { name: 'lines_exercise_pj' });
  await qi.createTable('audit', {
    id,
    line_id: { type: DataTypes.STRING(36), allowNull: false, ...bin },
    exercise_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'exercises', key: 'id' } },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    login: str(100),
    action: str(20),
    version: { type: DataTypes.INTEGER, allowNull: false },
    before: { type: mysql ? DataTypes.TEXT('long') : DataTypes.TEXT, allowNull: true },
    after: { type: mysql ? DataTypes.TEXT('long') : DataTypes.TEXT, allowNull: true },
    at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('audit', ['line_id'], { name: 'audit_line' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const t of ['audit', 'lines', 'login_attempts', 'sessions', 'users', 'exercises', 'coops', 'departments']) {
    await qi.dropTable(t);
  }
}
