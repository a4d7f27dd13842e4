/**
 * Pièces justificatives: files (a scanned invoice, a photo of a receipt) attached to a line of
 * the cahier. Recognised by their content (PDF, JPEG, PNG), kept once per content and line,
 * their bytes in the attachment store; every addition and removal is audited (book 'piece').
 */
import { createHash } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { AttachmentJson, AttachmentType } from '../../../templates/definition/side-book-contract';
import {
  ACCEPTED_TYPES_TEXT,
  MAX_ATTACHMENT_BYTES,
  cleanAttachmentName,
  refusedKind,
  sniffAttachment,
} from '../../formats/attachments';
import type { AttachmentStore } from '../../storage/attachments';
import type { Scope } from '../changes';
import { lockExercise } from '../changes';
import { ServiceError, fieldRefused, notFound } from '../errors';
import { auditExerciseBook } from '../side-book-audit';

/** A file as received: the name the client gave (not trusted) and its bytes. */
export interface ReceivedFile {
  name: string | null;
  bytes: Buffer;
}

interface AttachmentRowValues {
  id: number;
  lineId: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  createdBy: string;
  createdAt: Date;
}

export function attachmentJson(a: AttachmentRowValues): AttachmentJson {
  return {
    id: Number(a.id),
    lineId: a.lineId,
    name: a.name,
    type: a.type as AttachmentType,
    size: Number(a.size),
    sha256: a.sha256,
    createdBy: a.createdBy,
    createdAt: new Date(a.createdAt).toISOString(),
  };
}

const lineNotFound = (lineId: string) =>
  notFound(`La ligne ${lineId} est introuvable dans cet exercice (ou elle a été supprimée).`);

const attachmentNotFound = (id: number) =>
  notFound(`La pièce justificative n°${id} est introuvable dans cet exercice.`);

/** Refuses, with a French sentence naming the file, what is not a pièce (size, then content). */
function checkFile(file: ReceivedFile): { type: AttachmentType; shown: string } {
  const shown = file.name?.trim() ? `« ${cleanAttachmentName(file.name, 'application/pdf')} »` : 'envoyé';
  if (file.bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new ServiceError(
      413,
      'corps_trop_gros',
      `Le fichier ${shown} dépasse ${MAX_ATTACHMENT_BYTES / 1024 / 1024} Mo : envoyez une pièce plus petite.`,
    );
  }
  if (file.bytes.length === 0) {
    throw fieldRefused('file', `file : le fichier ${shown} est vide.`);
  }
  const type = sniffAttachment(file.bytes);
  if (!type) {
    const kind = refusedKind(file.bytes);
    throw new ServiceError(
      415,
      'type_de_fichier_refuse',
      `Le fichier ${shown} n’est pas un ${ACCEPTED_TYPES_TEXT} d’après son contenu${kind ? ` (c’est ${kind})` : ''} : ` +
        `seuls les fichiers PDF et les images JPEG ou PNG sont acceptés comme pièce justificative.`,
      { accepted: ['application/pdf', 'image/jpeg', 'image/png'] },
    );
  }
  return { type, shown };
}

/**
 * Attaches a file to a line of the exercise (a non-deleted line). The same bytes twice on one
 * line are kept once: the second time answers 200 with the attachment already there.
 */
