/**
 * The route table: every endpoint with its schemas and handler. The router is built from it
 * and so is the OpenAPI document, so what is documented is what is validated.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { exerciseBounds, exerciseLabel } from '../../templates/definition';
import { chartOf, coopFor, exerciseFor, canAccessCoop, type Principal } from '../operations/access';
import { ServiceError } from '../operations/errors';
import {
  deleteLine,
  duplicateLine,
  getLine,
  lineHistory,
  lineJson,
  listLines,
  pointLine,
  putLine,
  syncLines,
  type Scope,
  type SyncEntry,
  type WriteOutcome,
} from '../operations/lines';
import { login, logout } from '../operations/sessions';
import { openExercise } from '../operations/accounts';
import * as S from './schemas';
import type { Services } from './app';
import { randomUUID } from 'node:crypto';

export type Method = 'get' | 'put' | 'post' | 'delete';

export interface RouteContext {
  ctx: Context;
  services: Services;
  principal: Principal;
  params: Record<string, string>;
  body: unknown;
}

export interface Route {
  method: Method;
  /** OpenAPI form: /api/coops/{coop}. */
  path: string;
  summary: string;
  tag: string;
  /** Needs a session token (default true). */
  auth?: boolean;
  params?: Record<string, { description: string; schema: z.ZodType }>;
  query?: Record<string, { description: string; schema: z.ZodType }>;
  headers?: Record<string, { description: string; required?: boolean }>;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(r: RouteContext): Promise<void>;
}

const CoopParam = { description: 'numéro de la coopérative', schema: z.string().max(40) };
const YearParam = {
  description: 'année de début de l’exercice (2025 pour 2025-2026)',
  schema: z.string().regex(/^\d{4}$/, { error: 'année sur 4 chiffres attendue (2025 pour 2025-2026)' }),
};
const IdParam = { description: 'UUID de la ligne', schema: S.Uuid };
const IF_MATCH = { 'If-Match': { description: 'version de la ligne connue du client (ex. "3")' } };

const problem = (description: string) => ({ description, schema: S.ProblemDocument });
const COMMON_ERRORS = {
  400: problem('requête mal formée'),
  401: problem('session absente ou expirée'),
  403: problem('accès refusé à cette coopérative'),
  404: problem('coopérative, exercice ou ligne inconnus'),
  422: problem('champs invalides (liste dans errors)'),
};
const WRITE_ERRORS = {
  ...COMMON_ERRORS,
  409: problem('exercice clôturé, ligne pointée ou identifiant déjà pris'),
  412: problem('version périmée : la ligne actuelle est dans current'),
  428: problem('If-Match requis'),
};

/** "3", W/"3" or 3 → 3; absent → null. */
export function parseIfMatch(header: string | undefined): number | null {
  if (header === undefined || header.trim() === '') return null;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  if (!m)
    throw new ServiceError(400, 'if_match_invalide', `En-tête If-Match illisible : « ${header} » (attendu : "3").`);
  return Number(m[1]);
}

async function scopeOf(r: RouteContext): Promise<Scope> {
  const { coop, year } = r.params;
  const s = await exerciseFor(r.services.db, r.principal, coop!, Number(year));
  return { db: r.services.db, principal: r.principal, exercise: s.exercise, chart: s.chart };
}

function reply(r: RouteContext, outcome: WriteOutcome): void {
  if (outcome.result === 'conflict') {
    throw new ServiceError(outcome.status, outcome.code, outcome.message, {
      current: outcome.row ? lineJson(outcome.row) : null,
    });
  }
  r.ctx.status = outcome.status;
  r.ctx.set('ETag', `"${outcome.row.version}"`);
  r.ctx.body = lineJson(outcome.row);
}

