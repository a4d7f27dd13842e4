/**
 * The demo cooperative: a department, a coop, a mandataire and a trésorier login, last year's
 * exercise with a whole year of lines (pointed as on the statements) and the current exercise
 * opened with its closing balances.
 */
import { randomUUID } from 'node:crypto';
import { balances, DEFAULT_CHART, exerciseOf } from '../../templates/definition';
import type { Db } from '../db/connect';
import { addCoop, addUser, ensureDepartment, openExercise } from '../operations/accounts';
import { syncLines } from '../operations/lines';
import { DEMO_COOP, generateYear } from './year';

export const DEMO_LOGINS = {
  mandataire: { login: 'demo', password: 'cahier-demo' },
  tresorier: { login: 'tresorier87', password: 'cahier-demo' },
} as const;

export interface DemoInfo {
  coop: string;
  created: boolean;
  lines: number;
  exercise: number;
}

export async function seedDemo(db: Db, today = new Date().toISOString().slice(0, 10)): Promise<DemoInfo> {
  const current = exerciseOf(today);
  const year = current - 1;
  const existing = await db.models.Coop.findOne({ where: { number: DEMO_COOP.numero } });
  if (existing) {
    const ex = await db.models.Exercise.findOne({ where: { coopId: existing.id, year } });
    const lines = ex ? await db.models.Line.count({ where: { exerciseId: ex.id, deleted: false } }) : 0;
    return { coop: DEMO_COOP.numero, created: false, lines, exercise: year };
  }
  await ensureDepartment(db, DEMO_COOP.departement, 'OCCE de la Haute-Vienne');
  const coop = await addCoop(db, {
    number: DEMO_COOP.numero,
    name: DEMO_COOP.nom,
    department: DEMO_COOP.departement,
    school: DEMO_COOP.ecole,
  });
  const user = await addUser(db, { ...DEMO_LOGINS.mandataire, role: 'mandataire', coop: coop.number });
  await addUser(db, { ...DEMO_LOGINS.tresorier, role: 'tresorier', department: DEMO_COOP.departement });
  const generated = generateYear({ exercise: year, seed: 2025 });
  const exercise = await openExercise(db, coop.id, year, generated.opening, { today });
  const principal = { userId: user.id, login: user.login, role: user.role, coopId: coop.id, departmentCode: null };
  const entries = generated.lines.map((line) => ({ id: randomUUID(), line }));
  await syncLines({ db, principal, exercise, chart: DEFAULT_CHART }, entries);
  const pointed = entries.filter((e) => e.line.pointed).map((e) => e.id);
  await db.write((t) => db.models.Line.update({ pointed: true }, { where: { id: pointed }, transaction: t }));
  const closing = balances(generated.lines, generated.opening);
  await openExercise(db, coop.id, current, { banque: closing.banque, caisse: closing.caisse }, { today });
  return { coop: coop.number, created: true, lines: entries.length, exercise: year };
}
