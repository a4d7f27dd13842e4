/** Departments, cooperatives, users and exercises: what the CLI and the demo set up. */
import type { Transaction } from 'sequelize';
import { chartProblems, exerciseLabel, exerciseOf, type Chart } from '../../templates/definition';
import type { Db } from '../db/connect';
import type { Principal } from './access';
import { ROLES, type CoopRow, type ExerciseAction, type ExerciseRow, type Role, type UserRow } from '../db/models';
import { hashPassword, passwordProblem } from '../auth/password';
import { auditJson, closedExercise, lockExercise, type AuditJson } from './changes';
import { ServiceError } from './errors';

const invalid = (message: string) => new ServiceError(422, 'donnee_invalide', message);

export async function ensureDepartment(db: Db, code: string, name?: string, chart?: Chart): Promise<void> {
  if (!/^[0-9]{2,3}[AB]?$|^2[AB]$/.test(code)) {
    throw invalid(`Code de département invalide : « ${code} » (ex. : 87, 2A, 974).`);
  }
  if (chart) {
    const problems = chartProblems(chart);
    if (problems.length) throw invalid(problems.join(' '));
  }
  await db.write(async (t) => {
    const existing = await db.models.Department.findByPk(code, { transaction: t });
    if (!existing) {
      await db.models.Department.create(
        { code, name: name ?? `Département ${code}`, chart: chart ? JSON.stringify(chart) : null },
        { transaction: t },
      );
    } else if (chart || name) {
      await existing.update(
        { ...(name ? { name } : {}), ...(chart ? { chart: JSON.stringify(chart) } : {}) },
        { transaction: t },
      );
    }
  });
}

export interface CoopInput {
  number: string;
  name: string;
  department: string;
  school?: string | null;
}

export async function addCoop(db: Db, input: CoopInput): Promise<CoopRow> {
  const number = input.number.trim();
  const name = input.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(number)) {
    throw invalid(`Numéro de coopérative invalide : « ${input.number} » (lettres, chiffres, . _ -).`);
  }
  if (!name) throw invalid('Le nom de la coopérative est obligatoire.');
  await ensureDepartment(db, input.department);
  return db.write(async (t) => {
    if (await db.models.Coop.findOne({ where: { number }, transaction: t })) {
      throw new ServiceError(409, 'coop_existe', `La coopérative ${number} existe déjà.`);
    }
    return db.models.Coop.create(
      { number, name, school: input.school ?? null, departmentCode: input.department, admin: null },
      { transaction: t },
    );
  });
}

export interface UserInput {
  login: string;
  password: string;
  role?: Role;
  coop?: string | null;
  department?: string | null;
}

export async function addUser(db: Db, input: UserInput): Promise<UserRow> {
  const role: Role = input.role ?? (input.coop ? 'mandataire' : input.department ? 'tresorier' : 'admin');
  if (!(ROLES as readonly string[]).includes(role)) throw invalid(`Rôle inconnu : « ${role} » (${ROLES.join(', ')}).`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{2,99}$/.test(input.login)) {
    throw invalid(`Identifiant invalide : « ${input.login} » (3 caractères au moins : lettres, chiffres, . _ @ -).`);
  }
  const weak = passwordProblem(input.password);
  if (weak) throw invalid(weak);
  let coopId: number | null = null;
  let department: string | null = null;
  if (role === 'mandataire') {
    if (!input.coop) throw invalid('Un mandataire est rattaché à une coopérative : indiquez --coop.');
    const coop = await db.models.Coop.findOne({ where: { number: input.coop } });
    if (!coop) throw new ServiceError(404, 'introuvable', `La coopérative ${input.coop} n’existe pas.`);
    coopId = coop.id;
    department = coop.departmentCode;
  } else if (role === 'tresorier') {
    if (!input.department)
      throw invalid('Un trésorier départemental est rattaché à un département : indiquez --department.');
    await ensureDepartment(db, input.department);
    department = input.department;
  }
  const passwordHash = await hashPassword(input.password);
  return db.write(async (t) => {
    if (await db.models.User.findOne({ where: { login: input.login }, transaction: t })) {
      throw new ServiceError(409, 'utilisateur_existe', `L’identifiant ${input.login} existe déjà.`);
    }
    return db.models.User.create(
      { login: input.login, passwordHash, role, coopId, departmentCode: department },
      { transaction: t },
    );
  });
}

/** Who changes an exercise: a user of the service, or the command line on the server. */
export interface Actor {
  userId: number | null;
  login: string;
}

export const COMMAND_LINE: Actor = { userId: null, login: 'ligne de commande' };

