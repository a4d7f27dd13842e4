/**
 * The demo cooperative: a department, a coop, a mandataire and a trésorier login, last year's
 * exercise with a whole year of lines (pointed as on the statements) and the current exercise
 * opened with its closing balances.
 */
import { randomUUID } from 'node:crypto';
import {
  addDays,
  balances,
  bankAmount,
  DEFAULT_CHART,
  exerciseOf,
  type CahierLine,
  type Statement,
} from '../../templates/definition';
import type { Db } from '../db/connect';
import { addCoop, addUser, ensureDepartment, openExercise } from '../operations/accounts';
import { syncLines } from '../operations/lines';
import { acceptProposals, storeStatement } from '../operations/statements';
import type { AttachmentStore } from '../storage/attachments';
import { seedSideBooks } from './side-books';
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

export async function seedDemo(
  db: Db,
  store: AttachmentStore,
  today = new Date().toISOString().slice(0, 10),
): Promise<DemoInfo> {
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
  const tresorier = await addUser(db, {
    ...DEMO_LOGINS.tresorier,
    role: 'tresorier',
    department: DEMO_COOP.departement,
  });
  const generated = generateYear({ exercise: year, seed: 2025 });
  const exercise = await openExercise(db, coop.id, year, generated.opening, { today });
  const principal = { userId: user.id, login: user.login, role: user.role, coopId: coop.id, departmentCode: null };
  const entries = generated.lines.map((line) => ({ id: randomUUID(), line }));
  await syncLines({ db, principal, exercise, chart: DEFAULT_CHART }, entries);
  await seedSideBooks(
    {
      db,
      coop,
      exercise,
      chart: DEFAULT_CHART,
      mandataire: principal,
      tresorier: {
        userId: tresorier.id,
        login: tresorier.login,
        role: tresorier.role,
        coopId: null,
        departmentCode: DEMO_COOP.departement,
      },
      store,
    },
    generated,
    new Map(entries.map((e) => [e.line.pj, e.id])),
  );
  // Pointed by hand up to May; June and July arrive as a bank statement imported, its certain
  // proposals accepted, the others left to check in the pane's Pointage tab.
  const statementFrom = `${year + 1}-06-01`;
  const byHand = entries.filter((e) => e.line.pointed && e.line.date < statementFrom).map((e) => e.id);
  await db.write((t) => db.models.Line.update({ pointed: true }, { where: { id: byHand }, transaction: t }));
  const scope = { db, principal, exercise, chart: DEFAULT_CHART };
  const statement = demoStatement(
    entries.filter((e) => e.line.pointed && e.line.date >= statementFrom).map((e) => e.line),
    balances(
      entries.filter((e) => e.line.pointed).map((e) => e.line),
      generated.opening,
    ).banque,
  );
  const imported = await storeStatement(scope, coop.id, statement, {
    fileName: `releve-juin-juillet-${year + 1}.ofx`,
    fileHash: 'demo',
  });
  await acceptProposals(scope, coop.id, imported.statement.id!, 'certain');
  const closing = balances(generated.lines, generated.opening);
  await openExercise(db, coop.id, current, { banque: closing.banque, caisse: closing.caisse }, { today });
  return { coop: coop.number, created: true, lines: entries.length, exercise: year };
}

/** The statement the bank would print for these lines: cheques cashed days later, bank labels. */
function demoStatement(lines: readonly CahierLine[], closingBalance: number): Statement {
  const label = (l: CahierLine) => {
    const who = l.libelle.split('–')[0]!.trim().toUpperCase();
    if (l.mode === 'cheque' && l.kind === 'depense') return `CHEQUE ${l.cheque ?? ''}`.trim();
    if (l.mode === 'cheque') return `REMISE CHEQUES ${who}`;
    if (l.mode === 'carte') return `CB ${who}`;
    if (l.mode === 'prelevement') return `PRLV ${who}`;
    if (l.kind === 'depot') return 'VERSEMENT ESPECES';
    if (l.kind === 'retrait') return 'RETRAIT DAB';
    return `VIR ${who}`;
  };
  const statementLines = lines
    .map((l, i) => ({
      date: addDays(l.date, l.mode === 'cheque' && l.kind === 'depense' ? 3 + (i % 9) : 1),
      amount: bankAmount(l),
      label: label(l),
      cheque: l.mode === 'cheque' && l.kind === 'depense' ? (l.cheque ?? null) : null,
      bankRef: null,
    }))
    .sort((a, b) => a.date.localeCompare(b.date));
  return {
    format: 'ofx',
    account: '00012345678',
    period: statementLines.length ? { from: statementLines[0]!.date, to: statementLines.at(-1)!.date } : null,
    openingBalance: null,
    closingBalance,
    lines: statementLines,
  };
}
