/**
 * The tableau des subventions of an exercise: its subsidies (optimistic versions), the lines
 * attached to them (the 7410/7420 receipts, the expenses they fund), the figures and problems
 * from the pure rules (templates/definition/subventions.ts): only validated lines count (a
 * draft may be attached; it counts once validated). Every write takes the exercise row first (a
 * closed year refuses with 409) and is audited, before and after, in its transaction.
 */
import { Op, type Transaction } from 'sequelize';
import {
  chapterNamesText,
  exerciseLabel,
  normalizeSubsidy,
  subsidiesBook,
  subsidyChapters,
  subsidyFigures,
  touchesChapters,
  validateSubsidy,
  type SubsidiesJson,
  type LiveLine,
  type SubsidyInput,
  type SubsidyJson,
  type SubsidyLink,
  type SubsidyRecord,
} from '../../../templates/definition';
import type { Models } from '../../db/models';
import { lockExercise, updateAtVersion, type AuditJson, type Scope } from '../changes';
import { ServiceError, fieldRefused, invalidFields, notFound } from '../errors';
import { lineInputOf } from '../lines';
import { auditExerciseBook, sideBookHistory } from '../side-book-audit';
import { liveLines } from './book-lines';
import { requireVersion, type RecordName } from './versions';

type SubsidyRow = InstanceType<Models['Subsidy']>;
export type SubsidyRole = SubsidyLink['role'];

function recordOf(row: SubsidyRow): SubsidyRecord {
  return {
    id: row.id,
    version: row.version,
    financeur: row.financeur,
    objet: row.objet,
    chapter: row.chapter,
    granted: Number(row.granted),
    decisionDate: row.decisionDate ?? null,
    actions: JSON.parse(row.actions) as string[],
    state: row.state,
    justifiedOn: row.justifiedOn ?? null,
    note: row.note ?? null,
  };
}

const SUBSIDY: RecordName = { the: 'La subvention', of: 'de la subvention', feminine: true };

async function linksOf(scope: Scope, subsidyIds: number[], t?: Transaction): Promise<SubsidyLink[]> {
  if (!subsidyIds.length) return [];
  const rows = await scope.db.models.SubsidyLine.findAll({ where: { subsidyId: subsidyIds }, transaction: t });
  return rows.map((r) => ({ subsidyId: r.subsidyId, lineId: r.lineId, role: r.role }));
}

const unknownSubsidy = (scope: Scope, id: number) =>
  notFound(`La subvention n° ${id} est introuvable dans l’exercice ${exerciseLabel(scope.exercise.year)}.`);

/** The subsidy of this exercise, or 404. */
async function findSubsidy(scope: Scope, id: number, t?: Transaction): Promise<SubsidyRow> {
  const row = await scope.db.models.Subsidy.findOne({ where: { id, exerciseId: scope.exercise.id }, transaction: t });
  if (!row) throw unknownSubsidy(scope, id);
  return row;
}

/** One subsidy with its figures, as the transaction sees it. */
async function subsidyJson(scope: Scope, row: SubsidyRow, t?: Transaction): Promise<SubsidyJson> {
  const [links, lines] = await Promise.all([linksOf(scope, [row.id], t), liveLines(scope, t)]);
  return subsidyFigures(recordOf(row), links, new Map(lines.map((l) => [l.id, l])), scope.chart);
}

/** The tableau des subventions: every subsidy, the receipts attached to none, totals, problems. */
/** The tableau des subventions; `read`: the exercise's lines when the caller has them already. */
export async function listSubsidies(scope: Scope, read?: readonly LiveLine[]): Promise<SubsidiesJson> {
  const rows = await scope.db.models.Subsidy.findAll({ where: { exerciseId: scope.exercise.id } });
  const [links, lines] = await Promise.all([
    linksOf(
      scope,
      rows.map((r) => r.id),
    ),
    read ?? liveLines(scope),
  ]);
  return subsidiesBook(rows.map(recordOf), links, lines, scope.chart);
}

export async function getSubsidy(scope: Scope, id: number): Promise<SubsidyJson> {
  return subsidyJson(scope, await findSubsidy(scope, id));
}

