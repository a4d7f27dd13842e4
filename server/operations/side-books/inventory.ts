/**
 * The cahier d'inventaire of a coop, kept across exercises: its items (optimistic versions),
 * the 6800 lines each comes from (any exercise of the coop), and the check of one exercise
 * (its validated 6800 lines with no item: a draft counts once validated). The rules are pure
 * (templates/definition/inventaire.ts).
 *
 * What an item says about a closed exercise stays as the closure saw it: an item acquired,
 * disposed of or paid during a closed exercise keeps those facts (409); its location may change.
 * Every write is audited, before and after, in its transaction.
 */
import type { Transaction } from 'sequelize';
import {
  checkInventoryLines,
  exerciseLabel,
  exerciseOf,
  inventoryBook,
  inventoryCheck,
  inventoryItemJson,
  normalizeInventoryItem,
  validateInventoryItem,
  type BookFieldError,
  type Chart,
  type InventoryBookLine,
  type InventoryCheckJson,
  type InventoryItemInput,
  type InventoryItemJson,
  type InventoryJson,
  type InventoryRecord,
  type LiveLine,
} from '../../../templates/definition';
import type { Db } from '../../db/connect';
import type { CoopRow, Models } from '../../db/models';
import type { Principal } from '../access';
import { updateAtVersion, type AuditJson, type Scope } from '../changes';
import { ServiceError, invalidFields, notFound } from '../errors';
import { lineInputOf } from '../lines';
import { auditSideBook, sideBookHistory } from '../side-book-audit';
import { liveLines } from './book-lines';
import { requireVersion, type RecordName } from './versions';

/** Who reads or writes the inventory of which coop, under which chart. */
export interface CoopScope {
  db: Db;
  principal: Principal;
  coop: CoopRow;
  chart: Chart;
}

type ItemRow = InstanceType<Models['InventoryItem']>;

const ITEM: RecordName = { the: 'Le bien', of: 'du bien', feminine: false };

interface ExerciseInfo {
  id: number;
  year: number;
  status: 'open' | 'closed';
}

async function exercisesOf(db: Db, coopId: number, t?: Transaction): Promise<Map<number, ExerciseInfo>> {
  const rows = await db.models.Exercise.findAll({ where: { coopId }, transaction: t });
  return new Map(rows.map((e) => [e.id, { id: e.id, year: e.year, status: e.status }]));
}

/** The coop's lines among these ids (deleted ones marked), with their exercise. */
async function coopLines(
  db: Db,
  exercises: ReadonlyMap<number, ExerciseInfo>,
  ids: readonly string[],
  t?: Transaction,
): Promise<Map<string, InventoryBookLine>> {
  const found = new Map<string, InventoryBookLine>();
  const wanted = [...new Set(ids)];
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await db.models.Line.findAll({ where: { id: wanted.slice(i, i + 500) }, transaction: t });
    for (const r of rows) {
      const exercise = exercises.get(r.exerciseId);
      if (!exercise) continue; // another coop's line: as if it did not exist
      found.set(r.id, { id: r.id, ...lineInputOf(r), exercise: exercise.year, deleted: Boolean(r.deleted) });
    }
  }
  return found;
}

async function records(db: Db, coopId: number, t?: Transaction, only?: number): Promise<InventoryRecord[]> {
  const rows = await db.models.InventoryItem.findAll({
    where: only === undefined ? { coopId } : { coopId, id: only },
    transaction: t,
  });
  if (!rows.length) return [];
  const links = await db.models.InventoryLine.findAll({
    where: { itemId: rows.map((r) => r.id) },
    transaction: t,
  });
  const byItem = new Map<number, string[]>();
  for (const l of links) byItem.set(l.itemId, [...(byItem.get(l.itemId) ?? []), l.lineId]);
  return rows.map((row) => recordOf(row, (byItem.get(row.id) ?? []).sort()));
}

function recordOf(row: ItemRow, lines: string[]): InventoryRecord {
  return {
    id: row.id,
    version: row.version,
    designation: row.designation,
    acquiredOn: row.acquiredOn,
    value: Number(row.value),
    lines,
    location: row.location ?? null,
    disposedOn: row.disposedOn ?? null,
    disposalReason: row.disposalReason ?? null,
  };
}

const unknownItem = (scope: CoopScope, id: number) =>
  notFound(`Le bien n° ${id} est introuvable dans l’inventaire de la coopérative ${scope.coop.number}.`);

