/** The pieces every route table uses: path parameters, error responses, If-Match, the scope. */
import { z } from 'zod';
import { exerciseBounds, exerciseLabel } from '../../../templates/definition';
import { exerciseFor, type SessionRead } from '../../operations/access';
import { ServiceError } from '../../operations/errors';
import type { Scope } from '../../operations/changes';
import type { RouteContext } from '../context';
import * as S from '../schemas';

export const CoopParam = {
  description: 'numéro de la coopérative',
  schema: S.cleanString('coop').max(40, { error: 'coop : 40 caractères au plus' }),
};
export const YearParam = {
  description: 'année de début de l’exercice (2025 pour 2025-2026)',
  schema: z.string().regex(/^\d{4}$/, { error: 'année sur 4 chiffres attendue (2025 pour 2025-2026)' }),
};
export const IdParam = { description: 'UUID de la ligne', schema: S.Uuid };

/** A record named by its number in the path (a relevé, a subvention, a bien, a pièce). */
export const numberParam = (description: string, name: string) => ({
  description,
  schema: z.string().regex(/^\d{1,9}$/, { error: `${name} : numéro attendu` }),
});

/** A date in the path or the query, AAAA-MM-JJ (whether it exists is for the operation to say). */
export const isoDateText = (name: string) =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${name} : AAAA-MM-JJ attendu (ex. 2026-08-31)` });

/** The If-Match header of a versioned record; `of` names it (« de la ligne », « de la subvention »). */
export const ifMatchHeader = (of: string, required = false) => ({
  'If-Match': { description: `version ${of} connue du client (ex. "3")`, ...(required ? { required } : {}) },
});
export const IF_MATCH = ifMatchHeader('de la ligne');
export const IF_MATCH_REQUIRED = ifMatchHeader('de la ligne', true);

export const problem = (description: string) => ({ description, schema: S.ProblemDocument });
export const COMMON_ERRORS = {
  400: problem('requête mal formée'),
  401: problem('session absente ou expirée'),
  403: problem('accès refusé à cette coopérative'),
  404: problem('coopérative, exercice ou ligne inconnus'),
  422: problem('champs invalides (liste dans errors)'),
};
export const WRITE_ERRORS = {
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

export const ifMatchOf = (r: RouteContext) => parseIfMatch(r.ctx.get('If-Match') || undefined);

/** Answers a versioned record: its version as the ETag (what the next If-Match sends back). */
export function replyVersioned(r: RouteContext, body: { version: number }, status = 200): void {
  r.ctx.status = status;
  r.ctx.set('ETag', `"${body.version}"`);
  r.ctx.body = body;
}

/** The exercise named by the path, if the principal may reach it. */
export async function scopeOf(r: RouteContext): Promise<Scope> {
  const { coop, year } = r.params;
  // Read with the session when the path's values are the ones validated.
  const read = r.ctx.state.exerciseRead as SessionRead['exercise'];
  const s =
    read && read.coop === coop && read.year === Number(year)
      ? read.scope()
      : await exerciseFor(r.services.db, r.principal, coop!, Number(year));
  return { db: r.services.db, principal: r.principal, exercise: s.exercise, chart: s.chart };
}

export function coopJson(c: { number: string; name: string; school: string | null; departmentCode: string }) {
  return { number: c.number, name: c.name, school: c.school, department: c.departmentCode };
}

export function exerciseJson(e: {
  year: number;
  status: 'open' | 'closed';
  openingBanque: number;
  openingCaisse: number;
}) {
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
