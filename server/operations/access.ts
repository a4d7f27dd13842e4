/** Who may see and change what: a mandataire one coop, a trésorier a department, an admin all. */
import type { Chart } from '../../templates/definition';
import { DEFAULT_CHART } from '../../templates/definition';
import type { Db } from '../db/connect';
import type { CoopRow, ExerciseRow, Role } from '../db/models';
import { forbidden, notFound } from './errors';

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

/** The coop by its number, if the principal may see it (403 otherwise, 404 when unknown). */
export async function coopFor(db: Db, p: Principal, number: string): Promise<CoopRow> {
  const coop = await db.models.Coop.findOne({ where: { number } });
  if (!coop) throw notFound(`La coopérative ${number} n’existe pas.`);
  if (!canAccessCoop(p, coop)) throw forbidden();
  return coop;
}

export async function chartOf(db: Db, departmentCode: string | null): Promise<Chart> {
  if (!departmentCode) return DEFAULT_CHART;
  const dep = await db.models.Department.findByPk(departmentCode);
  return dep?.chart ? (JSON.parse(dep.chart) as Chart) : DEFAULT_CHART;
}

export interface ExerciseScope {
  coop: CoopRow;
  exercise: ExerciseRow;
  chart: Chart;
}

export async function exerciseFor(db: Db, p: Principal, number: string, year: number): Promise<ExerciseScope> {
  const coop = await coopFor(db, p, number);
  const exercise = await db.models.Exercise.findOne({ where: { coopId: coop.id, year } });
  if (!exercise) {
    throw notFound(`L’exercice ${year}-${year + 1} de la coopérative ${number} n’est pas ouvert.`);
  }
  return { coop, exercise, chart: await chartOf(db, coop.departmentCode) };
}
