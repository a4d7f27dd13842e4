/**
 * The archives of an exercise: at each closing, the frozen closing figures, the compte rendu
 * financier in every format the service writes and the version imprimable, stored with their
 * sha256 in the database. The service never deletes them (kept at least ten years); a reopening
 * keeps them, a new closing adds its own.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'sequelize';
import { exerciseLabel } from '../../templates/definition';
import type { Db } from '../db/connect';
import { cahierFileName, cahierPdf, type PrintableLine } from '../formats/pdf/cahier';
import { coopFor, type Principal } from './access';
import type { Scope } from './changes';
import { notFound } from './errors';
import { lineInputOf } from './lines';
import { crfDocument, REPORT_FORMATS } from './reports';

/** A document as the archive stores it. */
export interface ArchiveDocument {
  kind: 'cloture' | 'crf' | 'cahier';
  format: string;
  name: string;
  type: string;
  bytes: Buffer;
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** La version imprimable of the exercise (PDF): its lines as the paper book. */
export async function cahierDocument(scope: Scope): Promise<ArchiveDocument> {
  const { Coop, Line } = scope.db.models;
  const coop = await Coop.findByPk(scope.exercise.coopId);
  if (!coop) throw notFound('Cette coopérative n’existe plus.');
  const rows = await Line.findAll({
    where: { exerciseId: scope.exercise.id, deleted: false },
    order: [
      ['date', 'ASC'],
      ['pj', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  const lines: PrintableLine[] = rows.map((row) => ({
    ...lineInputOf(row),
    pointed: Boolean(row.pointed),
    status: row.status,
  }));
  const bytes = await cahierPdf({
    coop: { number: coop.number, name: coop.name },
    exercise: scope.exercise.year,
    chart: scope.chart,
    lines,
    opening: { banque: Number(scope.exercise.openingBanque), caisse: Number(scope.exercise.openingCaisse) },
  });
  return {
    kind: 'cahier',
    format: 'pdf',
    name: cahierFileName(coop.number, scope.exercise.year),
    type: 'application/pdf',
    bytes,
  };
}

/** The documents of a closed exercise: the CRF in every format, then the version imprimable. */
export async function closingDocuments(scope: Scope, coop: string): Promise<ArchiveDocument[]> {
  const docs: ArchiveDocument[] = [];
  for (const format of REPORT_FORMATS) {
    const d = await crfDocument(scope.db, scope.principal, coop, scope.exercise.year, format);
    docs.push({ kind: 'crf', format, name: d.fileName, type: d.type, bytes: d.bytes });
  }
  docs.push(await cahierDocument(scope));
  return docs;
}

/** The frozen closing figures, as a JSON document of the archive. */
export function closingFiguresDocument(coop: string, year: number, figures: unknown): ArchiveDocument {
  return {
    kind: 'cloture',
    format: 'json',
    name: `cloture-${coop}-${exerciseLabel(year)}.json`,
    type: 'application/json; charset=utf-8',
    bytes: Buffer.from(`${JSON.stringify(figures, null, 2)}\n`),
  };
}

/** The number of the next closing of the exercise (1 for the first). */
export async function nextClosing(db: Db, exerciseId: number, t: Transaction): Promise<number> {
  const last = await db.models.Archive.max<number, InstanceType<Db['models']['Archive']>>('closing', {
    where: { exerciseId },
    transaction: t,
  });
  return (Number(last) || 0) + 1;
}

/** Stores documents of a closing, each with its sha256. */
export async function storeArchives(
  db: Db,
  t: Transaction,
  exerciseId: number,
  closing: number,
  login: string,
  docs: readonly ArchiveDocument[],
): Promise<void> {
  const createdAt = new Date();
  for (const d of docs) {
    await db.models.Archive.create(
      {
        exerciseId,
        closing,
        kind: d.kind,
        format: d.format,
        name: d.name,
        type: d.type,
        size: d.bytes.length,
        sha256: sha256(d.bytes),
        bytes: d.bytes,
        createdAt,
        createdBy: login,
      },
      { transaction: t },
    );
  }
}

export interface ArchiveJson {
  id: number;
  closing: number;
  kind: string;
  format: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  createdAt: string;
  createdBy: string;
}

const ATTRIBUTES = ['id', 'closing', 'kind', 'format', 'name', 'type', 'size', 'sha256', 'createdAt', 'createdBy'];

/** The archived documents of the exercise, oldest closing first (without their bytes). */
export async function listArchives(scope: Scope): Promise<ArchiveJson[]> {
  return (await archivesOf(scope.db, [scope.exercise.id])).map(({ exerciseId: _e, ...a }) => a);
}

/** The archived documents of these exercises, oldest first (without their bytes). */
async function archivesOf(db: Db, exerciseIds: number[]): Promise<(ArchiveJson & { exerciseId: number })[]> {
  if (!exerciseIds.length) return [];
  const rows = await db.models.Archive.findAll({
    attributes: [...ATTRIBUTES, 'exerciseId'],
    where: { exerciseId: exerciseIds },
    order: [['id', 'ASC']],
  });
  return rows.map((a) => ({
    exerciseId: Number(a.exerciseId),
    id: Number(a.id),
    closing: Number(a.closing),
    kind: a.kind,
    format: a.format,
    name: a.name,
    type: a.type,
    size: Number(a.size),
    sha256: a.sha256,
    createdAt: new Date(a.createdAt).toISOString(),
    createdBy: a.createdBy,
  }));
}

/** One archived document of the exercise, with its bytes. */
export async function archiveOf(scope: Scope, id: number) {
  const a = await scope.db.models.Archive.findOne({ where: { id, exerciseId: scope.exercise.id } });
  if (!a) throw notFound(`Le document archivé n° ${id} n’existe pas pour cet exercice.`);
  return { name: a.name, type: a.type, sha256: a.sha256, bytes: Buffer.from(a.bytes) };
}

export interface CoopArchive {
  year: number;
  /** AAAA-AAAA */
  exercise: string;
  /** closed, or open again after a reopening (its documents are kept). */
  status: 'open' | 'closed';
  documents: ArchiveJson[];
}

/**
 * The coop's closed exercises with their archived documents, newest first; an exercise reopened
 * since is listed too (status open) with the documents of its earlier closings.
 */
export async function coopArchives(db: Db, p: Principal, number: string): Promise<CoopArchive[]> {
  const coop = await coopFor(db, p, number);
  const exercises = await db.models.Exercise.findAll({ where: { coopId: coop.id }, order: [['year', 'DESC']] });
  const docs = await archivesOf(
    db,
    exercises.map((e) => e.id),
  );
  return exercises.flatMap((e) => {
    const documents = docs.filter((d) => d.exerciseId === e.id).map(({ exerciseId: _e, ...d }) => d);
    if (e.status !== 'closed' && !documents.length) return [];
    return [
      { year: e.year, exercise: exerciseLabel(e.year), status: e.status === 'closed' ? 'closed' : 'open', documents },
    ];
  });
}
