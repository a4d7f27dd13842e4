/**
 * The Excel adapter against office-addin-mock: what it writes, and how many context.sync
 * round trips it needs — a 2,000-line load and a 200-line edit burst must not cost one per line.
 */
import { OfficeMockObject } from 'office-addin-mock';
import { OfficeApp } from 'office-addin-manifest/lib/officeApp';
import {
  FIRST_DATA_ROW,
  TABLE_NAME,
  cahierLayout,
  emptyRow,
  lineToRow,
  type SheetCell,
} from '../../templates/definition';
import { generateYear } from '../../server/demo/year';
import { ExcelWorkbook, MAX_PAYLOAD, QUEUE_SHEET, officeCell } from '../../addin/src/excel-workbook';
import { Api } from '../../addin/src/api';
import { SyncEngine } from '../../addin/src/sync';

const layout = cahierLayout();

/** A tiny Excel: one table's data rows, sheets for the queue, and the change event. */
function fakeExcel() {
  const state = {
    rows: [] as unknown[][],
    syncs: 0,
    payloads: [] as number[],
    sheets: new Map<string, string[]>(),
    onChanged: null as null | ((e: { address: string }) => Promise<void>),
  };
  const created: OfficeMockObject[] = [];
  const make = (data: Record<string, unknown>) => {
    const m = new OfficeMockObject(data, OfficeApp.Excel);
    created.push(m);
    return m as unknown as Record<string, any>;
  };
  const rowRange = (i: number) => {
    const r = make({ values: [state.rows[i] ?? []] });
    Object.defineProperty(r, 'formulas', {
      set(v: unknown[][]) {
        state.rows[i] = [...v[0]!];
      },
    });
    return r;
  };
  const body = () =>
    make({
      values: state.rows.map((r) => [...r]),
      rowCount: state.rows.length,
      getRow: (i: number) => rowRange(i),
      getCell: (r: number, c: number) => {
        const cell = make({});
        Object.defineProperty(cell, 'values', {
          set(v: unknown[][]) {
            state.rows[r]![c] = v[0]![0];
          },
        });
        return cell;
      },
      delete: () => {
        state.rows = [];
      },
    });
  const table = () =>
    make({
      isNullObject: false,
      getDataBodyRange: body,
      rows: {
        add: (_i: unknown, values: unknown[][]) => {
          state.payloads.push(JSON.stringify(values).length);
          state.rows.push(...values.map((v) => [...v]));
        },
        getItemAt: (i: number) => ({ delete: () => state.rows.splice(i, 1) }),
      },
      onChanged: {
        add: (handler: (e: { address: string }) => Promise<void>) => {
          state.onChanged = handler;
        },
      },
    });
  const sheet = (name: string) => {
    const s = make({
      isNullObject: !state.sheets.has(name),
      visibility: 'Visible',
      getUsedRangeOrNullObject: () =>
        make({
          isNullObject: !(state.sheets.get(name) ?? []).length,
          values: (state.sheets.get(name) ?? []).map((v) => [v]),
        }),
      getRange: () => {
        const range = make({ clear: () => state.sheets.set(name, []) });
        Object.defineProperty(range, 'values', {
          set(v: string[][]) {
            state.sheets.set(
              name,
              v.map((x) => x[0]!.replace(/^'/, '')),
            );
          },
        });
        return range;
      },
    });
    return s;
  };
  const context = make({
    workbook: {
      tables: { getItem: () => table(), getItemOrNullObject: () => table() },
      worksheets: {
        getItemOrNullObject: (name: string) => sheet(name),
        add: (name: string) => {
          state.sheets.set(name, []);
          return sheet(name);
        },
      },
    },
  });
  context.sync = async () => {
    state.syncs++;
    for (const m of created) await OfficeMockObject.prototype.sync.call(m);
  };
  (globalThis as any).Excel = {
    run: async (fn: (ctx: unknown) => Promise<unknown>) => fn(context),
    DeleteShiftDirection: { up: 'Up' },
    SheetVisibility: { veryHidden: 'VeryHidden' },
    ClearApplyTo: { contents: 'Contents' },
  };
  return state;
}

const toOffice = (rows: SheetCell[][]) => rows.map((r) => r.map(officeCell));

describe('l’adaptateur Excel (office-addin-mock)', () => {
  test('loading 2,000 lines: at most 3 context.sync, each request under 5 MB', async () => {
    const state = fakeExcel();
    state.rows = toOffice([emptyRow(layout, FIRST_DATA_ROW)]);
    const year = generateYear({ seed: 4, perMonth: 170 });
    const lines = year.lines.slice(0, 2000);
    expect(lines).toHaveLength(2000);
    const rows = lines.map((l, i) =>
      lineToRow(layout, l, FIRST_DATA_ROW + i, { id: `id-${i}`, version: 1, status: '✓' }),
    );
    await new ExcelWorkbook().replaceRows(rows);
    if (process.env.CAHIER_SHOW_SYNCS) console.log('context.sync pour 2 000 lignes', state.syncs, state.payloads);
    expect(state.syncs).toBeLessThanOrEqual(3);
    expect(state.rows).toHaveLength(2000);
    expect(state.rows[0]![layout.byKey.get('pj')!.index]).toBe(lines[0]!.pj);
    expect(String(state.rows[0]![layout.byKey.get('nature')!.index])).toMatch(/^=IF\(/);
    expect(Math.max(...state.payloads)).toBeLessThan(MAX_PAYLOAD);
    expect(state.payloads.reduce((a, b) => a + b, 0)).toBeGreaterThan(1_000_000);
  });

  test('a 200-line edit burst: a fixed number of context.sync, whatever the number of lines', async () => {
    const counts: number[] = [];
    for (const n of [20, 200]) {
      const state = fakeExcel();
      const year = generateYear({ seed: 9, perMonth: 30 });
      state.rows = toOffice(year.lines.slice(0, n).map((l, i) => lineToRow(layout, l, FIRST_DATA_ROW + i)));
      const sent: unknown[] = [];
      (globalThis as any).fetch = async (_url: string, init: { body: string }) => {
        const batch = JSON.parse(init.body).lines as { id: string; line: unknown }[];
        sent.push(...batch);
        const results = batch.map((b) => ({
          id: b.id,
          result: 'stored',
          line: { ...(b.line as object), id: b.id, version: 1, problems: [], status: 'validated', pointed: false },
        }));
        return new Response(JSON.stringify({ cursor: '1', results }), { status: 200 });
      };
      const wb = new ExcelWorkbook();
      const engine = new SyncEngine(wb, new Api(''), '087-0001', 2025, layout.chart, year.opening);
      await engine.start();
      const before = state.syncs;
      // The treasurer pastes n lines: Excel raises one event per row.
      for (let i = 0; i < n; i++)
        await state.onChanged!({ address: `Cahier!B${FIRST_DATA_ROW + i}:AD${FIRST_DATA_ROW + i}` });
      await waitUntil(() => sent.length === n && engine.snapshot.pending === 0 && !engine.snapshot.syncing);
      counts.push(state.syncs - before);
      const status = layout.byKey.get('status')!.index;
      const version = layout.byKey.get('version')!.index;
      expect(state.rows.every((r) => r[status] === '✓' && r[version] === 1)).toBe(true);
      expect(JSON.parse(state.sheets.get(QUEUE_SHEET)!.join(''))).toEqual([]);
      engine.stop();
    }
    if (process.env.CAHIER_SHOW_SYNCS) console.log('context.sync par rafale', counts);
    expect(counts[0]).toBe(counts[1]);
    expect(counts[1]).toBeLessThanOrEqual(10);
  });

  test('its own writes do not come back as edits; the treasurer’s do', async () => {
    const state = fakeExcel();
    state.rows = toOffice([emptyRow(layout, FIRST_DATA_ROW), emptyRow(layout, FIRST_DATA_ROW + 1)]);
    const wb = new ExcelWorkbook();
    const seen: number[][] = [];
    await wb.onRowsChanged((rows) => seen.push(rows));
    await wb.writeCells([{ row: 0, key: 'status', value: '✓' }]);
    await state.onChanged!({ address: `Cahier!A${FIRST_DATA_ROW}` });
    await state.onChanged!({ address: `Cahier!E${FIRST_DATA_ROW + 1}` });
    expect(seen).toEqual([[1]]);
    expect(TABLE_NAME).toBe('Ecritures');
  });
});

async function waitUntil(check: () => boolean, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > end) throw new Error('délai dépassé');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('la création du cahier dans un classeur', () => {
  test('one batch writes the table with the definition’s headers, the names the formulas use, the lists', async () => {
    const writes: Record<string, unknown> = {};
    const names: string[] = [];
    const validations: Record<string, unknown> = {};
    let tableAt = '';
    let syncs = 0;
    const range = (sheet: string, address: string) => {
      const r: Record<string, any> = {
        format: { font: {}, fill: {} },
        dataValidation: {},
        conditionalFormats: {
          add: () => ({ custom: { rule: {}, format: { fill: {}, font: {} } } }),
        },
      };
      for (const prop of ['values', 'formulas', 'numberFormat']) {
        Object.defineProperty(r, prop, {
          set(v: unknown) {
            writes[`${sheet}!${address}:${prop}`] = v;
          },
        });
      }
      Object.defineProperty(r.dataValidation, 'rule', {
        set(v: unknown) {
          validations[`${sheet}!${address}`] = v;
        },
      });
      return r;
    };
    const sheet = (name: string) => ({
      getRange: (a: string) => range(name, a),
      tables: {
        add: (header: { values?: unknown }, hasHeaders: boolean) => {
          tableAt = `${name} ${String(hasHeaders)}`;
          void header;
          return {};
        },
      },
      freezePanes: { freezeAt: () => undefined },
      activate: () => undefined,
    });
    const context = new OfficeMockObject(
      {
        workbook: {
          worksheets: { add: (n: string) => sheet(n) },
          names: { add: (n: string) => names.push(n) },
        },
      },
      OfficeApp.Excel,
    ) as unknown as Record<string, any>;
    context.sync = async () => {
      syncs++;
    };
    (globalThis as any).Excel = {
      run: async (fn: (ctx: unknown) => Promise<unknown>) => fn(context),
      ConditionalFormatType: { custom: 'Custom' },
    };
    await new ExcelWorkbook().createCahier({
      nom: 'Coop Jules Ferry',
      numero: '087-0123',
      departement: '87',
      exercise: 2025,
      opening: { banque: 123_456, caisse: 8_520 },
    });
    expect(syncs).toBe(1);
    expect(tableAt).toBe('Cahier true');
    const header = writes[`Cahier!A4:${layout.last.letter}4:values`] as string[][];
    expect(header[0]).toEqual(layout.columns.map((c) => c.header));
    expect(names).toEqual(
      expect.arrayContaining([
        'RAN_Banque',
        'RAN_Caisse',
        'Exercice_Debut',
        'Exercice_Fin',
        'Liste_Chapitres',
        'Liste_Modes',
      ]),
    );
    const coop = writes['Coopérative!A3:B12:formulas'] as unknown[][];
    expect(coop).toContainEqual(['Report à nouveau – banque', 1234.56]);
    expect(Object.values(validations)).toContainEqual({ list: { inCellDropDown: true, source: '=Liste_Chapitres' } });
  });
});
