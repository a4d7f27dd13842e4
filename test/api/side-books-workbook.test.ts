/**
 * The service and the workbook agree on the side books: a generated year is written through the
 * API with its side books (a monthly arrêté de caisse, two subsidies with their receipts, the
 * inventory of its 6800 purchases, two régies d'avance back to zero, actions); the workbook is
 * built from what the API answers and recalculated by LibreOffice; every figure the API gives
 * equals the sheet's, to the cent.
 */
import type ExcelJS from 'exceljs';
import {
  SHEETS,
  SUBSIDY_STATE_LABELS,
  byDateThenPj,
  chapterTotals,
  reminderChapters,
  DEFAULT_CHART,
  type ActionJson,
  type CashCountJson,
  type InventoryCheckJson,
  type LineInput,
  type RegiesJson,
  type SubsidiesJson,
} from '../../templates/definition';
import { buildCahierWorkbook, type WorkbookLine } from '../../templates/workbook/build';
import { recalculateXlsx } from '../../server/libreoffice';
import { generateYear, REGIE_HOLDERS } from '../../server/demo/year';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import { centsAt, dateAt, errorCells, loadWorkbook, rowWith, textAt } from '../workbook/read';
import { Client, startTestService, uuid, type TestService } from './harness';

const EXERCISE = 2025;
const COOP = '087-0777';
const LOGIN = 'mandataire.0777';
const PASSWORD = 'mot-de-passe-0777';
const BRAVO = 'Bravo, la caisse est juste !';