function checked(scope: Scope, input: SubsidyInput): SubsidyInput {
  const errors = validateSubsidy(input, scope.chart);
  if (errors.length) throw invalidFields('La subvention', errors);
  return normalizeSubsidy(input);
}

const stored = (s: SubsidyInput) => ({ ...s, actions: JSON.stringify(s.actions) });
const sameRecord = (a: SubsidyInput, b: SubsidyInput) =>
  JSON.stringify(normalizeSubsidy(a)) === JSON.stringify(normalizeSubsidy(b));

const audit = (scope: Scope, t: Transaction, recordId: number, action: string, before: unknown, after: unknown) =>
  auditExerciseBook(scope, t, { book: 'subvention', recordId, action, before, after });

export async function createSubsidy(scope: Scope, input: SubsidyInput): Promise<SubsidyJson> {
  const record = checked(scope, input);
  return scope.db.write(async (t) => {
    await lockExercise(scope.db, t, scope.exercise.id);
    const row = await scope.db.models.Subsidy.create(
      { exerciseId: scope.exercise.id, ...stored(record), version: 1, updatedAt: new Date() },
      { transaction: t },
    );
    await audit(scope, t, row.id, 'create', null, recordOf(row));
    return subsidyJson(scope, row, t);
  });
}

/** 428 without If-Match, 412 when it is not the current version: the current subsidy is joined. */
const checkVersion = (scope: Scope, row: SubsidyRow, ifMatch: number | null, t: Transaction) =>
  requireVersion(SUBSIDY, row.version, ifMatch, () => subsidyJson(scope, row, t));

/** Replaces a subsidy's record (If-Match); the same record again changes nothing. */
export async function replaceSubsidy(
  scope: Scope,
  id: number,
  input: SubsidyInput,
  ifMatch: number | null,
): Promise<SubsidyJson> {
  const record = checked(scope, input);
  return scope.db.write(async (t) => {
    await lockExercise(scope.db, t, scope.exercise.id);
    const row = await findSubsidy(scope, id, t);
    await checkVersion(scope, row, ifMatch, t);
    const before = recordOf(row);
    if (sameRecord(before, record)) return subsidyJson(scope, row, t);
    const changes = { ...stored(record), version: row.version + 1, updatedAt: new Date() };
    await updateAtVersion(
      scope.db.models.Subsidy,
      { id },
      row.version,
      changes,
      t,
      'La subvention a été modifiée entre-temps.',
    );
    row.set(changes);
    await audit(scope, t, id, 'update', before, recordOf(row));
    return subsidyJson(scope, row, t);
  });
}

/** Deletes a subsidy (If-Match); its lines are detached (the audit keeps them). */
export async function deleteSubsidy(scope: Scope, id: number, ifMatch: number | null): Promise<void> {
  await scope.db.write(async (t) => {
    await lockExercise(scope.db, t, scope.exercise.id);
    const row = await findSubsidy(scope, id, t);
    await checkVersion(scope, row, ifMatch, t);
    const links = await linksOf(scope, [id], t);
    const before = { ...recordOf(row), lines: links.map((l) => ({ line: l.lineId, role: l.role })) };
    await scope.db.models.SubsidyLine.destroy({ where: { subsidyId: id }, transaction: t });
    await row.destroy({ transaction: t });
    await audit(scope, t, id, 'delete', before, null);
  });
}

/**
 * Attaches a line of the exercise to a subsidy: a receipt (a part on 7410/7420, one subsidy at
 * most) or a use (an expense). Attaching it again changes nothing; with the other role, the
 * role changes. A draft may be attached: it counts (received, spent) once validated.
 */
