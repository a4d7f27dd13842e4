/** Who may see and change what: a mandataire one coop, a trésorier a department, an admin all. */
import type { Chart } from '../../templates/definition';
import { DEFAULT_CHART } from '../../templates/definition';
import type { Db } from '../db/connect';
import { rawDate, rawRead } from '../db/raw';
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

/** The columns that describe a coop, its exercise of one year and its department's chart. */
const EXERCISE_COLUMNS = `c.id AS coop_id, c.number, c.name, c.school, c.department_code, c.admin,
            e.id AS exercise_id, e.status, e.opening_banque, e.opening_caisse, e.last_seq, d.chart`;
const EXERCISE_JOINS = `LEFT JOIN exercises e ON e.coop_id = c.id AND e.year = ?
       LEFT JOIN departments d ON d.code = c.department_code`;

/** Charts as stored, parsed once each (every request of a department with its own chart asks). */
const charts = new Map<string, Chart>();
function chartOfText(stored: unknown): Chart {
  if (typeof stored !== 'string' || !stored) return DEFAULT_CHART;
  let chart = charts.get(stored);
  if (!chart) {
    if (charts.size > 200) charts.clear();
    charts.set(stored, (chart = parseChart(stored)));
  }
  return chart;
}

/** The scope read from a row of EXERCISE_COLUMNS (404 when the coop is not the principal's or the year not open). */
function exerciseScopeOf(
  db: Db,
  p: Principal,
  number: string,
  year: number,
  row: Record<string, unknown> | undefined,
): ExerciseScope {
  if (!row || row.coop_id === null || row.coop_id === undefined) throw unknownCoop(number);
  const coop = db.models.Coop.build(
    {
      id: Number(row.coop_id),
      number: String(row.number),
      name: String(row.name),
      school: (row.school as string | null) ?? null,
      departmentCode: String(row.department_code),
      admin: (row.admin as string | null) ?? null,
    },
    { isNewRecord: false, raw: true },
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
    { isNewRecord: false, raw: true },
  );
  return { coop, exercise, chart: chartOfText(row.chart) };
}

/** The coop, its exercise and its department's chart, in one query. */
export async function exerciseFor(db: Db, p: Principal, number: string, year: number): Promise<ExerciseScope> {
  const [row] = await rawRead(db, `SELECT ${EXERCISE_COLUMNS} FROM coops c ${EXERCISE_JOINS} WHERE c.number = ?`, [
    year,
    number,
  ]);
  return exerciseScopeOf(db, p, number, year, row);
}

/** A session read with the exercise its request names: both in one query. */
export interface SessionRead {
  principal: Principal | null;
  /** The exercise scope, or the refusal it gets (only when a coop and a year were named). */
  exercise?: { coop: string; year: number; scope: () => ExerciseScope };
}

/**
 * The user of a live session (by the SHA-256 of its token) and, when the request names a coop
 * and a year, that exercise: one query for what every line request needs before its write.
 */
export async function readSession(
  db: Db,
  hash: string,
  wanted: { coop: string; year: number } | null = null,
): Promise<SessionRead> {
  const sql = wanted
    ? `SELECT u.id AS user_id, u.login, u.role, u.coop_id AS user_coop_id, u.department_code AS user_department,
              s.expires_at, s.revoked_at, ${EXERCISE_COLUMNS}
         FROM sessions s JOIN users u ON u.id = s.user_id
         LEFT JOIN coops c ON c.number = ?
         ${EXERCISE_JOINS}
        WHERE s.token_hash = ?`
    : `SELECT u.id AS user_id, u.login, u.role, u.coop_id AS user_coop_id, u.department_code AS user_department,
              s.expires_at, s.revoked_at
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ?`;
  const [row] = await rawRead(db, sql, wanted ? [wanted.coop, wanted.year, hash] : [hash]);
  if (!row || row.revoked_at || !(rawDate(row.expires_at).getTime() > Date.now())) return { principal: null };
  const principal: Principal = {
    userId: Number(row.user_id),
    login: String(row.login),
    role: row.role as Principal['role'],
    coopId: row.user_coop_id === null ? null : Number(row.user_coop_id),
    departmentCode: (row.user_department as string | null) ?? null,
  };
  if (!wanted) return { principal };
  return {
    principal,
    exercise: {
      ...wanted,
      scope: () => exerciseScopeOf(db, principal, wanted.coop, wanted.year, row),
    },
  };
}
