/** The closure of an exercise: what blocks it, checked any day of the year. */
import { z } from 'zod';
import { archiveOf, coopArchives, listArchives } from '../../operations/archives';
import {
  closeExercise,
  closureOf,
  isoDay,
  outstandingOf,
  pointOutstanding,
  reopenExercise,
} from '../../operations/closure';
import type { Route, RouteContext } from '../context';
import * as S from '../schemas';
import { COMMON_ERRORS, CoopParam, IdParam, YearParam, exerciseJson, numberParam, problem, scopeOf } from './shared';
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

/** The day of the service's clock. */
const todayOf = (r: RouteContext) => isoDay(r.services.now ? r.services.now() : new Date());

export const ArchiveEntry = z
  .object({
    id: z.number().int(),
    closing: z.number().int().meta({ description: '1 pour la première clôture, 2 après une réouverture…' }),
    kind: z.enum(['cloture', 'crf', 'cahier']).meta({
      description: 'cloture : chiffres de clôture figés ; crf : compte rendu financier ; cahier : version imprimable',
    }),
    format: z.string(),
    name: z.string(),
    type: z.string(),
    size: z.number().int().meta({ description: 'taille en octets' }),
    sha256: z.string().meta({ description: 'empreinte SHA-256 (hexadécimal) des octets téléchargés' }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'ArchiveEntry' });

const OutstandingItem = z
  .object({
    id: z.string(),
    pj: z.string(),
    date: z.string(),
    libelle: z.string(),
    mode: z.string().nullable(),
    cheque: z.string().nullable(),
    direction: z.enum(['depense', 'recette']),
    amount: z.number().int(),
    cleared: z.object({ on: z.string(), by: z.string() }).nullable(),
  })
  .meta({ id: 'OutstandingItem' });

const Outstanding = z
  .object({
    from: z.string().nullable().meta({ description: 'exercice précédent clôturé (null : rien à reprendre)' }),
    items: z.array(OutstandingItem),
    total: z.object({}).passthrough(),
  })
  .meta({ id: 'Outstanding' });

const ClosingResult = z
  .object({
    exercise: S.Exercise,
    next: S.Exercise,
    closing: z.number().int(),
    figures: z.object({}).passthrough(),
    warnings: z.array(z.object({}).passthrough()),
    archives: z.array(ArchiveEntry),
  })
  .meta({ id: 'ClosingResult' });

const CoopArchives = z
  .array(
    z.object({
      year: z.number().int().meta({ description: 'année de début de l’exercice' }),
      exercise: z.string().meta({ description: 'AAAA-AAAA' }),
      status: z.enum(['open', 'closed']).meta({ description: 'open : rouvert depuis (ses documents restent)' }),
      documents: z.array(ArchiveEntry),
    }),
  )
  .meta({ id: 'CoopArchives' });

const ArchiveParam = numberParam('numéro du document archivé', 'archive');

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
      r.ctx.body = await closureOf(await scopeOf(r), todayOf(r), pending);
    },
  },
  {
    method: 'post',
    path: '/api/coops/{coop}/exercises/{year}/closure',
    summary:
      'clôture l’exercice quand rien ne bloque : exercice en lecture seule, chiffres de clôture figés, exercice suivant ouvert avec les soldes de clôture en report à nouveau, compte rendu et version imprimable archivés (sha256)',
    tag: 'clôture',
    params: { coop: CoopParam, year: YearParam },
    responses: {
      200: {
        description: 'l’exercice clôturé, le suivant, les chiffres et les documents archivés',
        schema: ClosingResult,
      },
      409: problem('clôture impossible (erreurs dans problems) ou exercice déjà clôturé'),
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const scope = await scopeOf(r);
      const out = await closeExercise(scope, r.params.coop!, todayOf(r));
      r.ctx.body = {
        exercise: exerciseJson(out.exercise),
        next: exerciseJson(out.next),
        closing: out.closing,
        figures: out.report.figures,
        warnings: out.report.problems.filter((p) => p.severity === 'warning'),
        archives: out.archives,
      };
    },
  },
  {
    method: 'post',
    path: '/api/coops/{coop}/exercises/{year}/closure/reopen',
    summary:
      'rouvre un exercice clôturé (trésorier départemental ou administrateur), avec une raison inscrite à l’historique ; les documents archivés restent',
    tag: 'clôture',
    params: { coop: CoopParam, year: YearParam },
    body: z.object({
      reason: S.cleanString('reason').max(2000, { error: 'reason : 2000 caractères au plus' }).optional(),
    }),
    responses: {
      200: { description: 'l’exercice rouvert', schema: S.Exercise },
      ...COMMON_ERRORS,
      403: problem('réservé au trésorier départemental (ou à un administrateur)'),
      422: problem('raison manquante'),
    },
    async handle(r) {
      const body = r.body as { reason?: string };
      r.ctx.body = exerciseJson(await reopenExercise(await scopeOf(r), body.reason));
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/outstanding',
    summary:
      'opérations bancaires de l’exercice précédent non pointées à sa clôture (chèques non encaissés, recettes non créditées) : jamais ressaisies, pointables dans le nouvel exercice',
    tag: 'clôture',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'les opérations en suspens', schema: Outstanding }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await outstandingOf(await scopeOf(r));
    },
  },
  {
    method: 'post',
    path: '/api/coops/{coop}/exercises/{year}/outstanding/{id}/pointage',
    summary:
      'pointe (ou dépointe) dans le nouvel exercice une opération en suspens de l’exercice précédent ; l’exercice clos n’est pas modifié',
    tag: 'clôture',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    body: z.object({ pointed: z.boolean({ error: 'pointed : vrai ou faux attendu' }) }),
    responses: {
      200: { description: 'l’opération en suspens', schema: OutstandingItem },
      409: problem('exercice clôturé'),
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const body = r.body as { pointed: boolean };
      r.ctx.body = await pointOutstanding(await scopeOf(r), r.params.id!, body.pointed, todayOf(r));
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/archives',
    summary:
      'documents archivés à chaque clôture (chiffres de clôture, compte rendu financier dans chaque format, version imprimable), avec leur sha256 ; jamais supprimés',
    tag: 'clôture',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'les documents archivés', schema: z.array(ArchiveEntry) }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await listArchives(await scopeOf(r));
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/archives',
    summary:
      'les exercices clôturés de la coopérative (le plus récent d’abord) avec leurs documents archivés ; un exercice rouvert depuis garde les siens',
    tag: 'clôture',
    params: { coop: CoopParam },
    responses: { 200: { description: 'les exercices archivés', schema: CoopArchives }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await coopArchives(r.services.db, r.principal, r.params.coop!);
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/archives/{archive}',
    summary: 'télécharge un document archivé ; ses octets ont l’empreinte donnée par X-Content-SHA256 (et l’ETag)',
    tag: 'clôture',
    params: { coop: CoopParam, year: YearParam, archive: ArchiveParam },
    responses: { 200: { description: 'le document, avec son type' }, ...COMMON_ERRORS },
    async handle(r) {
      const a = await archiveOf(await scopeOf(r), Number(r.params.archive));
      r.ctx.set('Content-Disposition', `attachment; filename="${a.name}"`);
      r.ctx.set('X-Content-SHA256', a.sha256);
      r.ctx.set('ETag', `"${a.sha256}"`);
      r.ctx.type = a.type;
      r.ctx.body = a.bytes;
    },
  },
];
