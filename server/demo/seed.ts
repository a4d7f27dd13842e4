/**
 * The demo cooperative: a department, a coop, a mandataire and a trésorier login; the year
 * before last, complete and closed through the real closing (its archives stored); last year's
 * exercise, opened with that closing's balances, with a whole year of lines (pointed as on the
 * statements, June and July to check); and the current exercise opened with its closing balances.
 */
import { randomUUID } from 'node:crypto';
import {
  addDays,
  balances,
  bankAmount,
  DEFAULT_CHART,
  exerciseBounds,
  exerciseOf,
  touchesBank,
  type CahierLine,
  type Statement,
} from '../../templates/definition';
import type { Db } from '../db/connect';
import type { ExerciseRow } from '../db/models';
import { addCoop, addUser, ensureDepartment, openExercise } from '../operations/accounts';
import { syncLines } from '../operations/lines';
import type { Principal } from '../operations/access';
import { closeExercise } from '../operations/closure';
import { acceptProposals, storeStatement } from '../operations/statements';
import { updateCoopAdmin } from '../operations/side-books/coop-admin';
import type { AttachmentStore } from '../storage/attachments';
import { importLegacy } from '../operations/legacy-import';
import { DEMO_IMPORTED_COOP, demoLegacyCahier } from './legacy';
import { seedSideBooks } from './side-books';
import { DEMO_COOP, generateYear, type GeneratedYear } from './year';

export const DEMO_LOGINS = {
  mandataire: { login: 'demo', password: 'cahier-demo' },
  tresorier: { login: 'tresorier87', password: 'cahier-demo' },
} as const;

/** The demo department's coop with nothing entered (shown « Rien de saisi » on the dashboard). */
export const DEMO_EMPTY_COOP = {
  number: '087-0125',
  name: 'Coopérative de l’école Louise Michel',
  school: 'École élémentaire Louise Michel',
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
  const principal: Principal = {
    userId: user.id,
    login: user.login,
    role: user.role,
    coopId: coop.id,
    departmentCode: null,
  };
  const tresorierPrincipal: Principal = {
    userId: tresorier.id,
    login: tresorier.login,
    role: tresorier.role,
    coopId: null,
    departmentCode: DEMO_COOP.departement,
  };
  const storeYear = async (exercise: ExerciseRow, generated: GeneratedYear) => {
    const entries = generated.lines.map((line) => ({ id: randomUUID(), line }));
    await syncLines({ db, principal, exercise, chart: DEFAULT_CHART }, entries);
    await seedSideBooks(
      { db, coop, exercise, chart: DEFAULT_CHART, mandataire: principal, tresorier: tresorierPrincipal, store },
      generated,
      new Map(entries.map((e) => [e.line.pj, e.id])),
    );
    return entries;
  };

  // The year before last, closed: every bank line pointed, both subsidies justified, the balance
  // of the statement of 31 August entered, then closed as the mandataire would (archives stored).
  const older = generateYear({ exercise: year - 1, seed: 2024 });
  const olderYear: GeneratedYear = {
    ...older,
    subsidies: older.subsidies.map((x) =>
      x.state === 'justifiee'
        ? x
        : {
            ...x,
            state: 'justifiee',
            justifiedOn: `${year}-07-03`,
            note: 'Compte rendu du séjour remis à l’Amicale.',
          },
    ),
    // The computer disposed of is listed once, in last year's inventory.
    inventory: older.inventory.filter((i) => i.lines.length > 0),
  };
  const olderExercise = await openExercise(db, coop.id, year - 1, older.opening, { today });
  const olderEntries = await storeYear(olderExercise, olderYear);
  const olderBank = olderEntries.filter((e) => touchesBank(e.line)).map((e) => e.id);
  await db.write((t) => db.models.Line.update({ pointed: true }, { where: { id: olderBank }, transaction: t }));
  const olderClosing = balances(older.lines, older.opening);
  await updateCoopAdmin(db, principal, coop.number, {
    lastStatement: { date: exerciseBounds(year - 1).end, balance: olderClosing.banque },
  });
  const closed = await closeExercise(
    { db, principal, exercise: olderExercise, chart: DEFAULT_CHART },
    coop.number,
    today,
  );

  // Last year, opened by that closing with its balances as report à nouveau.
  const generated = generateYear({
    exercise: year,
    seed: 2025,
    opening: { banque: Number(closed.next.openingBanque), caisse: Number(closed.next.openingCaisse) },
  });
  const exercise = closed.next;
  const entries = await storeYear(exercise, generated);
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

  // A second coop of the department, whose last year came from its old Excel cahier, imported by
  // the trésorier as departments do (the same file is written in the data folder to try again).
  await addCoop(db, { ...DEMO_IMPORTED_COOP, department: DEMO_COOP.departement });
  const old = await demoLegacyCahier(year);
  const report = await importLegacy(db, tresorierPrincipal, { file: old.file, bytes: old.bytes });
  if (report.status !== 'ok') throw new Error(`Démo : ${old.file} refusé (${report.error?.message})`);
  // A third coop of the department that has entered nothing yet: the dashboard's « Rien de saisi ».
  await addCoop(db, { ...DEMO_EMPTY_COOP, department: DEMO_COOP.departement });
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
