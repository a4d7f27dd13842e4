/** Who may see and change what: a mandataire one coop, a trésorier a department, an admin all. */
import type { Chart } from '../../templates/definition';
import { DEFAULT_CHART } from '../../templates/definition';
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect';
import type { CoopRow, ExerciseRow, Role } from '../db/models';
import { notFound } from './errors';

export interface Principal {
  userId: number;
  login: string;
  role: Role;
  coopId: number | null;
  departmentCode: string | null;
}

export function canAccessCoop(p: Principal, coop: Pick<CoopRow, 'id' | 'departmentCode'>): boolean {
  if (p.role === 'admin') return true;
  if (p.role === 'tresorier') return p.departmentCode === coop.departmentCode;
  return p.coopId === coop.id;
}

/**
 * A coop that is not the principal's answers exactly as one that does not exist: coop numbers
 * cannot be enumerated.
 */
const unknownCoop = (number: string) =>
  notFound(`La coopérative ${number} est introuvable (ou vous n’y avez pas accès).`);

/** The coop by its number, if the principal may see it (404 otherwise). */
export async function coopFor(db: Db, p: Principal, number: string): Promise<CoopRow> {
  const coop = await db.models.Coop.findOne({ where: { number } });
  if (!coop || !canAccessCoop(p, coop)) throw unknownCoop(number);
  return coop;
}

/** A department's stored chart (JSON), or the default chart. */
function parseChart(stored: unknown): Chart {
  return typeof stored === 'string' && stored ? (JSON.parse(stored) as Chart) : DEFAULT_CHART;
}

export async function chartOf(db: Db, departmentCode: string | null): Promise<Chart> {
  if (!departmentCode) return DEFAULT_CHART;
  const dep = await db.models.Department.findByPk(departmentCode);
  return parseChart(dep?.chart);
}

export interface ExerciseScope {
  coop: CoopRow;
  exercise: ExerciseRow;
  chart: Chart;
}

/** The coop, its exercise and its department's chart, in one query (every line request asks). */
export async function exerciseFor(db: Db, p: Principal, number: string, year: number): Promise<ExerciseScope> {
  const [row] = await db.sequelize.query<Record<string, unknown>>(
    `SELECT c.id AS coop_id, c.number, c.name, c.school, c.department_code, c.admin,
            e.id AS exercise_id, e.status, e.opening_banque, e.opening_caisse, e.last_seq, d.chart
       FROM coops c
       LEFT JOIN exercises e ON e.coop_id = c.id AND e.year = $year
       LEFT JOIN departments d ON d.code = c.department_code
      WHERE c.number = $number`,
    { bind: { number, year }, type: QueryTypes.SELECT },
  );
  if (!row) throw unknownCoop(number);
  const coop = db.models.Coop.build(
    {
      id: Number(row.coop_id),
      number: String(row.number),
      name: String(row.name),
      school: (row.school as string | null) ?? null,
      departmentCode: String(row.department_code),
      admin: (row.admin as string | null) ?? null,
    },
    { isNewRecord: false },
  );
  if (!canAccessCoop(p, coop)) throw unknownCoop(number);
  if (row.exercise_id === null || row.exercise_id === undefined) {
    throw notFound(`L’exercice ${year}-${year + 1} de la coopérative ${number} n’est pas ouvert.`);
  }
  const exercise = db.models.Exercise.build(
    {
      id: Number(row.exercise_id),
      coopId: coop.id,
      year,
      status: row.status as 'open' | 'closed',
      openingBanque: Number(row.opening_banque),
      openingCaisse: Number(row.opening_caisse),
      lastSeq: Number(row.last_seq),
    },
    { isNewRecord: false },
  );
  return { coop, exercise, chart: parseChart(row.chart) };
}
