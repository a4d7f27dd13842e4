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
import { BookProblemSchema, LineRefSchema } from './regies';
import {
  COMMON_ERRORS,
  CoopParam,
  IF_MATCH_REQUIRED,
  WRITE_ERRORS,
  YearParam,
  ifMatchOf,
  problem,
  scopeOf,
} from './shared';

const SUBSIDIES = '/api/coops/{coop}/exercises/{year}/subsidies';
const SubsidyParam = {
  description: 'numéro de la subvention',
  schema: z.string().regex(/^\d{1,9}$/, { error: 'subvention : numéro attendu' }),
};
const LineParam = { description: 'UUID de la ligne rattachée', schema: Uuid };

const isoDate = (what: string) =>
  z
    .string({ error: `${what} : date AAAA-MM-JJ attendue` })
    .nullable()
    .default(null)
    .meta({ description: 'AAAA-MM-JJ' });

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

export const SideBookHistory = z.array(
  z.object({ action: z.string(), at: z.string(), login: z.string(), before: z.unknown(), after: z.unknown() }),
);

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
    receipts: z.array(LineRefSchema).meta({ description: 'recettes rattachées (leur part en 7410/7420)' }),
    received: z.number().int(),
    uses: z.array(LineRefSchema).meta({ description: 'dépenses rattachées comme emploi' }),
    spent: z.number().int().meta({ description: 'dépenses rattachées + dépenses de ses actions' }),
  })
  .meta({ id: 'Subsidy' });

const Subsidies = z
  .object({
    subsidies: z.array(Subsidy),
    unattached: z.array(LineRefSchema).meta({ description: 'recettes en 7410/7420 rattachées à aucune subvention' }),
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

function reply(r: RouteContext, subsidy: { version: number }, status = 200): void {
  r.ctx.status = status;
  r.ctx.set('ETag', `"${subsidy.version}"`);
  r.ctx.body = subsidy;
}

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
    responses: {
      201: { description: 'la subvention créée', schema: Subsidy },
      409: problem('exercice clôturé'),
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const subsidy = await createSubsidy(await scopeOf(r), r.body as z.infer<typeof SubsidyInputBody>);
      r.ctx.set('Location', `${r.ctx.path}/${subsidy.id}`);
      reply(r, subsidy, 201);
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
      reply(r, await getSubsidy(await scopeOf(r), subsidyId(r)));
    },
  },
  {
    method: 'put',
    path: `${SUBSIDIES}/{subsidy}`,
    summary: 'remplace une subvention (If-Match requis) : la passer à « justifiée » demande la date',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam },
    headers: IF_MATCH_REQUIRED,
    body: SubsidyInputBody,
    responses: { 200: { description: 'la subvention', schema: Subsidy }, ...WRITE_ERRORS },
    async handle(r) {
      const body = r.body as z.infer<typeof SubsidyInputBody>;
      reply(r, await replaceSubsidy(await scopeOf(r), subsidyId(r), body, ifMatchOf(r)));
    },
  },
  {
    method: 'delete',
    path: `${SUBSIDIES}/{subsidy}`,
    summary: 'supprime une subvention (If-Match requis) ; ses lignes sont détachées',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam },
    headers: IF_MATCH_REQUIRED,
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
      'rattache une ligne de l’exercice : une recette en 7410/7420 (à une seule subvention) ou une dépense qu’elle finance',
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
      reply(r, subsidy, created ? 201 : 200);
    },
  },
  {
    method: 'delete',
    path: `${SUBSIDIES}/{subsidy}/lines/{id}`,
    summary: 'détache une ligne de la subvention',
    tag: 'subventions',
    params: { coop: CoopParam, year: YearParam, subsidy: SubsidyParam, id: LineParam },
    responses: {
      200: { description: 'la subvention', schema: Subsidy },
      409: problem('exercice clôturé'),
      ...COMMON_ERRORS,
    },
    async handle(r) {
      reply(r, await detachSubsidyLine(await scopeOf(r), subsidyId(r), r.params.id!));
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
