/** The tableau des subventions of an exercise: subsidies, the lines attached to them, history. */
import { z } from 'zod';
import { SUBSIDY_STATES } from '../../../templates/definition';
import {
  attachSubsidyLine,
  createSubsidy,
  deleteSubsidy,
  detachSubsidyLine,
  getSubsidy,
  listSubsidies,
  replaceSubsidy,
  subsidyHistory,
} from '../../operations/side-books/subsidies';
import type { Route, RouteContext } from '../context';
import { Uuid, cleanString } from '../schemas';
import {
  COMMON_ERRORS,
  CoopParam,
  YearParam,
  ifMatchHeader,
  ifMatchOf,
  numberParam,
  problem,
  replyVersioned,
  scopeOf,
} from './shared';
import {
  BOOK_WRITE_ERRORS,
  BookProblemSchema,
  LineRefSchema,
  SideBookHistory,
  bookDate,
  versionedWriteErrors,
} from './side-books-shared';

const SUBSIDIES = '/api/coops/{coop}/exercises/{year}/subsidies';
const SubsidyParam = numberParam('numéro de la subvention', 'subvention');
const LineParam = { description: 'UUID de la ligne rattachée', schema: Uuid };
const IF_MATCH = ifMatchHeader('de la subvention', true);
const WRITE_ERRORS = versionedWriteErrors('la subvention actuelle');

const isoDate = (field: string) => bookDate(field).nullable().default(null);

/** Types only: the rules (texts required, the chapter of the chart, dates, justification) are the shared ones. */
export const SubsidyInputBody = z
  .object({
    financeur: cleanString('financeur').meta({ description: 'qui verse : commune, département, association…' }),
    objet: cleanString('objet').meta({ description: 'ce que la subvention finance' }),
    chapter: cleanString('chapter', 'chapter : code de chapitre attendu (ex. « 7410 »)').meta({
      description: 'chapitre de subvention du plan (7410 collectivités, 7420 associations)',
    }),
    granted: z
      .number({ error: 'granted : nombre de centimes attendu' })
      .int({ error: 'granted : montant en centimes entiers (120000 pour 1 200,00 €)' })
      .meta({ description: 'montant accordé, en centimes' }),
    decisionDate: isoDate('decisionDate'),
    actions: z
      .array(cleanString('actions'), { error: 'actions : liste d’actions attendue' })
      .default([])
      .meta({ description: 'actions (étiquettes des lignes) que la subvention finance' }),
    state: z
      .enum(SUBSIDY_STATES as ['a_justifier', 'justifiee'], {
        error: 'state : a_justifier (à justifier) ou justifiee (justifiée)',
      })
      .default('a_justifier'),
    justifiedOn: isoDate('justifiedOn').meta({ description: 'date de la justification : obligatoire si justifiee' }),
    note: cleanString('note').nullable().default(null),
  })
  .strict()
  .meta({
    id: 'SubsidyInput',
    example: {
      financeur: 'Mairie de Limoges',
      objet: 'Classe découverte CM2',
      chapter: '7410',
      granted: 120_000,
      decisionDate: '2025-10-02',
      actions: ['Classe découverte'],
      state: 'a_justifier',
      justifiedOn: null,
      note: null,
    },
  });

const Subsidy = z
  .object({
    id: z.number().int(),
    version: z.number().int(),
    financeur: z.string(),
    objet: z.string(),
    chapter: z.string(),
    granted: z.number().int(),
    decisionDate: z.string().nullable(),
    actions: z.array(z.string()),
    state: z.enum(['a_justifier', 'justifiee']),
    justifiedOn: z.string().nullable(),
    note: z.string().nullable(),
    receipts: z.array(LineRefSchema).meta({
      description:
        'recettes validées rattachées (leur part en 7410/7420) ; une recette en brouillon rattachée ne compte qu’une fois validée',
    }),
    received: z.number().int(),
    uses: z.array(LineRefSchema).meta({
      description: 'dépenses validées rattachées comme emploi (une dépense en brouillon compte une fois validée)',
    }),
    spent: z.number().int().meta({ description: 'dépenses validées rattachées + dépenses validées de ses actions' }),
  })
  .meta({ id: 'Subsidy' });

const Subsidies = z
  .object({
    subsidies: z.array(Subsidy),
    unattached: z.array(LineRefSchema).meta({
      description: 'recettes validées en 7410/7420 rattachées à aucune subvention (les brouillons n’y sont pas)',
    }),
    totals: z.object({ granted: z.number().int(), received: z.number().int(), spent: z.number().int() }),
    problems: z.array(BookProblemSchema),
  })
  .meta({ id: 'Subsidies' });