describe('A generated year with a régie, two subsidies, a 6800 purchase and a monthly caisse count', () => {
  const year = generateYear({ exercise: EXERCISE, seed: 2025 });
  let service: TestService;
  let api: Client;
  const base = `/api/coops/${COOP}/exercises/${EXERCISE}`;
  const ids = new Map<string, string>(); // PJ → id given to the line
  const idOf = (pj: string) => ids.get(pj)!;

  // What the API answers once everything is stored.
  let cashCounts: CashCountJson[];
  let subsidies: SubsidiesJson;
  let inventory: InventoryCheckJson;
  let regies: RegiesJson;
  let actions: ActionJson[];
  let wb: ExcelJS.Workbook;

  beforeAll(async () => {
    service = await startTestService({ name: 'sqlite' });
    const coop = await addCoop(service.db, { number: COOP, name: 'École Jules Ferry', department: '87' });
    await addUser(service.db, { login: LOGIN, password: PASSWORD, coop: COOP });
    await openExercise(service.db, coop.id, EXERCISE, year.opening);
    api = await new Client(service.url).login(LOGIN, PASSWORD);

    // The lines, in batches as the add-in sends them.
    const entries = year.lines.map(({ pointed: _pointed, ...line }) => ({ id: uuid(), line }));
    for (const e of entries) ids.set(e.line.pj, e.id);
    for (let i = 0; i < entries.length; i += 100) {
      const r = await api.request('POST', `${base}/sync`, { lines: entries.slice(i, i + 100) });
      expect(r.status).toBe(200);
      expect(r.body.counts).toMatchObject({ conflict: 0, invalid: 0 });
    }

    // The side books.
    for (const c of year.cashCounts) {
      const r = await api.request('PUT', `${base}/cash-counts/${c.date}`, { counts: c.counts });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ date: c.date, total: c.total, balance: c.balance, gap: 0, ok: true });
    }
    for (const { receipts, uses, received: _r, spent: _s, ...input } of year.subsidies) {
      const created = await api.request('POST', `${base}/subsidies`, input);
      expect(created.status).toBe(201);
      const attach = [
        ...receipts.map((l) => ({ line: idOf(l.pj), role: 'receipt' })),
        ...uses.map((l) => ({ line: idOf(l.pj), role: 'use' })),
      ];
      for (const body of attach) {
        expect((await api.request('POST', `${base}/subsidies/${created.body.id}/lines`, body)).status).toBe(201);
      }
    }
    for (const item of year.inventory) {
      const r = await api.request('POST', `/api/coops/${COOP}/inventory`, {
        ...item,
        lines: item.lines.map((l) => idOf(l.pj)),
      });
      expect(r.status).toBe(201);
    }

    const get = async <T>(path: string): Promise<T> => {
      const r = await api.request<T>('GET', path);
      expect(r.status).toBe(200);
      return r.body;
    };
    const stored = await get<{
      lines: (LineInput & { id: string; version: number; pointed: boolean; status: string })[];
    }>(`${base}/lines`);
    expect(stored.lines.every((l) => l.status === 'validated')).toBe(true);
    cashCounts = await get(`${base}/cash-counts`);
    subsidies = await get(`${base}/subsidies`);
    inventory = await get(`${base}/inventory`);
    regies = await get(`${base}/regies`);
    actions = await get(`${base}/actions`);

    // The workbook as an export would build it: the lines and the side books the API gives.
    const lines: WorkbookLine[] = stored.lines.map(({ status: _status, ...l }) => l).sort(byDateThenPj);
    const xlsx = await buildCahierWorkbook({
      coop: { nom: 'École Jules Ferry', numero: COOP, departement: '87' },
      exercise: EXERCISE,
      opening: year.opening,
      lines,
      cashCounts,
      subsidies: subsidies.subsidies,
      inventory: inventory.items,
    });
    wb = await loadWorkbook(await recalculateXlsx(xlsx));
  });
  afterAll(() => service?.stop());

  test('the service holds every line, validated, and the workbook shows no error', () => {
    expect(ids.size).toBe(year.lines.length);
    expect(errorCells(wb)).toEqual([]);
  });

  test('every arrêté de caisse: counted, the cahier’s balance on its date and the gap, as the Caisse sheet', () => {
    const ws = wb.getWorksheet(SHEETS.caisse)!;
    expect(cashCounts.map((c) => c.date)).toEqual(year.cashCounts.map((c) => c.date).reverse()); // newest first
    const head = rowWith(ws, 'A', 'Date de l’arrêté');
    [...cashCounts].reverse().forEach((c, i) => {
      const r = head + 1 + i;
      expect([dateAt(ws, `A${r}`), centsAt(ws, `B${r}`), centsAt(ws, `C${r}`), centsAt(ws, `D${r}`)]).toEqual([
        c.date,
        c.total,
        c.balance,
        c.gap,
      ]);
      expect(c.ok).toBe(true);
      expect(textAt(ws, `E${r}`)).toBe(BRAVO);
    });
    // The counting grid holds the latest one.
    const latest = cashCounts[0]!;
    expect(dateAt(ws, 'B3')).toBe(latest.date);
    const total = rowWith(ws, 'A', 'Total compté');
    expect([centsAt(ws, `D${total}`), centsAt(ws, `D${total + 1}`), centsAt(ws, `D${total + 2}`)]).toEqual([
      latest.total,
      latest.balance,
      latest.gap,
    ]);
  });

  test('the tableau des subventions: each subsidy and the total received, against the 7410/7420 receipts', () => {
    const ws = wb.getWorksheet(SHEETS.subventions)!;
    expect(subsidies.subsidies.map((s) => [s.chapter, s.state])).toEqual([
      ['7410', 'justifiee'],
      ['7420', 'a_justifier'],
    ]);
    subsidies.subsidies.forEach((s, i) => {
      const r = 4 + i;
      expect([textAt(ws, `A${r}`), textAt(ws, `C${r}`), textAt(ws, `H${r}`)]).toEqual([
        s.financeur,
        s.chapter,
        SUBSIDY_STATE_LABELS[s.state],
      ]);
      expect([centsAt(ws, `E${r}`), centsAt(ws, `F${r}`), centsAt(ws, `G${r}`)]).toEqual([
        s.granted,
        s.received,
        s.spent,
      ]);
      // The service's figures are the generated year's.
      const generated = year.subsidies[i]!;
      expect([s.received, s.spent, s.receipts.map((l) => l.pj)]).toEqual([
        generated.received,
        generated.spent,
        generated.receipts.map((l) => l.pj),
      ]);
    });
    expect(subsidies.unattached).toEqual([]);
    expect(subsidies.problems.map((p) => p.code)).toEqual(['subvention_a_justifier']);
    const sRow = rowWith(ws, 'B', 'Subventions reçues selon le tableau');
    expect(centsAt(ws, `F${sRow}`)).toBe(subsidies.totals.received);
    const unattached = subsidies.unattached.reduce((t, l) => t + l.amount, 0);
    expect(centsAt(ws, `F${sRow + 1}`)).toBe(subsidies.totals.received + unattached);
    expect(centsAt(ws, `F${sRow + 2}`)).toBe(unattached);
    expect(textAt(ws, `G${sRow + 2}`)).toBe('Toutes les subventions sont détaillées');
  });

  test('the cahier d’inventaire: the items held, the value acquired in the exercise against the 6800 purchases', () => {
    const ws = wb.getWorksheet(SHEETS.inventaire)!;
    expect(inventory.items).toHaveLength(year.inventory.length);
    expect(inventory.unlisted).toEqual([]);
    expect(inventory.problems).toEqual([]);
    inventory.items.forEach((item, i) => {
      const r = 4 + i;
      expect([textAt(ws, `A${r}`), dateAt(ws, `B${r}`), textAt(ws, `C${r}`), centsAt(ws, `D${r}`)]).toEqual([
        item.designation,
        item.acquiredOn,
        item.lines.map((l) => l.pj).join(', '),
        item.value,
      ]);
      expect(dateAt(ws, `F${r}`)).toBe(item.disposedOn);
    });
    const iRow = rowWith(ws, 'A', 'Biens inscrits, acquis dans l’exercice');
    expect([centsAt(ws, `D${iRow}`), centsAt(ws, `D${iRow + 1}`), centsAt(ws, `D${iRow + 2}`)]).toEqual([
      inventory.totals.listed,
      inventory.totals.purchases,
      inventory.totals.purchases - inventory.totals.listed,
    ]);
    const durable = reminderChapters(DEFAULT_CHART, 'inventaire');
    const totals = chapterTotals(year.lines, DEFAULT_CHART);
    expect(inventory.totals.purchases).toBe(durable.reduce((t, c) => t + totals.get(c)!, 0));
    expect(textAt(ws, `G${iRow + 2}`)).toBe('Inventaire à jour');
  });

  test('the régies d’avance: per holder, given, spent, returned and balance, as the Régies sheet', () => {
    const ws = wb.getWorksheet(SHEETS.regies)!;
    expect(regies.regies.map((r) => r.holder)).toEqual(
      REGIE_HOLDERS.map((h) => h.holder).sort((a, b) => a.localeCompare(b, 'fr')),
    );
    for (const r of regies.regies) {
      const row = rowWith(ws, 'A', r.holder);
      expect([centsAt(ws, `B${row}`), centsAt(ws, `C${row}`), centsAt(ws, `D${row}`), centsAt(ws, `E${row}`)]).toEqual([
        r.given,
        r.spent,
        r.returned,
        r.balance,
      ]);
      expect(r.spentByChapter.reduce((t, c) => t + c.amount, 0)).toBe(r.spent);
      expect(r.given).toBeGreaterThan(0);
      expect(r.balance).toBe(0);
      expect(textAt(ws, `F${row}`)).toBe('Régie soldée');
    }
    expect(regies.problems).toEqual([]);
    const total = rowWith(ws, 'A', 'Total des régies ci-dessus');
    expect(textAt(ws, `F${total + 1}`)).toBe('Toutes les régies sont soldées');
  });

  test('the actions: receipts, expenses, result and lines count, as the Actions sheet', () => {
    const ws = wb.getWorksheet(SHEETS.actions)!;
    expect(actions.length).toBeGreaterThanOrEqual(4);
    for (const a of actions) {
      const r = rowWith(ws, 'A', a.action);
      expect([centsAt(ws, `B${r}`), centsAt(ws, `C${r}`), centsAt(ws, `D${r}`), Number(textAt(ws, `E${r}`))]).toEqual([
        a.receipts,
        a.expenses,
        a.result,
        a.lines,
      ]);
    }
  });
});
