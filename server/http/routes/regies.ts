/** The régies d'avance of an exercise: per holder, given, spent (by chapter), returned, balance. */
import { z } from 'zod';
import { LINE_KINDS } from '../../../templates/definition';
import { regiesOf } from '../../operations/side-books/regies';
import type { Route } from '../context';
import { COMMON_ERRORS, CoopParam, YearParam, scopeOf } from './shared';

/** A line as a side book shows it (inline: each book's schema stays its own). */
export const LineRefSchema = z.object({
  id: z.string(),
  pj: z.string(),
  date: z.string(),
  libelle: z.string(),
  kind: z.enum(LINE_KINDS),
  amount: z.number().int().meta({ description: 'montant qui concerne le livre, en centimes' }),
});

/** What a side book reports for the closure: a stable code, a French sentence, the lines concerned. */
export const BookProblemSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  lines: z.array(z.string()).meta({ description: 'identifiants des lignes concernées' }),
});

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
