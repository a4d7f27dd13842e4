/** The cooperatives a user may reach, and their department's chart. */
import { z } from 'zod';
import { chartOf, canAccessCoop } from '../../operations/access';
import { coopDetail } from '../../operations/side-books/coop-admin';
import type { Route } from '../context';
import * as S from '../schemas';
import { CoopDetail } from './coop-admin';
import { COMMON_ERRORS, CoopParam, coopJson } from './shared';

export const COOP_ROUTES: Route[] = [
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
    summary: 'une coopérative et ses données administratives, avec les champs que l’utilisateur peut changer',
    tag: 'coopératives',
    params: { coop: CoopParam },
    responses: { 200: { description: 'la coopérative', schema: CoopDetail }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await coopDetail(r.services.db, r.principal, r.params.coop!);
    },
  },
];