export async function attachSubsidyLine(
  scope: Scope,
  id: number,
  lineId: string,
  role: SubsidyRole,
): Promise<{ created: boolean; subsidy: SubsidyJson }> {
  const { db } = scope;
  return db.write(async (t) => {
    await lockExercise(db, t, scope.exercise.id);
    const row = await findSubsidy(scope, id, t);
    const line = await db.models.Line.findByPk(lineId, { transaction: t });
    const label = exerciseLabel(scope.exercise.year);
    if (!line || line.exerciseId !== scope.exercise.id) {
      const other = line ? await db.models.Exercise.findByPk(line.exerciseId, { transaction: t }) : null;
      if (line && other && other.coopId === scope.exercise.coopId) {
        throw fieldRefused(
          'line',
          `line : la ligne PJ ${line.pj} est de l’exercice ${exerciseLabel(other.year)} : une subvention de l’exercice ${label} ne reçoit que des lignes de cet exercice.`,
        );
      }
      const message = `line : aucune ligne de l’exercice ${label} n’a l’identifiant ${lineId}.`;
      throw new ServiceError(404, 'introuvable', message, { errors: [{ field: 'line', message }] });
    }
    if (line.deleted) throw fieldRefused('line', `line : cette ligne (PJ ${line.pj}) a été supprimée.`);
    const input = lineInputOf(line);
    if (role === 'receipt') {
      const chapters = subsidyChapters(scope.chart);
      if (!touchesChapters(input, chapters)) {
        throw fieldRefused(
          'line',
          `line : la ligne PJ ${line.pj} n’a pas de part en ${chapterNamesText(scope.chart, chapters)} : ce n’est pas une recette de subvention.`,
        );
      }
      const elsewhere = await db.models.SubsidyLine.findOne({
        where: { lineId: line.id, role: 'receipt', subsidyId: { [Op.ne]: id } },
        transaction: t,
      });
      if (elsewhere) {
        const holder = await db.models.Subsidy.findByPk(elsewhere.subsidyId, { transaction: t });
        const message = `line : la recette PJ ${line.pj} est déjà rattachée à la subvention n° ${elsewhere.subsidyId}${holder ? ` « ${holder.financeur} – ${holder.objet} »` : ''} : détachez-la d’abord.`;
        throw new ServiceError(409, 'recette_deja_rattachee', message, {
          errors: [{ field: 'line', message }],
          subsidy: elsewhere.subsidyId,
        });
      }
    } else if (input.kind !== 'depense') {
      throw fieldRefused(
        'line',
        `line : la ligne PJ ${line.pj} n’est pas une dépense : seules les dépenses sont l’emploi d’une subvention.`,
      );
    }
    const existing = await db.models.SubsidyLine.findOne({ where: { subsidyId: id, lineId: line.id }, transaction: t });
    const after = { line: line.id, pj: line.pj, role };
    if (existing?.role === role) return { created: false, subsidy: await subsidyJson(scope, row, t) };
    if (existing) {
      const before = { line: line.id, pj: line.pj, role: existing.role };
      await db.models.SubsidyLine.update({ role }, { where: { subsidyId: id, lineId: line.id }, transaction: t });
      await audit(scope, t, id, 'attach', before, after);
    } else {
      await db.models.SubsidyLine.create({ subsidyId: id, lineId: line.id, role }, { transaction: t });
      await audit(scope, t, id, 'attach', null, after);
    }
    return { created: !existing, subsidy: await subsidyJson(scope, row, t) };
  });
}

/** Detaches a line from a subsidy (404 when it is not attached to it). */
export async function detachSubsidyLine(scope: Scope, id: number, lineId: string): Promise<SubsidyJson> {
  const { db } = scope;
  return db.write(async (t) => {
    await lockExercise(db, t, scope.exercise.id);
    const row = await findSubsidy(scope, id, t);
    const link = await db.models.SubsidyLine.findOne({ where: { subsidyId: id, lineId }, transaction: t });
    if (!link) throw notFound(`Cette ligne n’est pas rattachée à la subvention n° ${id}.`);
    const line = await db.models.Line.findByPk(lineId, { transaction: t });
    await link.destroy({ transaction: t });
    await audit(scope, t, id, 'detach', { line: lineId, pj: line?.pj ?? null, role: link.role }, null);
    return subsidyJson(scope, row, t);
  });
}

/** The changes of a subsidy of this exercise (deleted ones included), oldest first. */
export async function subsidyHistory(scope: Scope, id: number): Promise<AuditJson[]> {
  const { db, exercise } = scope;
  return sideBookHistory(
    db,
    { coopId: exercise.coopId, exerciseId: exercise.id },
    'subvention',
    id,
    () => unknownSubsidy(scope, id),
    async () => (await db.models.Subsidy.count({ where: { id, exerciseId: exercise.id } })) > 0,
  );
}
