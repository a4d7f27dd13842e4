/**
 * What every area that changes an exercise shares: the write scope, taking the exercise row
 * (a closed year refuses), the change cursor, the version check (conditional UPDATE), the
 * outcome of a write, multi-row inserts with bound values, and the audit trail's shape.
 */
import {
  QueryTypes,
  type ModelAttributeColumnOptions,
  type ModelStatic,
  type Model,
  type Transaction,
  type WhereOptions,
} from 'sequelize';
import { exerciseLabel, type Chart } from '../../templates/definition';
import type { Db } from '../db/connect';
import type { ExerciseRow } from '../db/models';
import type { Principal } from './access';
import { ServiceError, type ProblemCode } from './errors';

/** Who writes, in which exercise, under which chart. */
export interface Scope {
  db: Db;
  principal: Principal;
  exercise: ExerciseRow;
  chart: Chart;
}

/** The answer to one write: stored, a harmless retry, or refused with the row as it stands. */
export type WriteOutcome<R = import('../db/models').LineRow> =
  | { result: 'stored'; status: 200 | 201; row: R }
  | { result: 'unchanged'; status: 200; row: R }
  | { result: 'conflict'; status: 409 | 410 | 412 | 428; row: R | null; code: ProblemCode; message: string };

export const closedExercise = (year: number) =>
  new ServiceError(
    409,
    'exercice_clos',
    `L’exercice ${exerciseLabel(year)} est clôturé : il ne peut plus être modifié.`,
  );

/**
 * Takes the exercise row for the transaction (FOR UPDATE on MySQL; SQLite writes are queued):
 * what the transaction checks against the exercise stays true until it commits.
 */
export async function lockExercise(
  db: Db,
  t: Transaction,
  exerciseId: number,
  { open = true }: { open?: boolean } = {},
): Promise<ExerciseRow> {
  const exercise = await db.models.Exercise.findByPk(exerciseId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!exercise) throw new ServiceError(404, 'introuvable', 'Cet exercice n’existe plus.');
  if (open && exercise.status === 'closed') throw closedExercise(exercise.year);
  return exercise;
}

/**
 * The exercise's change cursor: every change gets the next number, and the exercise keeps the
 * last one given, so `?since=` readers never skip a committed change.
 */
export class ChangeCursor {
  private seq: number;
  constructor(private readonly exercise: ExerciseRow) {
    this.seq = Number(exercise.lastSeq);
  }
  next(): number {
    return ++this.seq;
  }
  get value(): number {
    return this.seq;
  }
  async save(db: Db, t: Transaction): Promise<void> {
    if (this.seq === Number(this.exercise.lastSeq)) return;
    await db.models.Exercise.update({ lastSeq: this.seq }, { where: { id: this.exercise.id }, transaction: t });
    this.exercise.lastSeq = this.seq;
  }
}

/** 428: the row exists, the request did not say which version it changes. */
export function versionRequired<R>(row: R, message: string): WriteOutcome<R> {
  return { result: 'conflict', status: 428, row, code: 'version_requise', message };
}

/** 412: the version the client holds is not the current one (or the row is gone). */
export function versionConflict<R extends { version: number }>(
  row: R | null,
  expected: number | null,
): WriteOutcome<R> {
  if (!row) {
    return {
      result: 'conflict',
      status: 412,
      row: null,
      code: 'ligne_absente',
      message: 'Cette ligne n’existe pas (ou plus) sur le service.',
    };
  }
  return {
    result: 'conflict',
    status: 412,
    row,
    code: 'version_perimee',
    message: `La ligne a été modifiée entre-temps (version ${row.version}, vous aviez la version ${expected}) : choisissez la version à garder.`,
  };
}

/**
 * The conditional UPDATE of optimistic concurrency: `… WHERE id = ? AND version = ?`, else 412
 * (`stale` says which record changed; a line by default).
 */
