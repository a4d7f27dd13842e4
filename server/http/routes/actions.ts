/** The synthèse des actions of an exercise: per action tag, receipts, expenses, result, lines. */
import { z } from 'zod';
import { actionsOf } from '../../operations/side-books/actions';
import type { Route } from '../context';
import { COMMON_ERRORS, CoopParam, YearParam, scopeOf } from './shared';

export const Action = z
  .object({
    action: z.string(),
    receipts: z.number().int().meta({ description: 'recettes de l’action, en centimes' }),
    expenses: z.number().int().meta({ description: 'dépenses de l’action (régies comprises), en centimes' }),
    result: z.number().int().meta({ description: 'recettes − dépenses' }),
    lines: z.number().int().meta({ description: 'nombre de recettes et de dépenses portant l’action' }),
  })
  .meta({ id: 'Action' });

export const ACTION_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/actions',
    summary:
      'synthèse des actions : par action, recettes, dépenses, résultat et nombre de lignes (lignes validées ; opérations internes exclues), comme la feuille Actions',
    tag: 'actions',
    params: { coop: CoopParam, year: YearParam },
    responses: {
      200: { description: 'les actions, dans l’ordre alphabétique', schema: z.array(Action) },
      ...COMMON_ERRORS,
    },
    async handle(r) {
      r.ctx.body = await actionsOf(await scopeOf(r));
    },
  },
];
