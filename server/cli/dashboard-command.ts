/**
 * `cahier dashboard`: the department's dashboard on the department's server — the same figures as
 * GET /api/departments/{code}/dashboard (--json writes exactly its JSON), as a French table on
 * the standard output, what needs attention first, and the department's totals. Exit code 0, 1
 * on failure (unknown department…), 2 on wrong usage.
 */
import {
  DASHBOARD_COLUMNS,
  DASHBOARD_STATE_LABELS,
  DASHBOARD_STATES,
  dashboardCells,
  defaultDashboardExercise,
  type DashboardJson,
  type DashboardState,
} from '../../templates/definition';
import { COMMAND_LINE_PRINCIPAL } from '../operations/accounts';
import { isoDay } from '../operations/closure';
import { departmentDashboard } from '../operations/dashboard';
import { UserError, requireString, type Command } from './command';
import { DB_OPTION, withDb } from './db-option';

/** The columns the terminal shows (the name is shortened, the rest as in the files). */
const WIDEST_NAME = 28;

export function dashboardText(json: DashboardJson): string {
  const rows = [
    DASHBOARD_COLUMNS.map((c) => c.header),
    ...json.coops.map((c) =>
      dashboardCells(c).map((v, i) => {
        const text = String(v);
        return DASHBOARD_COLUMNS[i]!.key === 'name' && text.length > WIDEST_NAME
          ? `${text.slice(0, WIDEST_NAME - 1)}…`
          : text;
      }),
    ),
  ];
  const numeric = DASHBOARD_COLUMNS.map((c) => ['lines', 'drafts', 'unpointedBankLines'].includes(c.key));
  const widths = DASHBOARD_COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const t = json.totals;
  const states = DASHBOARD_STATES.map((s) => `${DASHBOARD_STATE_LABELS[s].toLowerCase()} ${t.byState[s]}`).join(', ');
  const out = [
    `Département ${json.department}, exercice ${json.label} (au ${json.date.split('-').reverse().join('/')})`,
    '',
    line(rows[0]!),
    ...rows.slice(1).map(line),
    '',
    `Total : ${t.coops} coopérative${t.coops > 1 ? 's' : ''} (${states}) ; ${t.lines} lignes, ${t.drafts} brouillons, ` +
      `${t.unpointedBankLines} lignes de banque non pointées ; ${t.crfSent} compte${t.crfSent > 1 ? 's' : ''} rendu${t.crfSent > 1 ? 's' : ''} envoyé${t.crfSent > 1 ? 's' : ''}.`,
  ];
  if (json.coops.length < t.coops) out.push(`(${json.coops.length} coopérative(s) affichée(s) sur ${t.coops}.)`);
  return `${out.join('\n')}\n`;
}

export const dashboardCommand: Command = {
  name: 'dashboard',
  summary: 'tableau de bord du département : où en est chaque coopérative, ce qui bloque sa clôture',
  usage: '--department CODE [--exercise ANNÉE] [--state ÉTAT] [--json] [--db URL]',
  options: {
    department: { type: 'string', value: 'CODE', description: 'code du département (69, 2A, 974)' },
    exercise: {
      type: 'string',
      value: 'ANNÉE',
      description:
        'année de début de l’exercice (défaut : celui qui contenait le jour d’il y a quatre mois — de janvier à août l’exercice en cours, de septembre à décembre celui qui vient de finir)',
    },
    state: {
      type: 'string',
      value: 'ÉTAT',
      description: `n’affiche que les coopératives dans cet état : ${DASHBOARD_STATES.join(', ')} (les totaux restent ceux du département)`,
    },
    json: { type: 'boolean', description: 'écrit le JSON de l’API (montants en centimes)' },
    db: DB_OPTION,
  },
  async run(values, _positionals, io) {
    const department = requireString(values, 'department').trim();
    const today = isoDay(new Date());
    let exercise = defaultDashboardExercise(today);
    if (values.exercise !== undefined) {
      const year = String(values.exercise);
      if (!/^\d{4}$/.test(year)) throw new UserError(`--exercise attend une année sur 4 chiffres, pas « ${year} ».`, 2);
      exercise = Number(year);
    }
    let state: DashboardState | undefined;
    if (values.state !== undefined) {
      const s = String(values.state);
      if (!(DASHBOARD_STATES as readonly string[]).includes(s)) {
        throw new UserError(`--state attend ${DASHBOARD_STATES.join(', ')}, pas « ${s} ».`, 2);
      }
      state = s as DashboardState;
    }
    return withDb(values, async (db) => {
      const { json } = await departmentDashboard(db, COMMAND_LINE_PRINCIPAL, { department, exercise, state, today });
      io.out(values.json ? `${JSON.stringify(json, null, 2)}\n` : dashboardText(json));
      return 0;
    });
  },
};