async function findRecord(scope: CoopScope, id: number, t?: Transaction): Promise<InventoryRecord> {
  const [record] = await records(scope.db, scope.coop.id, t, id);
  if (!record) throw unknownItem(scope, id);
  return record;
}

async function itemJson(scope: CoopScope, record: InventoryRecord, t?: Transaction): Promise<InventoryItemJson> {
  const lines = await coopLines(scope.db, await exercisesOf(scope.db, scope.coop.id, t), record.lines, t);
  return inventoryItemJson(record, lines, scope.chart);
}

/** The coop's whole inventory, disposed items included. */
export async function listInventory(scope: CoopScope): Promise<InventoryJson> {
  const items = await records(scope.db, scope.coop.id);
  const lines = await coopLines(
    scope.db,
    await exercisesOf(scope.db, scope.coop.id),
    items.flatMap((i) => i.lines),
  );
  return inventoryBook(items, lines, scope.chart);
}

export async function getInventoryItem(scope: CoopScope, id: number): Promise<InventoryItemJson> {
  return itemJson(scope, await findRecord(scope, id));
}

/** The inventory as an exercise sees it: items held, its validated 6800 lines with no item, totals, problems. */
/** The exercise's inventory check; `read`: the exercise's lines when the caller has them already. */
export async function exerciseInventory(scope: Scope, read?: readonly LiveLine[]): Promise<InventoryCheckJson> {
  const { db, exercise } = scope;
  const items = await records(db, exercise.coopId);
  const exercises = await exercisesOf(db, exercise.coopId);
  const lines = read ?? (await liveLines(scope));
  const itemLines = await coopLines(
    db,
    exercises,
    items.flatMap((i) => i.lines),
  );
  return inventoryCheck(exercise.year, items, lines, itemLines, scope.chart);
}

/** The record's fields checked (422 with every field refused), lines included. */
async function checked(
  scope: CoopScope,
  input: InventoryItemInput,
  exercises: ReadonlyMap<number, ExerciseInfo>,
  t: Transaction,
): Promise<{ record: InventoryItemInput; lines: Map<string, InventoryBookLine> }> {
  const errors: BookFieldError[] = validateInventoryItem(input);
  const lines = await coopLines(scope.db, exercises, input.lines, t);
  if (!errors.some((e) => e.field.startsWith('lines')))
    errors.push(...checkInventoryLines(input.lines, lines, scope.chart));
  if (errors.length) throw invalidFields('Le bien', errors);
  const record = normalizeInventoryItem(input);
  return { record: { ...record, lines: [...new Set(record.lines)].sort() }, lines };
}

/**
 * The exercises a change of an item touches: those of its acquisition and of its lines when
 * these change, those of its disposal when it changes. A closed one refuses (409); the others
 * are taken for the transaction, so none closes meanwhile.
 */
async function guardClosed(
  scope: CoopScope,
  t: Transaction,
  exercises: ReadonlyMap<number, ExerciseInfo>,
  before: InventoryItemInput | null,
  after: InventoryItemInput | null,
  lines: ReadonlyMap<string, InventoryBookLine>,
): Promise<void> {
  const years = new Set<number>();
  const facts = (r: InventoryItemInput | null) =>
    r ? JSON.stringify([r.designation, r.acquiredOn, r.value, [...r.lines].sort()]) : null;
  const disposal = (r: InventoryItemInput | null) => (r ? JSON.stringify([r.disposedOn, r.disposalReason]) : null);
  for (const r of [before, after]) {
    if (!r) continue;
    if (facts(before) !== facts(after)) {
      years.add(exerciseOf(r.acquiredOn));
      for (const id of r.lines) {
        const line = lines.get(id);
        if (line) years.add(line.exercise);
      }
    }
    if (disposal(before) !== disposal(after) && r.disposedOn) years.add(exerciseOf(r.disposedOn));
  }
  const touched = [...exercises.values()].filter((e) => years.has(e.year)).sort((a, b) => a.id - b.id);
  for (const e of touched) {
    const row = await scope.db.models.Exercise.findByPk(e.id, { transaction: t, lock: t.LOCK.UPDATE });
    if (row?.status === 'closed') {
      throw new ServiceError(
        409,
        'exercice_clos',
        `L’exercice ${exerciseLabel(row.year)} est clôturé : ce que l’inventaire en dit (biens acquis, sortis ou payés pendant cet exercice) ne peut plus changer ; l’emplacement d’un bien reste modifiable.`,
      );
    }
  }
}

