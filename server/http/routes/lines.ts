/** The lines of an exercise: list, read, write, delete, duplicate, pointage, history, sync. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  deleteLine,
  duplicateLine,
  getLine,
  lineHistory,
  lineJson,
  listLines,
  pointLine,
  putLine,
  refusal,
  syncLines,
  type SyncEntry,
} from '../../operations/lines';
import type { WriteOutcome } from '../../operations/changes';
import type { Route, RouteContext } from '../context';
import * as S from '../schemas';
import {
  COMMON_ERRORS,
  CoopParam,
  IF_MATCH,
  IF_MATCH_REQUIRED,
  IdParam,
  WRITE_ERRORS,
  YearParam,
  ifMatchOf,
  problem,
  replyVersioned,
  scopeOf,
} from './shared';

function reply(r: RouteContext, outcome: WriteOutcome): void {
  if (outcome.result === 'conflict') throw refusal(outcome);
  replyVersioned(r, lineJson(outcome.row), outcome.status);
}

const LINES = '/api/coops/{coop}/exercises/{year}/lines';

export const LINE_ROUTES: Route[] = [
  {
    method: 'get',
    path: LINES,
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
    path: `${LINES}/{id}`,
    summary: 'une ligne',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    responses: { 200: { description: 'la ligne (ou sa trace de suppression)', schema: S.Line }, ...COMMON_ERRORS },
    async handle(r) {
      replyVersioned(r, lineJson(await getLine(await scopeOf(r), r.params.id!)));
    },
  },
  {
    method: 'put',
    path: `${LINES}/{id}`,
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
      reply(r, await putLine(await scopeOf(r), r.params.id!, r.body as S.LineInputBody, ifMatchOf(r)));
    },
  },
  {
    method: 'delete',
    path: `${LINES}/{id}`,
    summary: 'supprime une ligne (If-Match requis) ; une trace reste pour la synchronisation',
    tag: 'lignes',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    headers: IF_MATCH_REQUIRED,
    responses: { 200: { description: 'la trace de suppression', schema: S.Tombstone }, ...WRITE_ERRORS },
    async handle(r) {
      reply(r, await deleteLine(await scopeOf(r), r.params.id!, ifMatchOf(r)));
    },
  },
  {
    method: 'post',
    path: `${LINES}/{id}/duplicate`,
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
    path: `${LINES}/{id}/pointage`,
    summary: 'pointe (vue sur un relevé) ou dépointe une ligne de banque (If-Match requis)',
    tag: 'pointage',
    params: { coop: CoopParam, year: YearParam, id: IdParam },
    headers: IF_MATCH_REQUIRED,
    body: S.PointageRequest,
    responses: { 200: { description: 'la ligne', schema: S.Line }, ...WRITE_ERRORS },
    async handle(r) {
      const body = r.body as z.infer<typeof S.PointageRequest>;
      reply(r, await pointLine(await scopeOf(r), r.params.id!, body.pointed, ifMatchOf(r)));
    },
  },
  {
    method: 'get',
    path: `${LINES}/{id}/history`,
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
