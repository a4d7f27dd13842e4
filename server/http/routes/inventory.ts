/** The cahier d'inventaire of a coop (across exercises), its items' history, and one exercise's check. */
import { z } from 'zod';
import { chartOf, coopFor } from '../../operations/access';
import {
  createInventoryItem,
  deleteInventoryItem,
  exerciseInventory,
  getInventoryItem,
  inventoryItemHistory,
  listInventory,
  replaceInventoryItem,
  type CoopScope,
} from '../../operations/side-books/inventory';
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
import { BookProblemSchema, LineRefSchema, SideBookHistory, bookDate, versionedWriteErrors } from './side-books-shared';

const INVENTORY = '/api/coops/{coop}/inventory';
const ItemParam = numberParam('numéro du bien', 'bien');
const IF_MATCH = ifMatchHeader('du bien', true);

/** Types only: the rules (designation, dates, value, disposal reason, the 6800 lines) are the shared ones. */
export const InventoryItemBody = z
  .object({
    designation: cleanString('designation').meta({ description: 'le bien, tel qu’on le reconnaît' }),
    acquiredOn: bookDate('acquiredOn'),
    value: z
      .number({ error: 'value : nombre de centimes attendu' })
      .int({ error: 'value : montant en centimes entiers (45000 pour 450,00 €)' })
      .meta({ description: 'valeur d’acquisition, en centimes' }),
    lines: z.array(Uuid, { error: 'lines : liste d’identifiants de lignes attendue' }).default([]).meta({
      description:
        'lignes en 6800 d’où vient le bien (tout exercice de la coopérative) ; une ligne en brouillon peut y être, elle ne compte dans le contrôle de son exercice qu’une fois validée',
    }),
    location: cleanString('location').nullable().default(null),
    disposedOn: bookDate('disposedOn').nullable().default(null),
    disposalReason: cleanString('disposalReason').nullable().default(null).meta({
      description: 'motif de sortie : obligatoire avec la date de sortie',
    }),
  })
  .strict()
  .meta({
    id: 'InventoryItemInput',
    example: {
      designation: 'Vidéoprojecteur Epson',
      acquiredOn: '2025-10-14',
      value: 45_000,
      lines: ['3f0c2f9e-5d0b-4a7e-9a43-1c9f7d2b6e11'],
      location: 'Salle 2',
      disposedOn: null,
      disposalReason: null,
    },
  });

const InventoryItem = z
  .object({
    id: z.number().int(),
    version: z.number().int(),
    designation: z.string(),
    acquiredOn: z.string(),
    value: z.number().int(),
    lines: z.array(
      LineRefSchema.extend({ exercise: z.number().int().meta({ description: 'année de début de l’exercice' }) }),
    ),
    location: z.string().nullable(),
    disposedOn: z.string().nullable(),
    disposalReason: z.string().nullable(),
  })
  .meta({ id: 'InventoryItem' });

const Inventory = z
  .object({
    items: z.array(InventoryItem),
    totals: z.object({ held: z.number().int(), disposed: z.number().int() }),
  })
  .meta({ id: 'Inventory' });

const InventoryCheck = z
  .object({
    items: z.array(InventoryItem).meta({ description: 'biens détenus pendant l’exercice' }),
    unlisted: z.array(LineRefSchema).meta({
      description: 'lignes validées en 6800 de l’exercice sans bien à l’inventaire (les brouillons n’y sont pas)',
    }),
    totals: z.object({
      purchases: z.number().int().meta({ description: 'achats de biens durables de l’exercice (lignes validées)' }),
      listed: z.number().int().meta({ description: 'valeur des biens acquis pendant l’exercice' }),
    }),
    problems: z.array(BookProblemSchema),
  })
  .meta({ id: 'InventoryCheck' });

async function coopScopeOf(r: RouteContext): Promise<CoopScope> {
  const db = r.services.db;
  const coop = await coopFor(db, r.principal, r.params.coop!);
  return { db, principal: r.principal, coop, chart: await chartOf(db, coop.departmentCode) };
}

