/** Sessions: login, logout. */
import type { z } from 'zod';
import { login, logout } from '../../operations/sessions';
import type { Route } from '../context';
import * as S from '../schemas';
import { COMMON_ERRORS, problem } from './shared';

export const SESSION_ROUTES: Route[] = [
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
    responses: { 204: { description: 'session fermée' }, 401: COMMON_ERRORS[401] },
    async handle(r) {
      await logout(r.services.db, r.ctx.state.tokenHash as string);
      r.ctx.status = 204;
    },
  },
];