const audit = (scope: CoopScope, t: Transaction, recordId: number, action: string, before: unknown, after: unknown) =>
  auditSideBook(scope.db, t, scope.principal, {
    coopId: scope.coop.id,
    exerciseId: null,
    book: 'inventaire',
    recordId,
    action,
    before,
    after,
  });

const stored = (r: InventoryItemInput) => ({
  designation: r.designation,
  acquiredOn: r.acquiredOn,
  value: r.value,
  location: r.location,
  disposedOn: r.disposedOn,
  disposalReason: r.disposalReason,
});

async function setLines(db: Db, t: Transaction, itemId: number, lines: readonly string[]): Promise<void> {
  await db.models.InventoryLine.destroy({ where: { itemId }, transaction: t });
  if (lines.length) {
    await db.models.InventoryLine.bulkCreate(
      lines.map((lineId) => ({ itemId, lineId })),
      { transaction: t },
    );
  }
}

export async function createInventoryItem(scope: CoopScope, input: InventoryItemInput): Promise<InventoryItemJson> {
  const { db } = scope;
  return db.write(async (t) => {
    const exercises = await exercisesOf(db, scope.coop.id, t);
    const { record, lines } = await checked(scope, input, exercises, t);
    await guardClosed(scope, t, exercises, null, record, lines);
    const row = await db.models.InventoryItem.create(
      { coopId: scope.coop.id, ...stored(record), version: 1, updatedAt: new Date() },
      { transaction: t },
    );
    await setLines(db, t, row.id, record.lines);
    const created = recordOf(row, record.lines);
    await audit(scope, t, row.id, 'create', null, created);
    return inventoryItemJson(created, lines, scope.chart);
  });
}

/** 428 without If-Match, 412 when it is not the current version: the current item is joined. */
const checkVersion = (scope: CoopScope, current: InventoryRecord, ifMatch: number | null, t: Transaction) =>
  requireVersion(ITEM, current.version, ifMatch, () => itemJson(scope, current, t));

/** Replaces an item's record (If-Match); the same record again changes nothing. */
export async function replaceInventoryItem(
  scope: CoopScope,
  id: number,
  input: InventoryItemInput,
  ifMatch: number | null,
): Promise<InventoryItemJson> {
  const { db } = scope;
  return db.write(async (t) => {
    const exercises = await exercisesOf(db, scope.coop.id, t);
    const before = await findRecord(scope, id, t);
    await checkVersion(scope, before, ifMatch, t);
    const { record, lines } = await checked(scope, input, exercises, t);
    const { id: _id, version: _v, ...was } = before;
    if (JSON.stringify(was) === JSON.stringify(record)) return itemJson(scope, before, t);
    const all = await coopLines(db, exercises, [...before.lines, ...record.lines], t);
    await guardClosed(scope, t, exercises, was, record, all);
    await updateAtVersion(
      db.models.InventoryItem,
      { id, coopId: scope.coop.id },
      before.version,
      { ...stored(record), version: before.version + 1, updatedAt: new Date() },
      t,
      'Le bien a été modifié entre-temps.',
    );
    await setLines(db, t, id, record.lines);
    const after: InventoryRecord = { id, version: before.version + 1, ...record };
    await audit(scope, t, id, 'update', before, after);
    return inventoryItemJson(after, lines, scope.chart);
  });
}

/** Deletes an item (If-Match): a good entered by mistake. A good that leaves gets a disposal date. */
export async function deleteInventoryItem(scope: CoopScope, id: number, ifMatch: number | null): Promise<void> {
  const { db } = scope;
  await db.write(async (t) => {
    const exercises = await exercisesOf(db, scope.coop.id, t);
    const before = await findRecord(scope, id, t);
    await checkVersion(scope, before, ifMatch, t);
    const { id: _id, version: _v, ...was } = before;
    await guardClosed(scope, t, exercises, was, null, await coopLines(db, exercises, before.lines, t));
    await db.models.InventoryLine.destroy({ where: { itemId: id }, transaction: t });
    await db.models.InventoryItem.destroy({ where: { id, coopId: scope.coop.id }, transaction: t });
    await audit(scope, t, id, 'delete', before, null);
  });
}

/** The changes of an item of the coop (a deleted one included), oldest first. */
export function inventoryItemHistory(scope: CoopScope, id: number): Promise<AuditJson[]> {
  const { db, coop } = scope;
  return sideBookHistory(
    db,
    { coopId: coop.id },
    'inventaire',
    id,
    () => unknownItem(scope, id),
    async () => (await db.models.InventoryItem.count({ where: { id, coopId: coop.id } })) > 0,
  );
}
