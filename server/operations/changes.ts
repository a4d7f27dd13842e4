/**
 * What every area that changes an exercise shares: the write scope, taking the exercise row
 * (a closed year refuses), the change cursor, the version check (conditional UPDATE), the
 * outcome of a write, multi-row inserts with bound values, and the audit trail's shape.
 */
import {
  type ModelAttributeColumnOptions,
  type ModelStatic,
  type Model,
  type Transaction,
  type WhereOptions,
} from 'sequelize';
import { exerciseLabel, type Chart } from '../../templates/definition';
import type { Db } from '../db/connect';
import type { ExerciseRow } from '../db/models';
import { boundValue, rawRun, rawSelect, type Tx } from '../db/raw';
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
  t: Tx,
  exerciseId: number,
  { open = true }: { open?: boolean } = {},
): Promise<ExerciseRow> {
  const taken = (await lockExercises(db, t, [exerciseId], { open })).get(exerciseId)!;
  if (taken instanceof ServiceError) throw taken;
  return taken;
}

const EXERCISE_COLUMNS =
  'SELECT `id`, `coop_id`, `year`, `status`, `opening_banque`, `opening_caisse`, `last_seq` FROM `exercises`';

/**
 * Takes several exercise rows at once, in the order of their ids (the same order in every
 * transaction, so that two never wait for each other in a circle): each exercise's row, or the
 * refusal its writes get (gone, or closed when `open`).
 */
export async function lockExercises(
  db: Db,
  t: Tx,
  exerciseIds: readonly number[],
  { open = true }: { open?: boolean } = {},
): Promise<Map<number, ExerciseRow | ServiceError>> {
  const ids = [...new Set(exerciseIds)].sort((a, b) => a - b);
  // Every write of an exercise asks: SQL sent to the driver, the rows built without a query.
  const rows = await rawSelect(
    db,
    t,
    `${EXERCISE_COLUMNS} WHERE \`id\` ${ids.length === 1 ? '= ?' : `IN (${ids.map(() => '?').join(', ')}) ORDER BY \`id\``}` +
      (db.dialect === 'mysql' ? ' FOR UPDATE' : ''),
    ids,
    { keep: ids.length === 1 },
  );
  const taken = new Map<number, ExerciseRow | ServiceError>();
  for (const id of ids) taken.set(id, new ServiceError(404, 'introuvable', 'Cet exercice n’existe plus.'));
  for (const row of rows) {
    const exercise = db.models.Exercise.build(
      {
        id: Number(row.id),
        coopId: Number(row.coop_id),
        year: Number(row.year),
        status: row.status as ExerciseRow['status'],
        openingBanque: Number(row.opening_banque),
        openingCaisse: Number(row.opening_caisse),
        lastSeq: Number(row.last_seq),
      },
      { isNewRecord: false, raw: true },
    );
    taken.set(exercise.id, open && exercise.status === 'closed' ? closedExercise(exercise.year) : exercise);
  }
  return taken;
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
  async save(db: Db, t: Tx): Promise<void> {
    if (this.seq === Number(this.exercise.lastSeq)) return;
    await rawRun(db, t, 'UPDATE `exercises` SET `last_seq` = ? WHERE `id` = ?', [this.seq, this.exercise.id], {
      keep: true,
    });
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

/**
 * Multi-row INSERT of plain values (column names from the model), every value bound as a
 * parameter: no model instances, no per-row hooks, and no value ever pasted into the SQL text.
 */
export async function insertRows(
  db: Db,
  t: Tx,
  model: { getAttributes(): Record<string, ModelAttributeColumnOptions>; getTableName(): unknown },
  rows: readonly object[],
): Promise<void> {
  if (!rows.length) return;
  const attributes = Object.entries(model.getAttributes()).filter(([, a]) => !a.autoIncrement);
  const qg = db.sequelize.getQueryInterface().queryGenerator as { quoteIdentifier(name: string): string };
  const table = qg.quoteIdentifier(String(model.getTableName()));
  const columns = attributes.map(([name, a]) => qg.quoteIdentifier(a.field ?? name)).join(', ');
  // SQLite allows 32,766 parameters a statement, MySQL 65,535: rows go in slices under both.
  const perStatement = Math.max(1, Math.floor(30_000 / attributes.length));
  const tuple = `(${attributes.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += perStatement) {
    const slice = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    for (const r of slice)
      for (const [name] of attributes) values.push(boundValue(db, (r as Record<string, unknown>)[name]));
    // One row: the same statement every time, prepared once; several: sent with bound values.
    await rawRun(db, t, `INSERT INTO ${table} (${columns}) VALUES ${slice.map(() => tuple).join(', ')}`, values, {
      keep: slice.length === 1,
    });
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
