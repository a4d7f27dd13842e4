/** The compte rendu financier of an exercise: JSON, the filled workbook (xlsx) or the PDF to sign. */
import { z } from 'zod';
import { crfDocument, crfJson, REPORT_FORMATS, type ReportFormat } from '../../operations/reports';
import type { Route } from '../context';
import { COMMON_ERRORS, CoopParam, YearParam } from './shared';

const CompteRendu = z
  .object({
    coop: z.object({}).passthrough(),
    exercise: z.object({}).passthrough(),
    provisional: z.boolean(),
    date: z.string(),
    compteDeFonctionnement: z.object({}).passthrough(),
    bilan: z.object({}).passthrough(),
    rapprochement: z.object({}).passthrough(),
    caisse: z.object({}).passthrough(),
    subventions: z.array(z.object({}).passthrough()),
    inventaire: z.array(z.object({}).passthrough()),
    regies: z.array(z.object({}).passthrough()),
    actions: z.array(z.object({}).passthrough()),
  })
  .passthrough()
  .meta({
    id: 'CompteRendu',
    description:
      'compte rendu financier (montants en centimes) : compte de fonctionnement par chapitre, bilan, rapprochement, dernier arrêté de caisse, subventions, inventaire, régies, actions ; provisional tant que l’exercice n’est pas clôturé',
  });

export const REPORT_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/report',
    summary:
      'compte rendu financier de l’exercice, à tout moment (provisoire avant la clôture) : JSON, le classeur du cahier rempli (xlsx, formules vivantes) ou le PDF à signer et envoyer au département',
    tag: 'compte rendu',
    params: { coop: CoopParam, year: YearParam },
    query: {
      format: {
        description: 'json (défaut), xlsx ou pdf',
        schema: z.enum(REPORT_FORMATS, { error: 'format : json, xlsx ou pdf attendu' }),
      },
    },
    responses: {
      200: {
        description:
          'le compte rendu (JSON) ; en xlsx ou en pdf, le document en pièce jointe compte-rendu-<coop>-<exercice>.xlsx ou .pdf',
        schema: CompteRendu,
      },
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const format = (typeof r.ctx.query.format === 'string' ? r.ctx.query.format : 'json') as ReportFormat;
      const { coop, year } = r.params;
      if (format === 'json') {
        r.ctx.body = await crfJson(r.services.db, r.principal, coop!, Number(year));
        return;
      }
      const doc = await crfDocument(r.services.db, r.principal, coop!, Number(year), format);
      r.ctx.set('Content-Disposition', `attachment; filename="${doc.fileName}"`);
      r.ctx.type = doc.type;
      r.ctx.body = doc.bytes;
    },
  },
];
