/**
 * The lines table as the write path reads and changes it, in SQL sent to the driver (see
 * server/db/raw.ts): the rows of a group of requests, the PJ numbers in use, the conditional
 * UPDATE of optimistic concurrency, and whether a line was made by duplicating.
 */
import type { Db } from '../db/connect';
import type { LineRow } from '../db/models';
import { boundValue, rawDate, rawRun, rawSelect, type RawRow, type Tx } from '../db/raw';
import { ServiceError } from './errors';

/** Model attribute → column of the lines table. */
const COLUMNS = {
  id: 'id',
  exerciseId: 'exercise_id',
  version: 'version',
  status: 'status',
  deleted: 'deleted',
  seq: 'seq',
  pj: 'pj',
  date: 'date',
  libelle: 'libelle',
  mode: 'mode',
  cheque: 'cheque',
  action: 'action',
  kind: 'kind',
  account: 'account',
  amount: 'amount',
  ventilation: 'ventilation',
  problems: 'problems',
  pointed: 'pointed',
  statementLineId: 'statement_line_id',
  holder: 'holder',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Record<string, string>;

type Attribute = keyof typeof COLUMNS;

const SELECT = `SELECT ${Object.values(COLUMNS)
  .map((c) => `\`${c}\``)
  .join(', ')} FROM \`lines\``;

/** A row as the driver gives it → the line's attributes (booleans, numbers, dates as the models have them). */
export function lineRowOf(r: RawRow): LineRow {
  return {
    id: String(r.id),
    exerciseId: Number(r.exercise_id),
    version: Number(r.version),
    status: r.status as LineRow['status'],
    deleted: Boolean(Number(r.deleted)),
    seq: Number(r.seq),
    pj: String(r.pj),
    date: String(r.date),
    libelle: String(r.libelle),
    mode: (r.mode as string | null) ?? null,
    cheque: (r.cheque as string | null) ?? null,
    action: (r.action as string | null) ?? null,
    kind: String(r.kind),
    account: String(r.account),
    amount: Number(r.amount),
    ventilation: String(r.ventilation),
    problems: String(r.problems),
    pointed: Boolean(Number(r.pointed)),
    statementLineId:
      r.statement_line_id === null || r.statement_line_id === undefined ? null : Number(r.statement_line_id),
    holder: (r.holder as string | null) ?? null,
    createdAt: rawDate(r.created_at),
    updatedAt: rawDate(r.updated_at),
  } as LineRow;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The lines with these ids, whatever their exercise. */
export async function linesById(db: Db, t: Tx, ids: readonly string[]): Promise<LineRow[]> {
  if (!ids.length) return [];
  const one = ids.length === 1;
  const rows = await rawSelect(db, t, `${SELECT} WHERE \`id\` ${one ? '= ?' : `IN (${marks(ids.length)})`}`, [...ids], {
    keep: one,
  });
  return rows.map(lineRowOf);
}

/** Ids and PJ numbers of the live lines of an exercise (only those with these PJ numbers when given). */
export async function livePjs(
  db: Db,
  t: Tx,
  exerciseId: number,
  pjs: readonly string[] | null,
): Promise<{ id: string; pj: string }[]> {
  const only = pjs === null ? '' : pjs.length === 1 ? ' AND `pj` = ?' : ` AND \`pj\` IN (${marks(pjs.length)})`;
  const rows = await rawSelect(
    db,
    t,
    `SELECT \`id\`, \`pj\` FROM \`lines\` WHERE \`exercise_id\` = ? AND \`deleted\` = 0${only}`,
    [exerciseId, ...(pjs ?? [])],
    { keep: pjs === null || pjs.length === 1 },
  );
  return rows.map((r) => ({ id: String(r.id), pj: String(r.pj) }));
}

/** Ids, exercises and PJ numbers of the live lines of several exercises that hold one of these PJ numbers. */
export async function livePjsOf(
  db: Db,
  t: Tx,
  exerciseIds: readonly number[],
  pjs: readonly string[],
): Promise<{ id: string; exerciseId: number; pj: string }[]> {
  if (!exerciseIds.length || !pjs.length) return [];
  const rows = await rawSelect(
    db,
    t,
    `SELECT \`id\`, \`exercise_id\`, \`pj\` FROM \`lines\` WHERE \`exercise_id\` IN (${marks(exerciseIds.length)}) AND \`deleted\` = 0 AND \`pj\` IN (${marks(pjs.length)})`,
    [...exerciseIds, ...pjs],
  );
  return rows.map((r) => ({ id: String(r.id), exerciseId: Number(r.exercise_id), pj: String(r.pj) }));
}

/** True when the audit trail shows the line was made by duplicating another. */
export async function madeByDuplicating(db: Db, t: Tx, id: string): Promise<boolean> {
  const rows = await rawSelect(
    db,
    t,
    "SELECT 1 AS `found` FROM `audit` WHERE `line_id` = ? AND `action` = 'duplicate' LIMIT 1",
    [id],
    { keep: true },
  );
  return rows.length > 0;
}

/**
 * The conditional UPDATE of optimistic concurrency on a line: `… WHERE id = ? AND version = ?`,
 * else 412.
 */
export async function updateLineAtVersion(
  db: Db,
  t: Tx,
  id: string,
  version: number,
  changes: Partial<Record<Attribute, unknown>>,
): Promise<void> {
  const names = (Object.keys(changes) as Attribute[]).filter((k) => COLUMNS[k] !== undefined).sort();
  const sql = `UPDATE \`lines\` SET ${names.map((k) => `\`${COLUMNS[k]}\` = ?`).join(', ')} WHERE \`id\` = ? AND \`version\` = ?`;
  const values = [...names.map((k) => boundValue(db, changes[k])), id, version];
  const count = await rawRun(db, t, sql, values, { keep: true });
  if (count !== 1) throw new ServiceError(412, 'version_perimee', 'La ligne a été modifiée entre-temps.');
}