/** The command line as a principal of the operations: every right, under its own name. */
export const COMMAND_LINE_PRINCIPAL: Principal = {
  userId: 0,
  login: COMMAND_LINE.login,
  role: 'admin',
  coopId: null,
  departmentCode: null,
};

/** An exercise as its history shows it, before and after a change. */
export const exerciseState = (e: Pick<ExerciseRow, 'status' | 'openingBanque' | 'openingCaisse'>) =>
  JSON.stringify({
    status: e.status,
    opening: { banque: Number(e.openingBanque), caisse: Number(e.openingCaisse) },
  });

export async function auditExercise(
  db: Db,
  t: Transaction,
  exercise: ExerciseRow,
  actor: Actor,
  action: ExerciseAction,
  before: string | null,
  reason: string | null,
): Promise<void> {
  await db.models.ExerciseAudit.create(
    {
      exerciseId: exercise.id,
      userId: actor.userId,
      login: actor.login,
      action,
      reason,
      before,
      after: exerciseState(exercise),
      at: new Date(),
    },
    { transaction: t },
  );
}

const fieldError = (field: string, message: string) =>
  new ServiceError(422, 'donnees_invalides', message, { errors: [{ field, message }] });

/**
 * Opens an exercise with its report à nouveau, or corrects the opening while it is open. Past
 * years may be opened (treasurers enter last year's books), not beyond the next exercise. Once
 * the exercise holds lines, a change of its opening needs a reason. Every change is audited.
 */
export async function openExercise(
  db: Db,
  coopId: number,
  year: number,
  opening: { banque: number; caisse: number },
  {
    actor = COMMAND_LINE,
    reason = null,
    today = new Date().toISOString().slice(0, 10),
  }: {
    actor?: Actor;
    reason?: string | null;
    today?: string;
  } = {},
): Promise<ExerciseRow> {
  const latest = exerciseOf(today) + 1;
  if (!Number.isInteger(year) || year < 2000) throw fieldError('year', `Exercice invalide : ${year}.`);
  if (year > latest) {
    throw fieldError(
      'year',
      `year : l’exercice ${exerciseLabel(year)} ne peut pas encore être ouvert (au plus tard : ${exerciseLabel(latest)}).`,
    );
  }
  const why = reason?.trim() || null;
  return db.write(async (t) => {
    const existing = await db.models.Exercise.findOne({
      where: { coopId, year },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    if (!existing) {
      const created = await db.models.Exercise.create(
        { coopId, year, status: 'open', openingBanque: opening.banque, openingCaisse: opening.caisse, lastSeq: 0 },
        { transaction: t },
      );
      await auditExercise(db, t, created, actor, 'open', null, why);
      return created;
    }
    if (existing.status === 'closed') throw closedExercise(year);
    if (Number(existing.openingBanque) === opening.banque && Number(existing.openingCaisse) === opening.caisse) {
      return existing;
    }
    if (!why) {
      const lines = await db.models.Line.count({ where: { exerciseId: existing.id, deleted: false }, transaction: t });
      if (lines > 0) {
        throw fieldError(
          'reason',
          `reason : l’exercice ${exerciseLabel(year)} contient déjà ${lines} ligne${lines > 1 ? 's' : ''} ; indiquez pourquoi le report à nouveau change.`,
        );
      }
    }
    const before = exerciseState(existing);
    await existing.update({ openingBanque: opening.banque, openingCaisse: opening.caisse }, { transaction: t });
    await auditExercise(db, t, existing, actor, 'opening', before, why);
    return existing;
  });
}

/** Closes or reopens an exercise (the closure checks come with the closure feature), audited. */
export async function setExerciseStatus(
  db: Db,
  exerciseId: number,
  status: 'open' | 'closed',
  { actor = COMMAND_LINE, reason = null }: { actor?: Actor; reason?: string | null } = {},
): Promise<void> {
  await db.write(async (t) => {
    const exercise = await lockExercise(db, t, exerciseId, { open: false });
    if (exercise.status === status) return;
    const before = exerciseState(exercise);
    await exercise.update({ status }, { transaction: t });
    await auditExercise(db, t, exercise, actor, status === 'closed' ? 'close' : 'reopen', before, reason);
  });
}

/** Every change of an exercise, oldest first. */
export async function exerciseHistory(db: Db, exerciseId: number): Promise<AuditJson[]> {
  const rows = await db.models.ExerciseAudit.findAll({ where: { exerciseId }, order: [['id', 'ASC']] });
  return rows.map((a) => auditJson({ ...a.get(), reason: a.reason ?? null }));
}
