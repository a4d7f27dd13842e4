/**
 * La version imprimable du cahier: the exercise's lines as the paper book, in PDF (left page
 * then right page, totals carried from page to page, drafts marked).
 */
import { inlineDisposition } from '../../formats/attachments';
import { cahierDocument } from '../../operations/archives';
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
      const doc = await cahierDocument(await scopeOf(r));
      r.ctx.set('Content-Disposition', inlineDisposition(doc.name));
      r.ctx.type = doc.type;
      r.ctx.body = doc.bytes;
    },
  },
];
