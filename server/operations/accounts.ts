/** Departments, cooperatives, users and exercises: what the CLI and the demo set up. */
import { chartProblems, exerciseLabel, type Chart } from '../../templates/definition';
import type { Db } from '../db/connect';
import { ROLES, type CoopRow, type ExerciseRow, type Role, type UserRow } from '../db/models';
import { hashPassword, passwordProblem } from '../auth/password';
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

/** Opens an exercise with its report à nouveau, or corrects the opening while it is open. */
export async function openExercise(
  db: Db,
  coopId: number,
  year: number,
  opening: { banque: number; caisse: number },
): Promise<ExerciseRow> {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw invalid(`Exercice invalide : ${year}.`);
  return db.write(async (t) => {
    const existing = await db.models.Exercise.findOne({
      where: { coopId, year },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    if (existing?.status === 'closed') {
      throw new ServiceError(
        409,
        'exercice_clos',
        `L’exercice ${exerciseLabel(year)} est clôturé : il ne peut plus être modifié.`,
      );
    }
    if (existing) {
      return existing.update({ openingBanque: opening.banque, openingCaisse: opening.caisse }, { transaction: t });
    }
    return db.models.Exercise.create(
      { coopId, year, status: 'open', openingBanque: opening.banque, openingCaisse: opening.caisse, lastSeq: 0 },
      { transaction: t },
    );
  });
}

/** Closes an exercise (the closure checks come with the closure feature). */
export async function setExerciseStatus(db: Db, exerciseId: number, status: 'open' | 'closed'): Promise<void> {
  await db.write((t) => db.models.Exercise.update({ status }, { where: { id: exerciseId }, transaction: t }));
}
