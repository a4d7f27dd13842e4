/**
 * The export of cahier workbooks: one exercise of a coop (the cahier workbook, every live line,
 * drafts marked) and a department's batch, streamed as a zip one workbook at a time.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import { exerciseLabel } from '../../../templates/definition';
import { ZipStoreWriter } from '../../formats/zip-store';
import { fieldRefused } from '../../operations/errors';
import {
  departmentBatch,
  departmentWorkbooks,
  exportWorkbook,
  safeName,
  XLSX_TYPE,
  type DepartmentBatch,
} from '../../operations/export';
import type { Principal } from '../../operations/access';
import type { Db } from '../../db/connect';
import type { Route } from '../context';
import * as S from '../schemas';
import { COMMON_ERRORS, CoopParam, problem, YearParam } from './shared';

const DepartmentParam = {
  description: 'code du département (87, 2A, 974)',
  schema: S.cleanString('département').max(10, { error: 'département : 10 caractères au plus' }),
};

const EXERCISE_HINT = 'exercise : année de début de l’exercice attendue (exercise=2025 pour 2025-2026)';

const attachment = (name: string) => `attachment; filename="${name}"`;

/** The zip's bytes as they are built: each workbook, then a note of the failures, then the directory. */
async function* zipOf(db: Db, principal: Principal, batch: DepartmentBatch): AsyncGenerator<Buffer> {
  const zip = new ZipStoreWriter();
  const failures: string[] = [];
  for await (const outcome of departmentWorkbooks(db, principal, batch)) {
    if (outcome.status === 'written') yield zip.entry(outcome.fileName, outcome.bytes);
    else failures.push(`${outcome.coop} : ${outcome.message}`);
  }
  if (failures.length) {
    const text = `Cahiers non exportés (exercice ${exerciseLabel(batch.year)}) :\r\n${failures.join('\r\n')}\r\n`;
    yield zip.entry('ERREURS.txt', Buffer.from(text, 'utf8'));
  }
  yield zip.end();
}

export const EXPORT_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/workbook.xlsx',
    summary:
      'le cahier de l’exercice en classeur Excel : toutes les lignes (brouillons marqués ✗ dans la colonne Statut et non comptés), identifiant et version de chaque ligne en colonnes masquées, report à nouveau, dernier relevé, livres annexes et compte rendu en formules',
    tag: 'export',
    params: { coop: CoopParam, year: YearParam },
    responses: {
      200: { description: `le classeur (${XLSX_TYPE}) en pièce jointe cahier-<coop>-<exercice>.xlsx` },
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const doc = await exportWorkbook(r.services.db, r.principal, r.params.coop!, Number(r.params.year));
      r.ctx.set('Content-Disposition', attachment(doc.fileName));
      r.ctx.type = XLSX_TYPE;
      r.ctx.body = doc.bytes;
    },
  },
  {
    method: 'get',
    path: '/api/departments/{code}/workbooks.zip',
    summary:
      'les cahiers d’un exercice de toutes les coopératives du département qui l’ont, un classeur par coopérative (cahier-<coop>-<exercice>.xlsx), en zip envoyé au fil de la construction (trésorier du département, administrateur)',
    tag: 'export',
    params: { code: DepartmentParam },
    query: {
      exercise: {
        description: 'année de début de l’exercice, obligatoire (2025 pour 2025-2026)',
        schema: z.string().regex(/^\d{4}$/, { error: EXERCISE_HINT }),
      },
    },
    responses: {
      200: {
        description:
          'le zip (application/zip) ; un fichier ERREURS.txt y nomme les coopératives dont le classeur n’a pu être construit',
      },
      ...COMMON_ERRORS,
      403: problem('réservé au trésorier du département (ou à un administrateur)'),
      404: problem('département inconnu, ou aucune de ses coopératives n’a cet exercice'),
      422: problem('exercise absent ou invalide'),
    },
    async handle(r) {
      const exercise = r.ctx.query.exercise;
      if (typeof exercise !== 'string') throw fieldRefused('exercise', EXERCISE_HINT);
      const code = r.params.code!;
      const batch = await departmentBatch(r.services.db, r.principal, code, Number(exercise));
      r.ctx.set('Content-Disposition', attachment(`cahiers-${safeName(code)}-${exerciseLabel(batch.year)}.zip`));
      r.ctx.type = 'application/zip';
      r.ctx.body = Readable.from(zipOf(r.services.db, r.principal, batch));
    },
  },
];
