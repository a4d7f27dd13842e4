/**
 * Pièces justificatives: attach a scan or a photo to a line (multipart/form-data, field
 * `file`), list a line's pièces, count them per line, read one back, remove one.
 */
import { z } from 'zod';
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, inlineDisposition } from '../../formats/attachments';
import {
  addAttachment,
  attachmentCounts,
  deleteAttachment,
  listAttachments,
  readAttachment,
} from '../../operations/side-books/attachments';
import type { Route, UploadedFile } from '../context';
import { COMMON_ERRORS, CoopParam, IdParam, YearParam, numberParam, problem, scopeOf } from './shared';
import { BOOK_WRITE_ERRORS as WRITE_ERRORS } from './side-books-shared';

const EXERCISE = '/api/coops/{coop}/exercises/{year}';
const LINE_ATTACHMENTS = `${EXERCISE}/lines/{id}/attachments`;
const ATTACHMENTS = `${EXERCISE}/attachments`;

const AttachmentParam = numberParam('numéro de la pièce justificative', 'pièce');

export const AttachmentSchema = z
  .object({
    id: z.number().int(),
    lineId: z.string(),
    name: z.string(),
    type: z.enum(ATTACHMENT_TYPES),
    size: z.number().int(),
    sha256: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({
    id: 'Attachment',
    description:
      'une pièce justificative : nom du fichier (nettoyé), type reconnu par le contenu, taille en octets, empreinte sha256',
  });

export const AttachmentCounts = z
  .object({ counts: z.record(z.string(), z.number().int()) })
  .meta({ id: 'AttachmentCounts', description: 'nombre de pièces par ligne (UUID → n), lignes sans pièce absentes' });

/**
 * A pièce read back is shown by the browser as a document of its own: sandboxed (no script, no
 * same origin), so a crafted PDF or image cannot act in the service's origin.
 */
export const ATTACHMENT_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

export const ATTACHMENT_ROUTES: Route[] = [
  {
    method: 'post',
    path: LINE_ATTACHMENTS,
    summary:
      'joint une pièce justificative à la ligne (PDF, JPEG ou PNG, reconnus par leur contenu ; 10 Mo au plus) ; la même pièce deux fois n’est gardée qu’une fois (200)',
    tag: 'pièces justificatives',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    multipart: {
      field: 'file',
      maxBytes: MAX_ATTACHMENT_BYTES,
      description: 'formulaire multipart/form-data : le fichier dans le champ « file » (un scan, une photo)',
    },
    responses: {
      201: { description: 'pièce jointe', schema: AttachmentSchema },
      200: { description: 'ce fichier était déjà joint à la ligne : la pièce existante', schema: AttachmentSchema },
      ...WRITE_ERRORS,
      404: problem('coopérative, exercice ou ligne inconnus (ou ligne supprimée)'),
      413: problem('fichier de plus de 10 Mo'),
      415: problem('corps qui n’est pas multipart/form-data, ou fichier qui n’est ni PDF, ni JPEG, ni PNG'),
      422: problem('champ file absent, vide ou en double'),
    },
    async handle(r) {
      const scope = await scopeOf(r);
      const file = r.body as UploadedFile;
      const { status, attachment } = await addAttachment(scope, r.services.attachments, r.params.id!, file);
      r.ctx.status = status;
      r.ctx.body = attachment;
    },
  },
  {
    method: 'get',
    path: LINE_ATTACHMENTS,
    summary: 'pièces justificatives de la ligne, de la plus ancienne à la plus récente',
    tag: 'pièces justificatives',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    responses: { 200: { description: 'les pièces', schema: z.array(AttachmentSchema) }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await listAttachments(await scopeOf(r), r.params.id!);
    },
  },
  {
    method: 'get',
    path: ATTACHMENTS,
    summary: 'nombre de pièces justificatives de chaque ligne de l’exercice (le 📎 de la colonne Statut)',
    tag: 'pièces justificatives',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'les nombres par ligne', schema: AttachmentCounts }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = { counts: await attachmentCounts(await scopeOf(r)) };
    },
  },
  {
    method: 'get',
    path: `${ATTACHMENTS}/{attachment}`,
    summary: 'le fichier d’une pièce justificative, avec son type (affiché dans le navigateur, isolé)',
    tag: 'pièces justificatives',
    params: { coop: CoopParam, year: YearParam, attachment: AttachmentParam },
    responses: { 200: { description: 'le fichier (application/pdf, image/jpeg ou image/png)' }, ...COMMON_ERRORS },
    async handle(r) {
      const scope = await scopeOf(r);
      const { attachment, bytes } = await readAttachment(scope, r.services.attachments, Number(r.params.attachment));
      r.ctx.set('Content-Disposition', inlineDisposition(attachment.name));
      r.ctx.set('Content-Security-Policy', ATTACHMENT_CSP);
      r.ctx.type = attachment.type;
      r.ctx.body = bytes;
    },
  },
  {
    method: 'delete',
    path: `${ATTACHMENTS}/{attachment}`,
    summary: 'retire une pièce justificative (historisé) ; son contenu est effacé quand plus aucune pièce ne l’utilise',
    tag: 'pièces justificatives',
    params: { coop: CoopParam, year: YearParam, attachment: AttachmentParam },
    responses: { 204: { description: 'pièce retirée' }, ...WRITE_ERRORS },
    async handle(r) {
      const scope = await scopeOf(r);
      await deleteAttachment(scope, r.services.attachments, Number(r.params.attachment));
      r.ctx.status = 204;
    },
  },
];
