/** The régies d'avance of an exercise: per holder, given, spent (by chapter), returned, balance. */
import { z } from 'zod';
import { regiesOf } from '../../operations/side-books/regies';
import type { Route } from '../context';
import { COMMON_ERRORS, CoopParam, YearParam, scopeOf } from './shared';
import { BookProblemSchema, LineRefSchema } from './side-books-shared';

export const Regies = z
  .object({
    regies: z.array(
      z.object({
        holder: z.string().meta({ description: 'titulaire de la régie ("" : lignes validées sans titulaire)' }),
        given: z.number().int().meta({ description: 'avances versées (Régie versée), en centimes' }),
        spent: z.number().int().meta({ description: 'dépenses payées avec la régie, en centimes' }),
        spentByChapter: z.array(z.object({ chapter: z.string(), amount: z.number().int() })),
        returned: z.number().int().meta({ description: 'reliquat rendu (Régie remboursée), en centimes' }),
        balance: z.number().int().meta({ description: 'versé − dépensé − remboursé : 0 à la clôture' }),
        lines: z.array(LineRefSchema),
      }),
    ),
    problems: z.array(BookProblemSchema).meta({
      description: 'regie_non_soldee et regie_sans_titulaire (erreurs), regie_brouillon (avertissement)',
    }),
  })
  .meta({ id: 'Regies' });

export const REGIE_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/regies',
    summary:
      'régies d’avance de l’exercice par titulaire : versé, dépensé (par chapitre), remboursé, solde ; et les régies non soldées',
    tag: 'régies',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'les régies et leurs problèmes', schema: Regies }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await regiesOf(await scopeOf(r));
    },
  },
];