export async function updateAtVersion<M extends Model>(
  model: ModelStatic<M>,
  where: WhereOptions,
  version: number,
  changes: Record<string, unknown>,
  t: Transaction,
  stale = 'La ligne a été modifiée entre-temps.',
): Promise<void> {
  const [count] = await model.update(changes as never, {
    where: { ...(where as object), version } as WhereOptions,
    transaction: t,
  });
  if (count !== 1) throw new ServiceError(412, 'version_perimee', stale);
}

/** The driver's connection a SQLite transaction runs on (node-sqlite3's Database). */
interface SqliteConnection {
  run(sql: string, params: unknown[], done: (e: Error | null) => void): void;
}

/**
 * Runs a statement whose values are `?` parameters, bound by position. On SQLite the statement
 * goes to the transaction's connection directly: Sequelize would bind the values by name, and
 * SQLite looks each name up among all the statement's parameters (a 2,000-line batch took 3.2 s
 * instead of 0.1 s). On MySQL Sequelize binds them (a prepared statement).
 */
async function runBound(db: Db, t: Transaction, sql: string, values: unknown[]): Promise<void> {
  if (db.dialect === 'sqlite') {
    const connection = (t as unknown as { connection: SqliteConnection }).connection;
    await new Promise<void>((ok, ko) => connection.run(sql, values, (e) => (e ? ko(e) : ok())));
    return;
  }
  let n = 0;
  await db.sequelize.query(
    sql.replace(/\?/g, () => `$${++n}`),
    { bind: values, transaction: t, type: QueryTypes.INSERT },
  );
}

/**
 * Multi-row INSERT of plain values (column names from the model), every value bound as a
 * parameter: no model instances, no per-row hooks, and no value ever pasted into the SQL text.
 */
export async function insertRows(
  db: Db,
  t: Transaction,
  model: { getAttributes(): Record<string, ModelAttributeColumnOptions>; getTableName(): unknown },
  rows: readonly object[],
): Promise<void> {
  if (!rows.length) return;
  const attributes = Object.entries(model.getAttributes()).filter(([, a]) => !a.autoIncrement);
  const qg = db.sequelize.getQueryInterface().queryGenerator as { quoteIdentifier(name: string): string };
  const table = qg.quoteIdentifier(String(model.getTableName()));
  const columns = attributes.map(([name, a]) => qg.quoteIdentifier(a.field ?? name)).join(', ');
  // Dates in UTC with milliseconds, as Sequelize writes them on each dialect.
  const zone = db.dialect === 'sqlite' ? ' +00:00' : '';
  const value = (v: unknown): unknown => {
    if (v === undefined) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v instanceof Date) return `${v.toISOString().replace('T', ' ').replace('Z', '')}${zone}`;
    return v;
  };
  // SQLite allows 32,766 parameters a statement, MySQL 65,535: rows go in slices under both.
  const perStatement = Math.max(1, Math.floor(30_000 / attributes.length));
  const tuple = `(${attributes.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += perStatement) {
    const slice = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    for (const r of slice) for (const [name] of attributes) values.push(value((r as Record<string, unknown>)[name]));
    await runBound(db, t, `INSERT INTO ${table} (${columns}) VALUES ${slice.map(() => tuple).join(', ')}`, values);
  }
}

/** A change as the history endpoints show it: what, who, when, before, after. */
export interface AuditJson {
  action: string;
  version?: number;
  at: string;
  login: string;
  reason?: string | null;
  before: unknown;
  after: unknown;
}

export function auditJson(a: {
  action: string;
  version?: number;
  at: Date | string;
  login: string;
  reason?: string | null;
  before: string | null;
  after: string | null;
}): AuditJson {
  return {
    action: a.action,
    ...(a.version !== undefined ? { version: a.version } : {}),
    at: new Date(a.at).toISOString(),
    login: a.login,
    ...(a.reason !== undefined ? { reason: a.reason } : {}),
    before: a.before ? JSON.parse(a.before) : null,
    after: a.after ? JSON.parse(a.after) : null,
  };
}
