/** Bank statements of a coop: import, list, one statement, accept proposals, état de rapprochement. */
import { z } from 'zod';
import { MAX_STATEMENT_BYTES, validateCsvMapping, type CsvMapping } from '../../formats/statements';
import { ServiceError } from '../../operations/errors';
import {
  acceptProposals,
  getStatement,
  importStatement,
  listStatements,
  reconciliationAt,
} from '../../operations/statements';
import type { Route } from '../context';
import { cleanString } from '../schemas';
import { COMMON_ERRORS, CoopParam, YearParam, isoDateText, numberParam, problem, scopeOf } from './shared';

const STATEMENTS = '/api/coops/{coop}/exercises/{year}/statements';
const StatementParam = numberParam('numéro du relevé importé', 'relevé');

const Acceptance = z
  .object({
    statementLine: z.number({ error: 'statementLine : numéro de ligne de relevé attendu' }).int().positive(),
    lines: z
      .array(
        z
          .object({
            id: z.string().uuid({ error: 'id : UUID de ligne attendu' }),
            version: z.number({ error: 'version : nombre attendu' }).int().positive(),
          })
          .strict(),
      )
      .min(1, { error: 'lines : au moins une ligne du cahier' })
      .max(50),
  })
  .strict();

export const AcceptRequest = z
  .union([
    z.object({ accept: z.array(Acceptance).min(1).max(2000) }).strict(),
    z.object({ certain: z.literal(true) }).strict(),
  ])
  .meta({
    id: 'AcceptRequest',
    description:
      '{"certain":true} accepte les rapprochements certains ; {"accept":[{statementLine, lines:[{id, version}]}]} ceux choisis',
  });

const Json = z.object({}).passthrough();

/** The column mapping sent with a CSV whose columns were not recognised (422 naming `mapping`). */
function csvMapping(raw: unknown): CsvMapping | undefined {
  if (typeof raw !== 'string') return undefined;
  let value: unknown = null;
  try {
    value = JSON.parse(raw);
  } catch {
    /* checked below */
  }
  const checked = validateCsvMapping(value);
  if (checked.ok) return checked.mapping;
  const message = `mapping : ${checked.errors.join(' ; ')}`;
  throw new ServiceError(422, 'donnees_invalides', message, { errors: [{ field: 'mapping', message }] });
}

export const STATEMENT_ROUTES: Route[] = [
  {
    method: 'post',
    path: STATEMENTS,
    summary:
      'importe un relevé (CSV, OFX, CFONB 120, camt.053 : le fichier est le corps) ; rend ses lignes nouvelles et les rapprochements proposés',
    tag: 'relevés',
    params: { coop: CoopParam, year: YearParam },
    query: {
      name: { description: 'nom du fichier (pour les messages)', schema: cleanString('name').max(255) },
      dryRun: {
        description: 'true : rien n’est enregistré, la réponse est la même',
        schema: z.enum(['true', 'false']),
      },
      mapping: {
        description:
          'CSV dont les colonnes ne sont pas reconnues : la correspondance en JSON ({"date":0,"label":4,"amount":1} ou par titres), gardée pour la coopérative',
        schema: z.string().max(2000),
      },
    },
    upload: { maxBytes: MAX_STATEMENT_BYTES, description: 'le fichier du relevé, tel que la banque l’a donné' },
    responses: {
      201: { description: 'relevé importé, lignes nouvelles et propositions', schema: Json },
      200: { description: 'essai (dryRun) : ce que l’import ferait', schema: Json },
      413: problem('fichier trop gros'),
      ...COMMON_ERRORS,
      422: problem('relevé illisible (le message nomme la ligne) ou paramètre invalide'),
    },
    async handle(r) {
      const scope = await scopeOf(r);
      const dryRun = r.ctx.query.dryRun === 'true';
      const name = typeof r.ctx.query.name === 'string' ? r.ctx.query.name : null;
      const mapping = csvMapping(r.ctx.query.mapping);
      const result = await importStatement(scope, scope.exercise.coopId, r.body as Buffer, {
        fileName: name,
        dryRun,
        mapping,
      });
      r.ctx.body = result;
      // 201 when a statement was stored; 200 for a dry run or a file whose every line was imported before.
      r.ctx.status = dryRun || result.lines.new === 0 ? 200 : 201;
    },
  },
  {
    method: 'get',
    path: STATEMENTS,
    summary: 'relevés importés de la coopérative, du plus récent au plus ancien',
    tag: 'relevés',
    params: { coop: CoopParam, year: YearParam },
    responses: { 200: { description: 'les relevés', schema: z.array(Json) }, ...COMMON_ERRORS },
    async handle(r) {
      const scope = await scopeOf(r);
      r.ctx.body = await listStatements(scope, scope.exercise.coopId);
    },
  },
  {
    method: 'get',
    path: `${STATEMENTS}/{statement}`,
    summary: 'un relevé : ses lignes, ce que chacune a pointé, et les propositions pour les autres',
    tag: 'relevés',
    params: { coop: CoopParam, year: YearParam, statement: StatementParam },
    responses: { 200: { description: 'le relevé', schema: Json }, ...COMMON_ERRORS },
    async handle(r) {
      const scope = await scopeOf(r);
      r.ctx.body = await getStatement(scope, scope.exercise.coopId, Number(r.params.statement));
    },
  },
  {
    method: 'post',
    path: `${STATEMENTS}/{statement}/accept`,
    summary: 'accepte des rapprochements : pointe les lignes du cahier avec la ligne du relevé, en une transaction',
    tag: 'relevés',
    params: { coop: CoopParam, year: YearParam, statement: StatementParam },
    body: AcceptRequest,
    responses: {
      200: { description: 'les lignes pointées', schema: Json },
      409: problem('exercice clôturé, ligne déjà pointée ou brouillon'),
      412: problem('version périmée : la ligne actuelle est dans current'),
      ...COMMON_ERRORS,
    },
    async handle(r) {
      const scope = await scopeOf(r);
      const body = r.body as z.infer<typeof AcceptRequest>;
      r.ctx.body = await acceptProposals(
        scope,
        scope.exercise.coopId,
        Number(r.params.statement),
        'certain' in body ? 'certain' : body.accept,
      );
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/exercises/{year}/reconciliation',
    summary:
      'état de rapprochement à une date : solde du relevé, opérations en suspens (chèques non encaissés, recettes non créditées), solde du cahier, écart',
    tag: 'relevés',
    params: { coop: CoopParam, year: YearParam },
    query: {
      date: {
        description: 'AAAA-MM-JJ (défaut : la fin de l’exercice)',
        schema: isoDateText('date'),
      },
    },
    responses: { 200: { description: 'l’état de rapprochement', schema: Json }, ...COMMON_ERRORS },
    async handle(r) {
      const scope = await scopeOf(r);
      const date = typeof r.ctx.query.date === 'string' ? r.ctx.query.date : null;
      r.ctx.body = await reconciliationAt(scope, date);
    },
  },
];