export async function addAttachment(
  scope: Scope,
  store: AttachmentStore,
  lineId: string,
  file: ReceivedFile,
): Promise<{ status: 200 | 201; attachment: AttachmentJson }> {
  const { db, principal } = scope;
  const { type } = checkFile(file);
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  const name = cleanAttachmentName(file.name, type);
  let put = false;
  let outcome: { status: 200 | 201; attachment: AttachmentJson };
  try {
    outcome = await db.write(async (t) => {
      const exercise = await lockExercise(db, t, scope.exercise.id);
      const line = await db.models.Line.findOne({
        attributes: ['id'],
        where: { id: lineId, exerciseId: exercise.id, deleted: false },
        transaction: t,
      });
      if (!line) throw lineNotFound(lineId);
      const existing = await db.models.Attachment.findOne({ where: { lineId, sha256 }, transaction: t });
      if (existing) return { status: 200 as const, attachment: attachmentJson(existing.get()) };
      put = true;
      await store.put(t, sha256, file.bytes);
      const row = await db.models.Attachment.create(
        {
          exerciseId: exercise.id,
          lineId,
          name,
          type,
          size: file.bytes.length,
          sha256,
          createdBy: principal.login,
          createdAt: new Date(),
        },
        { transaction: t },
      );
      const attachment = attachmentJson(row.get());
      await auditExerciseBook(scope, t, {
        book: 'piece',
        recordId: attachment.id,
        action: 'create',
        before: null,
        after: attachment,
      });
      return { status: 201 as const, attachment };
    });
  } catch (e) {
    // A file written for a row that was not committed goes, unless another row uses it.
    if (put) await store.settle(sha256, file.bytes).catch(() => undefined);
    throw e;
  }
  // Committed: the bytes are there even if a concurrent removal of the same content took them.
  await store.settle(sha256, file.bytes);
  return outcome;
}

async function lineOfExercise(scope: Scope, lineId: string): Promise<void> {
  const line = await scope.db.models.Line.findOne({
    attributes: ['id'],
    where: { id: lineId, exerciseId: scope.exercise.id },
  });
  if (!line) throw lineNotFound(lineId);
}

/** The pièces of a line, oldest first (a deleted line keeps its pièces and shows them). */
export async function listAttachments(scope: Scope, lineId: string): Promise<AttachmentJson[]> {
  await lineOfExercise(scope, lineId);
  const rows = await scope.db.models.Attachment.findAll({
    where: { exerciseId: scope.exercise.id, lineId },
    order: [
      ['createdAt', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  return rows.map((r) => attachmentJson(r.get()));
}

/** How many pièces each line of the exercise has (non-deleted lines with at least one). */
export async function attachmentCounts(scope: Scope): Promise<Record<string, number>> {
  const { db } = scope;
  const lines = db.sequelize.getQueryInterface().quoteIdentifier('lines');
  const rows = await db.sequelize.query<{ line_id: string; n: number | string }>(
    `SELECT a.line_id, COUNT(*) AS n
       FROM attachments a JOIN ${lines} l ON l.id = a.line_id AND l.exercise_id = a.exercise_id
      WHERE a.exercise_id = $exercise AND l.deleted = $deleted
      GROUP BY a.line_id`,
    { bind: { exercise: scope.exercise.id, deleted: false }, type: QueryTypes.SELECT },
  );
  return Object.fromEntries(rows.map((r) => [r.line_id, Number(r.n)]));
}

/** One pièce with its bytes. */
export async function readAttachment(
  scope: Scope,
  store: AttachmentStore,
  id: number,
): Promise<{ attachment: AttachmentJson; bytes: Buffer }> {
  const row = await scope.db.models.Attachment.findOne({ where: { id, exerciseId: scope.exercise.id } });
  if (!row) throw attachmentNotFound(id);
  const bytes = await store.get(row.sha256);
  if (!bytes) {
    throw notFound(
      `Le contenu de la pièce « ${row.name} » est introuvable dans le stockage du service : prévenez l’administrateur.`,
    );
  }
  return { attachment: attachmentJson(row.get()), bytes };
}

/** Removes a pièce (audited); its bytes go from the store when no other pièce uses them. */
export async function deleteAttachment(scope: Scope, store: AttachmentStore, id: number): Promise<void> {
  const { db } = scope;
  const removed = await db.write(async (t) => {
    const exercise = await lockExercise(db, t, scope.exercise.id);
    const row = await db.models.Attachment.findOne({ where: { id, exerciseId: exercise.id }, transaction: t });
    if (!row) throw attachmentNotFound(id);
    const before = attachmentJson(row.get());
    await row.destroy({ transaction: t });
    await store.release(t, row.sha256);
    await auditExerciseBook(scope, t, {
      book: 'piece',
      recordId: id,
      action: 'delete',
      before,
      after: null,
    });
    return row.sha256;
  });
  // Committed: the disk store removes the file if no row uses it any more.
  await store.settle(removed);
}
