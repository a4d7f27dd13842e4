/**
 * La version imprimable du cahier: the exercise's lines as the paper book, in PDF (left page
 * then right page, totals carried from page to page, drafts marked).
 */
import { inlineDisposition } from '../../formats/attachments';
import { cahierFileName, cahierPdf, type PrintableLine } from '../../formats/pdf/cahier';
import { lineInputOf } from '../../operations/lines';
import type { Route } from '../context';
import { COMMON_ERRORS, CoopParam, YearParam, scopeOf } from './shared';

export const PRINTABLE_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/cahier.pdf',
    summary:
      'version imprimable du cahier (PDF, A4 paysage) : page de gauche (opérations) puis page de droite (chapitres), totaux reportés de page en page, brouillons marqués et non comptés',
    tag: 'version imprimable',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'le cahier en PDF (application/pdf)' }, ...COMMON_ERRORS },
    async handle(r) {
      const scope = await scopeOf(r);
      const { Coop, Line } = scope.db.models;
      const coop = await Coop.findByPk(scope.exercise.coopId);
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
      const pdf = await cahierPdf({
        coop: { number: coop!.number, name: coop!.name },
        exercise: scope.exercise.year,
        chart: scope.chart,
        lines,
        opening: { banque: Number(scope.exercise.openingBanque), caisse: Number(scope.exercise.openingCaisse) },
      });
      r.ctx.set('Content-Disposition', inlineDisposition(cahierFileName(coop!.number, scope.exercise.year)));
      r.ctx.type = 'application/pdf';
      r.ctx.body = pdf;
    },
  },
];
