/**
 * The import of a legacy cahier for a coop (POST /api/coops/{coop}/imports): one workbook (.xlsx,
 * .xls, .ods) sent as multipart/form-data, read, and stored in one transaction (or, with
 * dryRun=true, analysed and nothing stored). For the department's trésorier and the admins.
 *
 * The answer is the file's report, as `cahier import --json` prints it for each file: 200 when
 * the file is (or would be) imported; 422 application/problem+json when it is refused, the
 * report in `report` (its `error.code` says why: coop_inconnue, exercice_non_vide…).
 */
import { z } from 'zod';
import { MAX_LEGACY_BYTES } from '../../formats/legacy';
import { coopFor } from '../../operations/access';
import { ServiceError } from '../../operations/errors';
import { importLegacy, importReservedToTreasurer } from '../../operations/legacy-import';
import type { Route, UploadedFile } from '../context';
import { ProblemDocument } from '../schemas';
import { COMMON_ERRORS, CoopParam, problem } from './shared';

const cents = z.number().int();
const TrueFalse = z.enum(['true', 'false'], { error: 'true ou false attendu' });

const ImportProblemSchema = z
  .object({
    row: z.number().int().meta({ description: 'numéro de la ligne de la feuille (0 : le fichier entier)' }),
    column: z.string().nullable().meta({ description: 'lettre de la colonne, ou null' }),
    code: z.string(),
    severity: z.enum(['error', 'warning']),
    message: z.string(),
  })
  .meta({ id: 'ImportProblem', description: 'un problème d’une ligne de l’ancien cahier, nommé par ligne et colonne' });

export const ImportFileReportSchema = z
  .object({
    file: z.string(),
    status: z.enum(['ok', 'rejected']),
    error: z
      .object({ code: z.string(), message: z.string() })
      .optional()
      .meta({ description: 'seulement quand le fichier est refusé' }),
    sheet: z.string().optional(),
    coop: z.string().nullable().optional(),
    exercise: z.object({ start: z.string(), end: z.string() }).optional(),
    openingBalances: z.object({ banque: cents, caisse: cents }).optional(),
    entries: z.object({ validated: z.number().int(), drafts: z.number().int() }).optional(),
    pointed: z.number().int().optional(),
    skippedRows: z.array(z.object({ row: z.number().int(), reason: z.string() })).optional(),
    problems: z.array(ImportProblemSchema).optional(),
    totals: z
      .object({
        banque: z.object({ recettes: cents, depenses: cents }),
        caisse: z.object({ recettes: cents, depenses: cents }),
        chapters: z.record(z.string(), cents),
      })
      .optional(),
    newChapters: z.array(z.string()).optional(),
  })
  .meta({
    id: 'ImportFileReport',
    description:
      'compte rendu de l’import d’un ancien cahier (montants en centimes) : feuille lue, coopérative, exercice, report à nouveau, lignes validées et brouillons, lignes pointées, lignes sautées avec leur raison, problèmes par ligne et colonne, totaux (lignes validées seulement), chapitres nouveaux',
  });

const ImportRefusal = ProblemDocument.extend({ report: ImportFileReportSchema }).meta({
  id: 'ImportRefusal',
  description:
    'application/problem+json d’un fichier refusé (code donnee_invalide) ; report.error.code dit pourquoi : fichier illisible, coop_inconnue, exercice_inconnu, exercice_clos, exercice_non_vide…',
});

/** The file's name as the client gave it, cleaned for messages. */
function fileName(file: UploadedFile): string {
  const name = (file.name ?? '')
    .replace(/[\p{Cc}\p{Cs}]/gu, '')
    .replace(/^.*[/\\]/, '')
    .trim();
  return name.slice(0, 255) || 'classeur';
}

export const IMPORT_ROUTES: Route[] = [
  {
    method: 'post',
    path: '/api/coops/{coop}/imports',
    summary:
      'importe un ancien cahier (xlsx, xls ou ods) dans l’exercice de la coopérative, tout ou rien ; le même fichier deux fois ne change rien ; dryRun=true : le compte rendu sans rien enregistrer (trésorier départemental ou administrateur)',
    tag: 'import',
    params: { coop: CoopParam },
    query: {
      dryRun: {
        description: 'true : rien n’est enregistré, le compte rendu est le même (défaut false)',
        schema: TrueFalse,
      },
      exercise: {
        description: 'année de début de l’exercice (2025 pour 2025-2026) ; absente : lue dans les dates ou le titre',
        schema: z
          .string()
          .regex(/^\d{4}$/, { error: 'exercise : année sur 4 chiffres attendue (2025 pour 2025-2026)' }),
      },
      merge: {
        description:
          'true : ajoute les lignes du fichier à un exercice qui contient déjà d’autres lignes (sinon refusé : exercice_non_vide)',
        schema: TrueFalse,
      },
    },
    multipart: {
      field: 'file',
      maxBytes: MAX_LEGACY_BYTES,
      description: 'formulaire multipart/form-data : le classeur dans le champ « file »',
    },
    responses: {
      200: {
        description: 'fichier importé (ou, en essai, importable) : son compte rendu',
        schema: ImportFileReportSchema,
      },
      ...COMMON_ERRORS,
      403: problem('réservé au trésorier départemental et aux administrateurs'),
      413: problem('fichier trop gros'),
      415: problem('corps qui n’est pas multipart/form-data'),
      422: {
        description: 'fichier refusé, rien n’est enregistré : le compte rendu est dans report ; ou paramètre invalide',
        schema: ImportRefusal,
      },
    },
    async handle(r) {
      const { db } = r.services;
      const coop = await coopFor(db, r.principal, r.params.coop!);
      if (r.principal.role === 'mandataire') throw importReservedToTreasurer();
      const file = r.body as UploadedFile;
      const { dryRun, exercise, merge } = r.ctx.query;
      const report = await importLegacy(db, r.principal, {
        file: fileName(file),
        bytes: file.bytes,
        coop: coop.number,
        ...(typeof exercise === 'string' ? { year: Number(exercise) } : {}),
        dryRun: dryRun === 'true',
        merge: merge === 'true',
      });
      if (report.status === 'rejected') {
        throw new ServiceError(422, 'donnee_invalide', report.error?.message ?? 'Fichier refusé.', { report });
      }
      r.ctx.body = report;
    },
  },
];
