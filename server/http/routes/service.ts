/** The service itself: its health, and the problem types its errors point to. */
import { z } from 'zod';
import { PROBLEM_CODES, PROBLEM_TYPES, ServiceError, problemType, type ProblemCode } from '../../operations/errors';
import type { Db } from '../../db/connect';
import type { Route } from '../context';
import * as S from '../schemas';
import { problem } from './shared';

/** Health checks wait this long for the database before calling it unreachable. */
const HEALTH_TIMEOUT_MS = 2_000;

/** True when the database answers a query within the time limit (a load balancer's check must not hang). */
async function databaseAnswers(db: Db): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((ok) => {
    timer = setTimeout(() => ok(false), HEALTH_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([db.sequelize.query('SELECT 1').then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const problemJson = (code: ProblemCode) => ({ type: problemType(code), code, ...PROBLEM_TYPES[code] });

export const SERVICE_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'état du service et de sa base',
    tag: 'service',
    auth: false,
    responses: {
      200: { description: 'le service et sa base répondent : {"status":"ok","database":"ok"}', schema: S.Health },
      503: {
        description:
          'la base ne répond pas (ou pas dans les 2 s) : {"status":"indisponible","database":"unreachable"}, pour qu’un répartiteur de charge écarte l’instance',
        schema: S.Health,
      },
    },
    async handle(r) {
      if (await databaseAnswers(r.services.db)) {
        r.ctx.body = { status: 'ok', database: 'ok' };
      } else {
        r.ctx.status = 503;
        r.ctx.body = { status: 'indisponible', database: 'unreachable' };
      }
    },
  },
  {
    method: 'get',
    path: '/problems',
    summary: 'les types de problème (erreurs) que le service peut répondre',
    tag: 'service',
    auth: false,
    responses: { 200: { description: 'chaque type : code, statut HTTP, titre', schema: z.array(S.ProblemType) } },
    async handle(r) {
      r.ctx.body = PROBLEM_CODES.map(problemJson);
    },
  },
  {
    method: 'get',
    path: '/problems/{code}',
    summary: 'un type de problème : ce que veut dire le champ type d’une erreur',
    tag: 'service',
    auth: false,
    params: { code: { description: 'code du problème (ex. exercice_clos)', schema: z.string().max(40) } },
    responses: { 200: { description: 'le type de problème', schema: S.ProblemType }, 404: problem('code inconnu') },
    async handle(r) {
      const code = r.params.code as ProblemCode;
      if (!Object.hasOwn(PROBLEM_TYPES, code)) {
        throw new ServiceError(404, 'introuvable', `Aucun type de problème « ${r.params.code} ».`);
      }
      r.ctx.body = problemJson(code);
    },
  },
];