export const AttachRequest = z
  .object({
    line: Uuid.meta({ description: 'UUID d’une ligne de l’exercice' }),
    role: z
      .enum(['receipt', 'use'], { error: 'role : receipt (recette de la subvention) ou use (dépense qu’elle finance)' })
      .meta({ description: 'receipt : recette en 7410/7420 ; use : dépense financée' }),
  })
  .strict()
  .meta({ id: 'SubsidyAttachRequest' });

const subsidyId = (r: RouteContext) => Number(r.params.subsidy);

export const SUBSIDY_ROUTES: Route[] = [
  {
    method: 'get',
    path: SUBSIDIES,
    summary:
      'tableau des subventions : chaque subvention (accordé, reçu, dépensé), les recettes de subvention non rattachées, les totaux et les problèmes',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'le tableau des subventions', schema: Subsidies }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await listSubsidies(await scopeOf(r));
    },
  },
  {
    method: 'post',
    path: SUBSIDIES,
    summary: 'enregistre une subvention (financeur, objet, chapitre, montant accordé, justification)',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam },
    body: SubsidyInputBody,
    responses: { 201: { description: 'la subvention créée', schema: Subsidy }, ...BOOK_WRITE_ERRORS },
    async handle(r) {
      const subsidy = await createSubsidy(await scopeOf(r), r.body as z.infer<typeof SubsidyInputBody>);
      r.ctx.set('Location', `${r.ctx.path}/${subsidy.id}`);
      replyVersioned(r, subsidy, 201);
    },
  },
  {
    method: 'get',
    path: `${SUBSIDIES}/{subsidy}`,
    summary: 'une subvention, ses recettes et ses emplois',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam },
    responses: { 200: { description: 'la subvention', schema: Subsidy }, ...COMMON_ERRORS },
    async handle(r) {
      replyVersioned(r, await getSubsidy(await scopeOf(r), subsidyId(r)));
    },
  },
  {
    method: 'put',
    path: `${SUBSIDIES}/{subsidy}`,
    summary: 'remplace une subvention (If-Match requis) : la passer à « justifiée » demande la date',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam },
    headers: IF_MATCH,
    body: SubsidyInputBody,
    responses: { 200: { description: 'la subvention', schema: Subsidy }, ...WRITE_ERRORS },
    async handle(r) {
      const body = r.body as z.infer<typeof SubsidyInputBody>;
      replyVersioned(r, await replaceSubsidy(await scopeOf(r), subsidyId(r), body, ifMatchOf(r)));
    },
  },
  {
    method: 'delete',
    path: `${SUBSIDIES}/{subsidy}`,
    summary: 'supprime une subvention (If-Match requis) ; ses lignes sont détachées',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam },
    headers: IF_MATCH,
    responses: { 204: { description: 'subvention supprimée' }, ...WRITE_ERRORS },
    async handle(r) {
      await deleteSubsidy(await scopeOf(r), subsidyId(r), ifMatchOf(r));
      r.ctx.status = 204;
    },
  },
  {
    method: 'post',
    path: `${SUBSIDIES}/{subsidy}/lines`,
    summary:
      'rattache une ligne de l’exercice : une recette en 7410/7420 (à une seule subvention) ou une dépense qu’elle finance ; une ligne en brouillon peut être rattachée, elle ne compte qu’une fois validée',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam },
    body: AttachRequest,
    responses: {
      201: { description: 'ligne rattachée : la subvention', schema: Subsidy },
      200: { description: 'déjà rattachée (renvoi sans effet) : la subvention', schema: Subsidy },
      409: problem('exercice clôturé, ou recette déjà rattachée à une autre subvention (nommée)'),
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const body = r.body as z.infer<typeof AttachRequest>;
      const { created, subsidy } = await attachSubsidyLine(await scopeOf(r), subsidyId(r), body.line, body.role);
      replyVersioned(r, subsidy, created ? 201 : 200);
    },
  },
  {
    method: 'delete',
    path: `${SUBSIDIES}/{subsidy}/lines/{id}`,
    summary: 'détache une ligne de la subvention',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam, id: LineParam },
    responses: { 200: { description: 'la subvention', schema: Subsidy }, ...BOOK_WRITE_ERRORS },
    async handle(r) {
      replyVersioned(r, await detachSubsidyLine(await scopeOf(r), subsidyId(r), r.params.id!));
    },
  },
  {
    method: 'get',
    path: `${SUBSIDIES}/{subsidy}/history`,
    summary: 'historique d’une subvention : qui, quand, avant, après (lignes rattachées et détachées comprises)',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam },
    responses: {
      200: { description: 'les changements, du plus ancien au plus récent', schema: SideBookHistory },
      ...COMMON_ERRORS,
    },
    async handle(r) {
      r.ctx.body = await subsidyHistory(await scopeOf(r), subsidyId(r));
    },
  },
];
