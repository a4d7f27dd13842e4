/**
 * The department's dashboard: GET /api/departments/{code}/dashboard, in JSON (the contract's
 * DashboardJson), CSV or xlsx. Its trésorier départemental and the administrators only.
 */
import { z } from 'zod';
import {
  DASHBOARD_STATES,
  dashboardCsv,
  dashboardFileName,
  defaultDashboardExercise,
  type DashboardState,
} from '../../../templates/definition';
import { isoDay } from '../../operations/closure';
import { dashboardXlsx, departmentDashboard } from '../../operations/dashboard';
import type { Route } from '../context';
import * as S from '../schemas';
import { COMMON_ERRORS, problem } from './shared';

const FORMATS = ['json', 'csv', 'xlsx'] as const;

const DepartmentParam = {
  description: 'code du département (69, 2A, 974)',
  schema: S.cleanString('département').max(10, { error: 'département : 10 caractères au plus' }),
};

const DashboardCoopSchema = z
  .object({
    number: z.string(),
    name: z.string(),
    school: z.string().nullable(),
    state: z.enum(DASHBOARD_STATES),
    blockers: z.array(z.string()).meta({
      description:
        'codes des erreurs de GET …/closure, dans l’ordre du contrôle (date_trop_tot avant le 31 août) ; file_attente n’y est jamais (file du classeur)',
    }),
    lines: z.number().int().meta({ description: 'lignes de l’exercice (validées et brouillons)' }),
    drafts: z.number().int(),
    lastSync: z.string().nullable().meta({ description: 'dernier changement d’une ligne (ISO, UTC)' }),
    unpointedBankLines: z.number().int().meta({ description: 'lignes de banque validées non pointées' }),
    lastStatement: z
      .object({ date: z.string(), balance: z.number().int().meta({ description: 'solde, en centimes' }) })
      .nullable()
      .meta({ description: 'dernier relevé de l’exercice, importé ou saisi' }),
    lastCashCount: z.string().nullable().meta({ description: 'date du dernier arrêté de caisse' }),
    crfSent: z.boolean().meta({ description: 'exercice clôturé par le service, compte rendu archivé' }),
  })
  .meta({ id: 'DashboardCoop' });

const Dashboard = z
  .object({
    department: z.string(),
    exercise: z.number().int(),
    label: z.string(),
    date: z.string(),
    totals: z.object({
      coops: z.number().int(),
      byState: z.object(Object.fromEntries(DASHBOARD_STATES.map((s) => [s, z.number().int()]))),
      lines: z.number().int(),
      drafts: z.number().int(),
      unpointedBankLines: z.number().int(),
      crfSent: z.number().int(),
    }),
    coops: z.array(DashboardCoopSchema),
  })
  .meta({ id: 'Dashboard' });

export const DASHBOARD_ROUTES: Route[] = [
  {
    method: 'get',
    path: '/api/departments/{code}/dashboard',
    summary:
      'tableau de bord du département : par coopérative, lignes, brouillons, dernière saisie, banque non pointée, dernier relevé, dernier arrêté de caisse, état de clôture et ce qui la bloque, compte rendu envoyé ; totaux du département (trésorier du département, administrateur)',
    tag: 'département',
    params: { code: DepartmentParam },
    query: {
      exercise: {
        description:
          'année de début de l’exercice (défaut : l’exercice qui contenait le jour d’il y a quatre mois — de janvier à août l’exercice en cours, de septembre à décembre celui qui vient de finir)',
        schema: z
          .string()
          .regex(/^\d{4}$/, { error: 'exercise : année sur 4 chiffres attendue (2025 pour 2025-2026)' }),
      },
      state: {
        description: 'ne montre que les coopératives dans cet état (les totaux restent ceux du département)',
        schema: z.enum(DASHBOARD_STATES, { error: `state : ${DASHBOARD_STATES.join(', ')} attendu` }),
      },
      format: {
        description: 'json (défaut), csv (point-virgule, UTF-8 avec BOM) ou xlsx',
        schema: z.enum(FORMATS, { error: 'format : json, csv ou xlsx attendu' }),
      },
    },
    responses: {
      200: { description: 'le tableau de bord (JSON, CSV ou classeur xlsx)', schema: Dashboard },
      ...COMMON_ERRORS,
      403: problem('réservé au trésorier du département (ou à un administrateur)'),
      404: problem('département inconnu'),
    },
    async handle(r) {
      const q = r.ctx.query;
      const today = isoDay(r.services.now ? r.services.now() : new Date());
      const exercise = typeof q.exercise === 'string' ? Number(q.exercise) : defaultDashboardExercise(today);
      const state = typeof q.state === 'string' ? (q.state as DashboardState) : undefined;
      const format = typeof q.format === 'string' ? (q.format as (typeof FORMATS)[number]) : 'json';
      const { json } = await departmentDashboard(r.services.db, r.principal, {
        department: r.params.code!,
        exercise,
        state,
        today,
      });
      if (format === 'json') {
        r.ctx.body = json;
        return;
      }
      r.ctx.set('Content-Disposition', `attachment; filename="${dashboardFileName(json, format)}"`);
      if (format === 'csv') {
        r.ctx.type = 'text/csv; charset=utf-8';
        r.ctx.body = dashboardCsv(json);
      } else {
        r.ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
        r.ctx.body = await dashboardXlsx(json);
      }
    },
  },
];
