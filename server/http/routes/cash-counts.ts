/** The arrêtés de caisse of an exercise: count the notes and coins at a date, list, read, delete, history. */
import { z } from 'zod';
import { DENOMINATIONS, MAX_PER_DENOMINATION } from '../../../templates/definition';
import {
  cashCountHistory,
  deleteCashCount,
  getCashCount,
  listCashCounts,
  putCashCount,
} from '../../operations/side-books/cash-counts';
import type { Route } from '../context';
import {
  COMMON_ERRORS,
  CoopParam,
  YearParam,
  ifMatchOf,
  isoDateText,
  problem,
  replyVersioned,
  scopeOf,
} from './shared';
import { BOOK_WRITE_ERRORS, SideBookChange } from './side-books-shared';

const CASH_COUNTS = '/api/coops/{coop}/exercises/{year}/cash-counts';

const DateParam = { description: 'date du comptage, AAAA-MM-JJ (dans l’exercice)', schema: isoDateText('date') };

const DENOMINATION_LIST = DENOMINATIONS.map((d) => d.cents).join(', ');

/** The counts are checked by the pure rules (French errors naming `counts.<valeur>`); here, their shape. */
export const CashCountInput = z
  .object({
    counts: z
      .record(z.string(), z.unknown().meta({ type: 'integer', minimum: 0, maximum: MAX_PER_DENOMINATION }), {
        error: 'counts : objet attendu (valeur en centimes → nombre), ex. {"5000": 1, "200": 3}',
      })
      .meta({
        description: `billet ou pièce en centimes (${DENOMINATION_LIST}) → nombre (entier de 0 à ${MAX_PER_DENOMINATION})`,
      }),
  })
  .strict()
  .meta({
    id: 'CashCountInput',
    description: 'le comptage de la caisse : pour chaque billet ou pièce (valeur en centimes), combien',
    example: { counts: { '5000': 1, '2000': 2, '50': 3 } },
  });

export const CashCount = z
  .object({
    date: z.string(),
    counts: z.record(z.string(), z.number().int()),
    total: z.number().int().meta({ description: 'total compté, en centimes' }),
    balance: z
      .number()
      .int()
      .meta({ description: 'solde de la caisse au cahier à la fin de ce jour (lignes validées)' }),
    gap: z.number().int().meta({ description: 'écart = total − balance' }),
    ok: z.boolean().meta({ description: 'true quand l’écart est nul (« Bravo, la caisse est juste ! »)' }),
    version: z.number().int(),
    updatedBy: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'CashCount' });

const CashCountChange = SideBookChange.extend({
  action: z.enum(['create', 'update', 'delete']),
  before: z.unknown().nullable().meta({ description: 'l’arrêté avant : date, counts, total, balance, gap, version' }),
  after: z.unknown().nullable().meta({ description: 'l’arrêté après (null pour une suppression)' }),
});

const COUNT_IF_MATCH = {
  'If-Match': {
    description:
      'version de l’arrêté connue du client (ex. "2") ; facultatif : donnée, elle doit être la version actuelle',
  },
};
const COUNT_WRITE_ERRORS = {
  ...BOOK_WRITE_ERRORS,
  412: problem('version périmée ou arrêté supprimé entre-temps : l’arrêté actuel est dans current'),
};

export const CASH_COUNT_ROUTES: Route[] = [
  {
    method: 'get',
    path: CASH_COUNTS,
    summary: 'arrêtés de caisse de l’exercice, du plus récent au plus ancien, comparés au solde actuel du cahier',
    tag: 'caisse',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'les arrêtés de caisse', schema: z.array(CashCount) }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await listCashCounts(await scopeOf(r));
    },
  },
  {
    method: 'get',
    path: `${CASH_COUNTS}/{date}`,
    summary: 'l’arrêté de caisse d’une date, comparé au solde du cahier à la fin de ce jour',
    tag: 'caisse',
    params: { coop: CoopParam, year: YearParam, date: DateParam },
    responses: { 200: { description: 'l’arrêté de caisse', schema: CashCount }, ...COMMON_ERRORS },
    async handle(r) {
      replyVersioned(r, await getCashCount(await scopeOf(r), r.params.date!));
    },
  },
  {
    method: 'put',
    path: `${CASH_COUNTS}/{date}`,
    summary:
      'enregistre le comptage de la caisse à une date (crée ou remplace ; If-Match facultatif) ; rend le total, le solde du cahier et l’écart',
    tag: 'caisse',
    params: { coop: CoopParam, year: YearParam, date: DateParam },
    headers: COUNT_IF_MATCH,
    body: CashCountInput,
    responses: {
      200: { description: 'arrêté remplacé, ou renvoi identique sans effet', schema: CashCount },
      201: { description: 'arrêté créé', schema: CashCount },
      ...COUNT_WRITE_ERRORS,
      422: problem('date hors de l’exercice, ou billet, pièce ou nombre invalide (liste dans errors)'),
    },
    async handle(r) {
      const { status, count } = await putCashCount(
        await scopeOf(r),
        r.params.date!,
        r.body as { counts?: unknown },
        ifMatchOf(r),
      );
      replyVersioned(r, count, status);
    },
  },
  {
    method: 'delete',
    path: `${CASH_COUNTS}/{date}`,
    summary: 'supprime l’arrêté de caisse d’une date (If-Match facultatif) ; l’historique le garde',
    tag: 'caisse',
    params: { coop: CoopParam, year: YearParam, date: DateParam },
    headers: COUNT_IF_MATCH,
    responses: { 204: { description: 'arrêté supprimé' }, ...COUNT_WRITE_ERRORS },
    async handle(r) {
      await deleteCashCount(await scopeOf(r), r.params.date!, ifMatchOf(r));
      r.ctx.status = 204;
    },
  },
  {
    method: 'get',
    path: `${CASH_COUNTS}/{date}/history`,
    summary: 'historique de l’arrêté de caisse d’une date : qui, quand, avant, après',
    tag: 'caisse',
    params: { coop: CoopParam, year: YearParam, date: DateParam },
    responses: {
      200: { description: 'les changements, du plus ancien au plus récent', schema: z.array(CashCountChange) },
      ...COMMON_ERRORS,
    },
    async handle(r) {
      r.ctx.body = await cashCountHistory(await scopeOf(r), r.params.date!);
    },
  },
];