const itemId = (r: RouteContext) => Number(r.params.item);

const CLOSED = problem(
  'exercice clôturé : un bien acquis, sorti ou payé pendant un exercice clôturé n’y change plus (son emplacement si)',
);
const WRITE_ERRORS = { ...versionedWriteErrors('le bien actuel'), 409: CLOSED };

export const INVENTORY_ROUTES: Route[] = [
  {
    method: 'get',
    path: INVENTORY,
    summary: 'cahier d’inventaire de la coopérative : tous ses biens durables, sortis compris, d’un exercice à l’autre',
    tag: 'inventaire',
    params: { coop: CoopParam },
    responses: { 200: { description: 'le cahier d’inventaire', schema: Inventory }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await listInventory(await coopScopeOf(r));
    },
  },
  {
    method: 'post',
    path: INVENTORY,
    summary: 'inscrit un bien durable (désignation, date, valeur, lignes en 6800 d’où il vient, emplacement)',
    tag: 'inventaire',
    params: { coop: CoopParam },
    body: InventoryItemBody,
    responses: { 201: { description: 'le bien inscrit', schema: InventoryItem }, 409: CLOSED, ...COMMON_ERRORS },
    async handle(r) {
      const item = await createInventoryItem(await coopScopeOf(r), r.body as z.infer<typeof InventoryItemBody>);
      r.ctx.set('Location', `${r.ctx.path}/${item.id}`);
      replyVersioned(r, item, 201);
    },
  },
  {
    method: 'get',
    path: `${INVENTORY}/{item}`,
    summary: 'un bien de l’inventaire et les lignes d’où il vient',
    tag: 'inventaire',
    params: { coop: CoopParam, item: ItemParam },
    responses: { 200: { description: 'le bien', schema: InventoryItem }, ...COMMON_ERRORS },
    async handle(r) {
      replyVersioned(r, await getInventoryItem(await coopScopeOf(r), itemId(r)));
    },
  },
  {
    method: 'put',
    path: `${INVENTORY}/{item}`,
    summary: 'remplace un bien (If-Match requis) : une sortie d’inventaire demande sa date et son motif',
    tag: 'inventaire',
    params: { coop: CoopParam, item: ItemParam },
    headers: IF_MATCH,
    body: InventoryItemBody,
    responses: { 200: { description: 'le bien', schema: InventoryItem }, ...WRITE_ERRORS },
    async handle(r) {
      const body = r.body as z.infer<typeof InventoryItemBody>;
      replyVersioned(r, await replaceInventoryItem(await coopScopeOf(r), itemId(r), body, ifMatchOf(r)));
    },
  },
  {
    method: 'delete',
    path: `${INVENTORY}/{item}`,
    summary:
      'supprime un bien inscrit par erreur (If-Match requis) ; un bien qui quitte la coopérative reçoit plutôt une date de sortie',
    tag: 'inventaire',
    params: { coop: CoopParam, item: ItemParam },
    headers: IF_MATCH,
    responses: { 204: { description: 'bien supprimé' }, ...WRITE_ERRORS },
    async handle(r) {
      await deleteInventoryItem(await coopScopeOf(r), itemId(r), ifMatchOf(r));
      r.ctx.status = 204;
    },
  },
  {
    method: 'get',
    path: `${INVENTORY}/{item}/history`,
    summary: 'historique d’un bien : qui, quand, avant, après',
    tag: 'inventaire',
    params: { coop: CoopParam, item: ItemParam },
    responses: {
      200: { description: 'les changements, du plus ancien au plus récent', schema: SideBookHistory },
      ...COMMON_ERRORS,
    },
    async handle(r) {
      r.ctx.body = await inventoryItemHistory(await coopScopeOf(r), itemId(r));
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/inventory',
    summary:
      'inventaire vu d’un exercice : biens détenus, dépenses en 6800 sans bien, achats de l’exercice contre biens acquis, problèmes',
    tag: 'inventaire',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'le contrôle de l’inventaire', schema: InventoryCheck }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await exerciseInventory(await scopeOf(r));
    },
  },
];