export const ROUTES: Route[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'état du service et de sa base',
    tag: 'service',
    auth: false,
    responses: { 200: { description: 'le service répond', schema: S.Health } },
    async handle(r) {
      await r.services.db.sequelize.query('SELECT 1');
      r.ctx.body = { status: 'ok', db: r.services.db.dialect };
    },
  },
  {
    method: 'post',
    path: '/api/session',
    summary: 'ouvre une session (identifiant sensible à la casse)',
    tag: 'session',
    auth: false,
    body: S.SessionRequest,
    responses: {
      201: { description: 'jeton à passer dans Authorization: Bearer', schema: S.SessionResponse },
      401: problem('identifiant ou mot de passe incorrect'),
      422: problem('champs invalides'),
      429: problem('trop d’essais : connexion bloquée un moment'),
    },
    async handle(r) {
      const body = r.body as z.infer<typeof S.SessionRequest>;
      r.ctx.status = 201;
      r.ctx.body = await login(r.services.db, body.login, body.password, r.ctx.ip, r.services.sessionHours);
    },
  },
  {
    method: 'delete',
    path: '/api/session',
    summary: 'ferme la session (le jeton est révoqué)',
    tag: 'session',
    responses: { 204: { description: 'session fermée' }, 401: problem('session absente ou expirée') },
    async handle(r) {
      await logout(r.services.db, r.ctx.state.tokenHash as string);
      r.ctx.status = 204;
    },
  },
  {
    method: 'get',
    path: '/api/chapters',
    summary: 'plan de ventilation (chapitres) du département de l’utilisateur',
    tag: 'cahier',
    responses: { 200: { description: 'les chapitres', schema: z.array(S.Chapter) }, 401: COMMON_ERRORS[401] },
    async handle(r) {
      let dep = r.principal.departmentCode;
      if (r.principal.coopId !== null) {
        const coop = await r.services.db.models.Coop.findByPk(r.principal.coopId);
        dep = coop?.departmentCode ?? dep;
      }
      r.ctx.body = await chartOf(r.services.db, dep);
    },
  },
  {
    method: 'get',
    path: '/api/coops',
    summary: 'coopératives accessibles',
    tag: 'coopératives',
    responses: { 200: { description: 'les coopératives', schema: z.array(S.Coop) }, 401: COMMON_ERRORS[401] },
    async handle(r) {
      const coops = await r.services.db.models.Coop.findAll({ order: [['number', 'ASC']] });
      r.ctx.body = coops.filter((c) => canAccessCoop(r.principal, c)).map(coopJson);
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}',
    summary: 'une coopérative',
    tag: 'coopératives',
    params: { coop: CoopParam },
    responses: { 200: { description: 'la coopérative', schema: S.Coop }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = coopJson(await coopFor(r.services.db, r.principal, r.params.coop!));
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises',
    summary: 'exercices de la coopérative',
    tag: 'exercices',
    params: { coop: CoopParam },
    responses: { 200: { description: 'les exercices', schema: z.array(S.Exercise) }, ...COMMON_ERRORS },
    async handle(r) {
      const coop = await coopFor(r.services.db, r.principal, r.params.coop!);
      const rows = await r.services.db.models.Exercise.findAll({
        where: { coopId: coop.id },
        order: [['year', 'ASC']],
      });
      r.ctx.body = rows.map(exerciseJson);
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}',
    summary: 'un exercice',
    tag: 'exercices',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'l’exercice', schema: S.Exercise }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = exerciseJson((await scopeOf(r)).exercise);
    },
  },
  {
    method: 'put',
    path: '/api/coops/{coop}/exercises/{year}',
    summary: 'ouvre l’exercice avec son report à nouveau (ou le corrige tant qu’il est ouvert)',
    tag: 'exercices',
    params: { coop: CoopParam, year: YearParam },
    body: S.ExerciseInput,
    responses: {
      200: { description: 'l’exercice', schema: S.Exercise },
      409: problem('exercice clôturé'),
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const coop = await coopFor(r.services.db, r.principal, r.params.coop!);
      const body = r.body as z.infer<typeof S.ExerciseInput>;
      r.ctx.body = exerciseJson(await openExercise(r.services.db, coop.id, Number(r.params.year), body.opening));
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/lines',
    summary: 'lignes de l’exercice ; avec ?since=, les changements et suppressions depuis ce curseur',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam },
    query: {
      since: {
        description: 'curseur rendu par un appel précédent',
        schema: z.string().regex(/^\d+$/, { error: 'since : curseur numérique attendu' }),
      },
    },
    responses: { 200: { description: 'les lignes', schema: S.LineList }, ...COMMON_ERRORS },
    async handle(r) {
      const since = typeof r.ctx.query.since === 'string' ? Number(r.ctx.query.since) : null;
      r.ctx.body = await listLines(await scopeOf(r), since);
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/lines/{id}',
    summary: 'une ligne',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    responses: { 200: { description: 'la ligne (ou sa trace de suppression)', schema: S.Line }, ...COMMON_ERRORS },
    async handle(r) {
      const row = await getLine(await scopeOf(r), r.params.id!);
      r.ctx.set('ETag', `"${row.version}"`);
      r.ctx.body = lineJson(row);
    },
  },
  {
    method: 'put',
    path: '/api/coops/{coop}/exercises/{year}/lines/{id}',
    summary: 'crée ou remplace une ligne (remplacer demande If-Match) ; une ligne en erreur est gardée en brouillon',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    headers: IF_MATCH,
    body: S.LineInput,
    responses: {
      200: { description: 'ligne remplacée, ou renvoi identique sans effet', schema: S.Line },
      201: { description: 'ligne créée', schema: S.Line },
      ...WRITE_ERRORS,
    },
    async handle(r) {
      const ifMatch = parseIfMatch(r.ctx.get('If-Match') || undefined);
      reply(r, await putLine(await scopeOf(r), r.params.id!, r.body as S.LineInputBody, ifMatch));
    },
  },
  {
    method: 'delete',
    path: '/api/coops/{coop}/exercises/{year}/lines/{id}',
    summary: 'supprime une ligne (If-Match requis) ; une trace reste pour la synchronisation',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    headers: { 'If-Match': { ...IF_MATCH['If-Match'], required: true } },
    responses: { 200: { description: 'la trace de suppression', schema: S.Tombstone }, ...WRITE_ERRORS },
    async handle(r) {
      const ifMatch = parseIfMatch(r.ctx.get('If-Match') || undefined);
      reply(r, await deleteLine(await scopeOf(r), r.params.id!, ifMatch));
    },
  },
  {
    method: 'post',
    path: '/api/coops/{coop}/exercises/{year}/lines/{id}/duplicate',
    summary: 'duplique une ligne sous le prochain N° de pièce libre',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    body: S.DuplicateRequest,
    responses: {
      201: { description: 'la copie', schema: S.Line },
      200: { description: 'copie déjà faite (renvoi sans effet)', schema: S.Line },
      ...WRITE_ERRORS,
    },
    async handle(r) {
      const body = (r.body ?? {}) as z.infer<typeof S.DuplicateRequest>;
      reply(r, await duplicateLine(await scopeOf(r), r.params.id!, body.id ?? randomUUID()));
    },
  },
  {
    method: 'post',
    path: '/api/coops/{coop}/exercises/{year}/lines/{id}/pointage',
    summary: 'pointe (vue sur un relevé) ou dépointe une ligne de banque (If-Match requis)',
    tag: 'pointage',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    headers: { 'If-Match': { ...IF_MATCH['If-Match'], required: true } },
    body: S.PointageRequest,
    responses: { 200: { description: 'la ligne', schema: S.Line }, ...WRITE_ERRORS },
    async handle(r) {
      const ifMatch = parseIfMatch(r.ctx.get('If-Match') || undefined);
      const body = r.body as z.infer<typeof S.PointageRequest>;
      reply(r, await pointLine(await scopeOf(r), r.params.id!, body.pointed, ifMatch));
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/lines/{id}/history',
    summary: 'historique d’une ligne : qui, quand, avant, après',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    responses: {
      200: { description: 'les changements, du plus ancien au plus récent', schema: z.array(S.AuditEntry) },
      ...COMMON_ERRORS,
    },
    async handle(r) {
      r.ctx.body = await lineHistory(await scopeOf(r), r.params.id!);
    },
  },
  {
    method: 'post',
    path: '/api/coops/{coop}/exercises/{year}/sync',
    summary: 'synchronise un lot de lignes en une transaction ; rejouer le même lot ne change rien',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam },
    body: S.SyncRequest,
    responses: {
      200: { description: 'le sort de chaque ligne', schema: S.SyncResponse },
      409: problem('exercice clôturé'),
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const scope = await scopeOf(r);
      const items = (r.body as { lines: unknown[] }).lines;
      const entries: SyncEntry[] = [];
      const invalid = new Map<number, { id: string; errors: { field: string; message: string }[] }>();
      items.forEach((item, i) => {
        const parsed = S.SyncItem.safeParse(item);
        if (parsed.success) entries.push(parsed.data as SyncEntry);
        else {
          const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : `#${i}`;
          invalid.set(i, { id, errors: S.fieldErrors(parsed.error, item, `lines[${i}]`) });
        }
      });
      const { cursor, outcomes } = await syncLines(scope, entries);
      let k = 0;
      const results = items.map((_, i) => {
        const bad = invalid.get(i);
        if (bad) return { id: bad.id, result: 'invalid' as const, errors: bad.errors };
        const { id, outcome, line } = outcomes[k++]!;
        return outcome.result === 'conflict'
          ? { id, result: 'conflict' as const, line, errors: [{ field: `lines[${i}]`, message: outcome.message }] }
          : { id, result: outcome.result, line };
      });
      const counts: Record<string, number> = { stored: 0, unchanged: 0, conflict: 0, invalid: 0 };
      for (const x of results) counts[x.result]! += 1;
      r.ctx.body = { cursor, counts, results };
    },
  },
];

function coopJson(c: { number: string; name: string; school: string | null; departmentCode: string }) {
  return { number: c.number, name: c.name, school: c.school, department: c.departmentCode };
}

function exerciseJson(e: { year: number; status: 'open' | 'closed'; openingBanque: number; openingCaisse: number }) {
  const b = exerciseBounds(e.year);
  return {
    year: e.year,
    label: exerciseLabel(e.year),
    start: b.start,
    end: b.end,
    status: e.status,
    opening: { banque: Number(e.openingBanque), caisse: Number(e.openingCaisse) },
  };
}
