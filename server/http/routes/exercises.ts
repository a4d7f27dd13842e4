/** The exercises of a coop: list, one, open or correct the report à nouveau. */
import { z } from 'zod';
import { coopFor } from '../../operations/access';
import { exerciseHistory, openExercise } from '../../operations/accounts';
import type { Route } from '../context';
import * as S from '../schemas';
import { COMMON_ERRORS, CoopParam, YearParam, exerciseJson, problem, scopeOf } from './shared';

export const EXERCISE_ROUTES: Route[] = [
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
      422: problem(
        'report à nouveau invalide, raison manquante alors que l’exercice contient des lignes, ou exercice trop lointain',
      ),
    },
    async handle(r) {
      const coop = await coopFor(r.services.db, r.principal, r.params.coop!);
      const body = r.body as z.infer<typeof S.ExerciseInput>;
      const exercise = await openExercise(r.services.db, coop.id, Number(r.params.year), body.opening, {
        actor: r.principal,
        reason: body.reason ?? null,
      });
      r.ctx.body = exerciseJson(exercise);
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/history',
    summary: 'historique de l’exercice : ouverture, report à nouveau corrigé (avec sa raison), clôture, réouverture',
    tag: 'exercices',
    params: { coop: CoopParam, year: YearParam },
    responses: {
      200: { description: 'les changements, du plus ancien au plus récent', schema: z.array(S.ExerciseAuditEntry) },
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const scope = await scopeOf(r);
      r.ctx.body = await exerciseHistory(r.services.db, scope.exercise.id);
    },
  },
];
