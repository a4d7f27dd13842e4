/**
 * The closure of a 10,000-line exercise (a generated year, its side books complete, every bank
 * line pointed, the statement's balance entered) stored in SQLite through the service's
 * operations:
 * - the pure closure checks (`closureCheck`) on the data the service reads, against the 200 ms
 *   target;
 * - the service's closure check (`closureOf`, what GET …/closure answers): the reads and the checks;
 * - the compte rendu financier: `buildCrf` then `crfPdf`, with the pdf's size.
 * Each a median of several runs after a warm-up. Alone: `npx tsx test/bench/closure.ts`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  balances,
  buildCrf,
  closureCheck,
  exerciseBounds,
  touchesBank,
  DEFAULT_CHART,
  type ClosureInput,
} from '../../templates/definition';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { DEMO_COOP, generateYear } from '../../server/demo/year';
import { crfPdf } from '../../server/formats/pdf/crf';
import type { Principal } from '../../server/operations/access';
import { addCoop, addUser, ensureDepartment, openExercise } from '../../server/operations/accounts';
import { closureOf } from '../../server/operations/closure';
import { syncLines } from '../../server/operations/lines';
import { crfInput } from '../../server/operations/reports';
import { liveLines } from '../../server/operations/side-books/book-lines';
import { putCashCount } from '../../server/operations/side-books/cash-counts';
import { updateCoopAdmin } from '../../server/operations/side-books/coop-admin';
import { createInventoryItem, exerciseInventory } from '../../server/operations/side-books/inventory';
import { createSubsidy, listSubsidies } from '../../server/operations/side-books/subsidies';
import { median } from './measure';

export interface ClosureBenchResult {
  lines: number;
  runs: number;
  /** Median ms of the pure checks. */
  pure: number;
  /** Median ms of the service's closure check on SQLite (reads included). */
  service: number;
  /** Errors the check found (0: the year can close), and their codes. */
  errors: number;
  codes: string[];
  crf: { build: number; pdf: number; bytes: number; pages: number };
}

const step = (what: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${what}\n`);

/** About `count` lines: the generated year with as many lines a month as it takes. */
export function perMonthFor(count: number): number {
  const sample = generateYear({ exercise: 2025, seed: 10, perMonth: 200 }).lines.length;
  return Math.round((200 * count) / sample);
}

/** A closable exercise of about `count` lines stored in a new SQLite file, and what the measures need. */
export async function seedClosureExercise(count: number) {
  const dir = await mkdtemp(join(tmpdir(), 'cahier-bench-closure-'));
  const db = await openDb(`sqlite:${join(dir, 'bench.sqlite')}`);
  const dispose = async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await migrate(db);
    const year = generateYear({ exercise: 2025, seed: 10, perMonth: perMonthFor(count) });
    await ensureDepartment(db, '87', 'OCCE de la Haute-Vienne');
    const coop = await addCoop(db, { number: '087-0999', name: DEMO_COOP.nom, department: '87' });
    const user = await addUser(db, { login: 'bench.0999', password: 'bench-closure-0999', coop: coop.number });
    const exercise = await openExercise(db, coop.id, 2025, year.opening, { today: '2026-09-02' });
    const principal: Principal = {
      userId: user.id,
      login: user.login,
      role: user.role,
      coopId: coop.id,
      departmentCode: null,
    };
    const scope = { db, principal, exercise, chart: DEFAULT_CHART };
    const entries = year.lines.map((line) => ({ id: randomUUID(), line }));
    step(`${entries.length} lignes`);
    for (let i = 0; i < entries.length; i += 2_000) await syncLines(scope, entries.slice(i, i + 2_000));
    step('lignes enregistrées');
    // The side books through their operations, except the subsidies' links, inserted at once:
    // attaching thousands of lines one call at a time re-reads the exercise on each call.
    for (const c of year.cashCounts) await putCashCount(scope, c.date, { counts: c.counts }, null);
    const idOf = new Map(entries.map((e) => [e.line.pj, e.id]));
    for (const { receipts, uses, received: _r, spent: _s, ...subsidy } of year.subsidies) {
      // Both justified, so that nothing blocks the closure.
      const created = await createSubsidy(scope, {
        ...subsidy,
        state: 'justifiee',
        justifiedOn: subsidy.justifiedOn ?? '2026-07-03',
      });
      const links = [
        ...receipts.map((r) => ({ subsidyId: created.id, lineId: idOf.get(r.pj)!, role: 'receipt' as const })),
        ...uses.map((u) => ({ subsidyId: created.id, lineId: idOf.get(u.pj)!, role: 'use' as const })),
      ];
      await db.write((t) => db.models.SubsidyLine.bulkCreate(links, { transaction: t }));
    }
    step('subventions');
    for (const item of year.inventory) {
      await createInventoryItem(
        { db, principal, coop, chart: DEFAULT_CHART },
        { ...item, lines: item.lines.map((l) => idOf.get(l.pj)!) },
      );
    }
    step('livres annexes enregistrés');
    const bank = entries.filter((e) => touchesBank(e.line)).map((e) => e.id);
    await db.write((t) => db.models.Line.update({ pointed: true }, { where: { id: bank }, transaction: t }));
    const closing = balances(year.lines, year.opening);
    await updateCoopAdmin(db, principal, coop.number, {
      lastStatement: { date: exerciseBounds(2025).end, balance: closing.banque },
    });
    return { db, dispose, year, coop, principal, scope, bank, closing, today: '2026-09-02' };
  } catch (e) {
    await dispose();
    throw e;
  }
}

export async function benchClosure(count = 10_000, runs = 9): Promise<ClosureBenchResult> {
  const { db, dispose, year, coop, principal, scope, bank, closing, today } = await seedClosureExercise(count);
  const { exercise } = scope;
  try {
    // The pure checks, on what the service reads (read once).
    const [lines, counts, subsidies, inventory] = await Promise.all([
      liveLines(scope),
      db.models.CashCount.findAll({ where: { exerciseId: exercise.id } }),
      listSubsidies(scope),
      exerciseInventory(scope),
    ]);
    const pointed = new Set<string>(bank);
    const input: ClosureInput = {
      year: 2025,
      date: today,
      opening: year.opening,
      chart: DEFAULT_CHART,
      lines: lines.map((l) => ({ ...l, pointed: pointed.has(l.id) })),
      statement: { date: exerciseBounds(2025).end, balance: closing.banque, source: 'saisie' },
      cashCounts: counts.map((c) => ({ date: c.date, total: Number(c.total) })),
      subsidies,
      inventory,
    };
    step('mesures');
    const pure = await median(() => closureCheck(input), runs);
    const report = await closureOf(scope, today);
    const service = await median(() => closureOf(scope, today), runs);

    const crfIn = await crfInput(db, principal, coop.number, 2025, today);
    const crf = buildCrf(crfIn);
    const build = await median(() => buildCrf(crfIn), runs);
    let pdfBytes: Buffer = Buffer.alloc(0);
    const pdf = await median(async () => (pdfBytes = await crfPdf(crf)), runs);
    const pages = (pdfBytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    return {
      lines: lines.length,
      runs,
      pure,
      service,
      errors: report.figures.counts.errors,
      codes: report.problems.filter((p) => p.severity === 'error').map((p) => p.code),
      crf: { build, pdf, bytes: pdfBytes.length, pages },
    };
  } finally {
    await dispose();
  }
}

if (require.main === module) {
  benchClosure().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
