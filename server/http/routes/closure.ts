/** The closure of an exercise: what blocks it, checked any day of the year. */
import { z } from 'zod';
import { closureOf, isoDay } from '../../operations/closure';
import type { Route } from '../context';
import { COMMON_ERRORS, CoopParam, YearParam, scopeOf } from './shared';
import { BookProblemSchema } from './side-books-shared';

const cents = (description: string) =>
  z
    .number()
    .int()
    .meta({ description: `${description}, en centimes` });

export const Closure = z
  .object({
    canClose: z.boolean().meta({ description: 'vrai quand aucune erreur ne bloque la clôture' }),
    date: z.string().meta({ description: 'jour du contrôle (horloge du service), AAAA-MM-JJ' }),
    problems: z.array(BookProblemSchema).meta({
      description:
        'erreurs d’abord, puis avertissements : date_trop_tot, lignes_brouillon, file_attente, releve_manquant, rapprochement_ecart, pointage_ancien, ceux des livres annexes (caisse_non_comptee, caisse_ecart, subvention_non_rattachee, subvention_a_justifier, inventaire_manquant, regie_non_soldee, regie_sans_titulaire…) ; avertissements avoirs_a_verifier, lignes_sans_action',
    }),
    figures: z.object({
      balances: z.object({ banque: cents('banque'), caisse: cents('caisse'), regie: cents('régies d’avance') }),
      totalCharges: cents('charges'),
      totalProduits: cents('produits'),
      result: cents('excédent (positif) ou déficit (négatif)'),
      statement: z
        .object({ date: z.string(), balance: z.number().int(), source: z.enum(['import', 'saisie']) })
        .nullable()
        .meta({ description: 'relevé retenu : importé, ou solde saisi dans les données de la coopérative' }),
      reconciliationGap: z.number().int().nullable().meta({ description: 'écart de l’état de rapprochement' }),
      counts: z.object({
        lines: z.number().int(),
        validated: z.number().int(),
        drafts: z.number().int(),
        bankLines: z.number().int(),
        unpointedBankLines: z.number().int(),
        errors: z.number().int(),
        warnings: z.number().int(),
      }),
    }),
  })
  .meta({ id: 'Closure' });

export const CLOSURE_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/closure',
    summary:
      'contrôles de clôture de l’exercice, à tout moment de l’année : ce qui bloque (erreurs), ce qui mérite un regard (avertissements), les chiffres de clôture',
    tag: 'clôture',
    params: { coop: CoopParam, year: YearParam },
    query: {
      pending: {
        description:
          'nombre de lignes en attente d’envoi dans le classeur (file du complément) : file_attente au-delà de 0',
        schema: z.string().regex(/^\d{1,6}$/, { error: 'pending : nombre entier attendu' }),
      },
    },
    responses: { 200: { description: 'les contrôles de clôture', schema: Closure }, ...COMMON_ERRORS },
    async handle(r) {
      const pending = typeof r.ctx.query.pending === 'string' ? Number(r.ctx.query.pending) : 0;
      const today = isoDay(r.services.now ? r.services.now() : new Date());
      r.ctx.body = await closureOf(await scopeOf(r), today, pending);
    },
  },
];
