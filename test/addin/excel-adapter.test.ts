/**
 * The Excel adapter against office-addin-mock: what it writes, and how many context.sync
 * round trips it needs — a 2,000-line load and a 200-line edit burst must not cost one per line;
 * the change events of its own writes, and the treasurer's edits typed while it writes.
 */
import { OfficeMockObject } from 'office-addin-mock';
import { OfficeApp } from 'office-addin-manifest/lib/officeApp';
import {
  FIRST_DATA_ROW,
  NAMES,
  TABLE_NAME,
  cahierLayout,
  emptyRow,
  lineToRow,
  type SheetCell,
} from '../../templates/definition';
import { generateYear } from '../../server/demo/year';
import {
  ExcelWorkbook,
  MAX_PAYLOAD,
  MAX_SELECTED_AREAS,
  QUEUE_SHEET,
  officeCell,
  rowAreas,
} from '../../addin/src/excel-workbook';
import { Api } from '../../addin/src/api';
import { NO_INSERT, REPORT_SHEETS } from '../../addin/src/workbook';
import { SyncEngine } from '../../addin/src/sync';
import { COOP, OPENING, expense, gate, paneService, waitUntil } from './service';

const layout = cahierLayout();
const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

/**
 * What a General-format cell of Excel keeps of what is written or typed into it: text behind
 * an apostrophe stays text; text that looks like a number becomes the number ("01" → 1).
 */
function excelKeeps(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v.startsWith("'")) return v.slice(1);
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

/** What a cell reads: this Excel does not calculate, a formula reads empty. */
const shown = (v: unknown) => (typeof v === 'string' && v.startsWith('=') ? '' : v);

/** Rows of cells as they stand in the sheet once written (or typed). */
const inSheet = (rows: SheetCell[][]) => rows.map((r) => r.map((c) => excelKeeps(officeCell(c))));

/**
 * A tiny Excel: one table's data rows, sheets for the queue, and the change event — raised, as
 * Excel does, for the add-in's own writes too, once their context.sync is done. `hold` keeps the
 * next context.sync that writes in the table in flight until the test opens it.
 */
function fakeExcel() {
  const state = {
    rows: [] as unknown[][],
    syncs: 0,
    payloads: [] as number[],
    sheets: new Map<string, string[]>(),
    handlers: [] as ((e: { address: string }) => Promise<void>)[],
    /** Excel raises the table's change event: every handler added is called. */
    onChanged: async (e: { address: string }) => {
      for (const h of state.handlers) await h(e);
    },
    /** Table rows written since the last context.sync. */
    touched: new Set<number>(),
    hold: null as null | ReturnType<typeof gate>,
    /** Data rows selected, in order. */
    selected: [] as number[],
    /** Sheet addresses selected (one range, or several areas at once), in order. */
    selectedAreas: [] as string[],
  };
  const raise = (row: number) => {
    const address = `Cahier!A${FIRST_DATA_ROW + row}:AI${FIRST_DATA_ROW + row}`;
    setTimeout(() => void state.onChanged({ address }), 0);
  };
  const created: OfficeMockObject[] = [];
  const make = (data: Record<string, unknown>) => {
    const m = new OfficeMockObject(data, OfficeApp.Excel);
    created.push(m);
    return m as unknown as Record<string, any>;
  };
  const rowRange = (i: number) => {
    const r = make({
      values: [(state.rows[i] ?? []).map(shown)],
      select: () => {
        state.selected.push(i);
      },
    });
    Object.defineProperty(r, 'formulas', {
      set(v: unknown[][]) {
        state.rows[i] = v[0]!.map(excelKeeps);
        state.touched.add(i);
      },
    });
    return r;
  };
  const body = () =>
    make({
      values: state.rows.map((r) => r.map(shown)),
      rowCount: state.rows.length,
      getRow: (i: number) => rowRange(i),
      getCell: (r: number, c: number) => {
        const cell = make({});
        Object.defineProperty(cell, 'values', {
          set(v: unknown[][]) {
            state.rows[r]![c] = excelKeeps(v[0]![0]);
            state.touched.add(r);
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
      worksheet: {
        getRange: (address: string) => make({ select: () => state.selectedAreas.push(address) }),
        getRanges: (address: string) => make({ select: () => state.selectedAreas.push(address) }),
      },
      rows: {
        add: (_i: unknown, values: unknown[][]) => {
          state.payloads.push(JSON.stringify(values).length);
          for (const v of values) state.touched.add(state.rows.push(v.map(excelKeeps)) - 1);
        },
        getItemAt: (i: number) => ({ delete: () => state.rows.splice(i, 1) }),
      },
      onChanged: {
        add: (handler: (e: { address: string }) => Promise<void>) => {
          state.handlers.push(handler);
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
    const written = [...state.touched];
    state.touched.clear();
    if (written.length && state.hold) {
      const held = state.hold;
      state.hold = null;
      held.reach();
      await held.opened;
    }
    for (const row of written) raise(row);
  };
  (globalThis as any).Excel = {
    run: async (fn: (ctx: unknown) => Promise<unknown>) => fn(context),
    DeleteShiftDirection: { up: 'Up' },
    SheetVisibility: { veryHidden: 'VeryHidden' },
    ClearApplyTo: { contents: 'Contents' },
  };
  return state;
}

/** The treasurer types a line into a row (Excel raises the change event). */
function type(state: ReturnType<typeof fakeExcel>, row: number, cells: SheetCell[]): Promise<void> {
  state.rows[row] = inSheet([cells])[0]!;
  return state.onChanged({ address: `Cahier!B${FIRST_DATA_ROW + row}:AD${FIRST_DATA_ROW + row}` });
}

/** Until no context.sync has happened for a while (the change events of the last writes read). */
async function quiet(state: ReturnType<typeof fakeExcel>): Promise<void> {
  for (let last = -1; last !== state.syncs;) {
    last = state.syncs;
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('l’adaptateur Excel (office-addin-mock)', () => {
  test('loading 2,000 lines: at most 3 context.sync, each request under 5 MB', async () => {
    const state = fakeExcel();
    state.rows = inSheet([emptyRow(layout, FIRST_DATA_ROW)]);
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
      state.rows = inSheet(year.lines.slice(0, n).map((l, i) => lineToRow(layout, l, FIRST_DATA_ROW + i)));
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
        await state.onChanged({ address: `Cahier!B${FIRST_DATA_ROW + i}:AD${FIRST_DATA_ROW + i}` });
      await waitUntil(() => sent.length === n && engine.snapshot.pending === 0 && !engine.snapshot.syncing);
      // The change events of its own writes are read once, and are no edits.
      await quiet(state);
      expect(sent).toHaveLength(n);
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

  test('its own writes come back as changes, told from the treasurer’s edits by their content', async () => {
    const state = fakeExcel();
    const id = '11111111-2222-4333-8444-555555555555';
    state.rows = inSheet([
      lineToRow(layout, { ...expense('001', 'Papeterie – cahiers'), pointed: false }, FIRST_DATA_ROW, {
        id,
        version: 1,
        status: '✓',
      }),
      emptyRow(layout, FIRST_DATA_ROW + 1),
    ]);
    const sent: { id: string; version: number | null; line: { pj: string; libelle: string } }[] = [];
    (globalThis as any).fetch = async (_url: string, init: { body: string }) => {
      const batch = JSON.parse(init.body).lines as (typeof sent)[number][];
      sent.push(...batch);
      const results = batch.map((b) => ({
        id: b.id,
        result: 'stored',
        line: { ...b.line, id: b.id, version: (b.version ?? 0) + 1, problems: [], status: 'validated', pointed: false },
      }));
      return new Response(JSON.stringify({ cursor: '1', results }), { status: 200 });
    };
    const wb = new ExcelWorkbook();
    const changes: number[][] = [];
    await wb.onRowsChanged((rows) => changes.push(rows));
    const engine = new SyncEngine(wb, new Api(''), COOP, 2025, layout.chart, OPENING);
    await engine.start();
    // The add-in writes (status, pointage, version): the adapter reports the row, nothing is sent.
    await wb.writeCells([
      { row: 0, key: 'status', value: '✓ ⚠ relu' },
      { row: 0, key: 'pointage', value: 'X' },
      { row: 0, key: 'version', value: 1 },
    ]);
    await quiet(state);
    expect(changes).toEqual([[0]]);
    expect(sent).toEqual([]);
    // The PJ "001" it wrote is still "001" in the sheet: text stays text.
    expect(state.rows[0]![layout.byKey.get('pj')!.index]).toBe('001');
    // The treasurer corrects the libellé of row 0 and types a new line in row 1: both are sent.
    const edited = lineToRow(layout, { ...expense('001', 'Papeterie – cahiers et classeurs'), pointed: true }, 0, {
      id,
      version: 1,
    });
    await type(state, 0, edited);
    await type(state, 1, lineToRow(layout, { ...expense('002', 'Boulangerie – goûter'), pointed: false }, 1));
    await waitUntil(() => sent.length === 2 && engine.snapshot.pending === 0);
    await quiet(state);
    expect(sent.map((e) => [e.id === id, e.version, e.line.pj, e.line.libelle])).toEqual([
      [true, 1, '001', 'Papeterie – cahiers et classeurs'],
      [false, null, '002', 'Boulangerie – goûter'],
    ]);
    expect(TABLE_NAME).toBe('Ecritures');
    engine.stop();
  });

  test('an edit typed while the add-in is writing in the sheet reaches the service (real service)', async () => {
    const pane = await paneService();
    try {
      const state = fakeExcel();
      const engine = new SyncEngine(new ExcelWorkbook(), pane.api, COOP, 2025, layout.chart, OPENING);
      await engine.start();
      // When the service's first answer is back, the add-in's next write in the sheet is held.
      const held = gate();
      const sync = pane.api.sync;
      let calls = 0;
      pane.api.sync = async (...args) => {
        const answer = await sync(...args);
        if (++calls === 1) state.hold = held;
        return answer;
      };
      await type(state, 0, lineToRow(layout, { ...expense('01', 'Papeterie – cahiers'), pointed: false }, 0));
      await held.reached;
      // While it writes, the treasurer types a new line and corrects the first one.
      await type(state, 1, lineToRow(layout, { ...expense('02', 'Boulangerie – goûter', 1_840), pointed: false }, 1));
      const first = [...(state.rows[0] as SheetCell[])];
      first[layout.byKey.get('libelle')!.index] = 'Papeterie – cahiers et classeurs';
      state.rows[0] = first;
      await state.onChanged({ address: `Cahier!E${FIRST_DATA_ROW}` });
      await new Promise((r) => setTimeout(r, 200));
      held.open();
      await waitUntil(async () => (await pane.stored()).length === 2 && engine.snapshot.pending === 0);
      await quiet(state);
      const stored = await pane.stored();
      expect(stored.map((l) => [l.pj, l.libelle, l.amount, l.version])).toEqual([
        ['01', 'Papeterie – cahiers et classeurs', 1_000, 2],
        ['02', 'Boulangerie – goûter', 1_840, 1],
      ]);
      expect(engine.snapshot).toMatchObject({ pending: 0, errors: 0, conflicts: [] });
      const status = layout.byKey.get('status')!.index;
      expect(state.rows.map((r) => r[status])).toEqual(['✓', '✓']);
      engine.stop();
    } finally {
      await pane.service.stop();
    }
  });
});

describe('la sélection d’une ligne', () => {
  test('selects the data row asked, in one context.sync', async () => {
    const state = fakeExcel();
    state.rows = inSheet([emptyRow(layout, FIRST_DATA_ROW), emptyRow(layout, FIRST_DATA_ROW + 1)]);
    await new ExcelWorkbook().selectRow(1);
    expect(state.selected).toEqual([1]);
    expect(state.syncs).toBe(1);
  });
});

/**
 * The Office host running the pane, answering every requirement set asked with `supported`; the
 * sets asked are noted (each describe removes it after each test).
 */
function fakeOffice(supported: boolean): string[] {
  const asked: string[] = [];
  (globalThis as any).Office = {
    context: {
      requirements: {
        isSetSupported: (name: string, version?: string) => {
          asked.push(`${name} ${version}`);
          return supported;
        },
      },
    },
  };
  return asked;
}

describe('la sélection de plusieurs lignes à la fois', () => {
  const L = layout.last.letter;
  const at = (row: number) => FIRST_DATA_ROW + row;
  /** The Excel running the pane, with or without ExcelApi 1.9. */
  const office = fakeOffice;
  afterEach(() => {
    delete (globalThis as any).Office;
  });
  const sheetOf = (n: number) => {
    const state = fakeExcel();
    state.rows = inSheet(Array.from({ length: n }, (_, i) => emptyRow(layout, FIRST_DATA_ROW + i)));
    return state;
  };

  test('one multi-area selection, consecutive rows joined, top to bottom, in one context.sync', async () => {
    const asked = office(true);
    const state = sheetOf(10);
    expect(await new ExcelWorkbook().selectRows([7, 0, 4, 1, 7])).toBe(4);
    expect(state.selectedAreas).toEqual([`A${at(0)}:${L}${at(1)}, A${at(4)}:${L}${at(4)}, A${at(7)}:${L}${at(7)}`]);
    expect(state.selected).toEqual([]);
    expect(state.syncs).toBe(1);
    expect(asked).toEqual(['ExcelApi 1.9']);
  });

  test('without ExcelApi 1.9 (RangeAreas), only the first row is selected', async () => {
    office(false);
    const state = sheetOf(10);
    expect(await new ExcelWorkbook().selectRows([6, 2, 9])).toBe(1);
    expect(state.selected).toEqual([2]);
    expect(state.selectedAreas).toEqual([]);
    expect(state.syncs).toBe(1);
  });

  test('rows that follow one another are one range: selected whole even without ExcelApi 1.9', async () => {
    office(false);
    const state = sheetOf(10);
    expect(await new ExcelWorkbook().selectRows([5, 3, 4])).toBe(3);
    expect(state.selectedAreas).toEqual([`A${at(3)}:${L}${at(5)}`]);
    expect(state.syncs).toBe(1);
  });

  test(`up to ${MAX_SELECTED_AREAS} areas at once; beyond, only the first row`, async () => {
    office(true);
    const every = (areas: number) => Array.from({ length: areas }, (_, i) => 2 * i + 1);
    const state = sheetOf(2 * MAX_SELECTED_AREAS + 4);
    expect(await new ExcelWorkbook().selectRows(every(MAX_SELECTED_AREAS))).toBe(MAX_SELECTED_AREAS);
    expect(state.selectedAreas).toHaveLength(1);
    expect(state.selectedAreas[0]!.split(', ')).toEqual(rowAreas(every(MAX_SELECTED_AREAS), L));
    expect(state.selectedAreas[0]!.split(', ')).toHaveLength(MAX_SELECTED_AREAS);

    expect(await new ExcelWorkbook().selectRows(every(MAX_SELECTED_AREAS + 1).reverse())).toBe(1);
    expect(state.selected).toEqual([1]);
    expect(state.selectedAreas).toHaveLength(1);
    expect(state.syncs).toBe(2);
  });

  test('no row asked: nothing selected, no round trip', async () => {
    office(true);
    const state = sheetOf(2);
    expect(await new ExcelWorkbook().selectRows([])).toBe(0);
    expect([state.syncs, state.selected, state.selectedAreas]).toEqual([0, [], []]);
  });
});

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

describe('le classeur complet du service (ExcelApi 1.13)', () => {
  /** The Excel running the pane, with or without ExcelApi 1.13. */
  const office = fakeOffice;
  afterEach(() => {
    delete (globalThis as any).Office;
  });

  /** Every name the template's formulas use, pointing at a cell. */
  const WHOLE_NAMES: Record<string, string> = Object.fromEntries(
    Object.values(NAMES).map((n) => [n, "='Coopérative'!$B$3"]),
  );

  /**
   * A workbook of sheets (by name, in order) that notes each insertion from base64, each rename,
   * deletion and activation, and counts context.sync. `refuse` makes the insertion fail at its
   * context.sync, as Excel does with a file it cannot read.
   */
  const excelWith = (names: string[], refuse = false, definedNames: Record<string, string> = WHOLE_NAMES) => {
    const state = {
      definedNames: { ...definedNames },
      sheets: [...names],
      calls: [] as string[],
      inserted: [] as { base64: string; options: unknown }[],
      syncs: 0,
    };
    let pending: (() => void)[] = [];
    const sheetOf = (name: string) => {
      const s: Record<string, unknown> = {
        activate: () => pending.push(() => state.calls.push(`activate ${name}`)),
        delete: () =>
          pending.push(() => {
            state.calls.push(`delete ${current.name}`);
            state.sheets = state.sheets.filter((n) => n !== current.name);
          }),
      };
      const current = { name };
      Object.defineProperty(s, 'name', {
        get: () => current.name,
        set: (v: string) =>
          pending.push(() => {
            state.calls.push(`rename ${current.name} → ${v}`);
            state.sheets = state.sheets.map((n) => (n === current.name ? v : n));
            current.name = v;
          }),
      });
      return s;
    };
    const worksheets = {
      items: [] as Record<string, unknown>[],
      load: () => pending.push(() => (worksheets.items = state.sheets.map(sheetOf))),
      getItem: (name: string) => sheetOf(name),
    };
    const context = {
      workbook: {
        worksheets,
        names: {
          getItemOrNullObject: (name: string) => {
            const item: Record<string, unknown> = { isNullObject: true, load: () => undefined };
            pending.push(() => {
              const formula = state.definedNames[name];
              item.isNullObject = formula === undefined;
              if (formula !== undefined) item.formula = formula;
            });
            return item;
          },
        },
        insertWorksheetsFromBase64: (base64: string, options: unknown) => {
          state.inserted.push({ base64, options });
          pending.push(() => {
            if (refuse) throw new Error('Le fichier est illisible.');
            state.calls.push('insert');
          });
          return { value: [] };
        },
      },
      sync: async () => {
        state.syncs++;
        const todo = pending;
        pending = [];
        for (const f of todo) f();
      },
    };
    (globalThis as any).Excel = {
      run: async (fn: (ctx: unknown) => Promise<unknown>) => fn(context),
      WorksheetPositionType: { end: 'End', after: 'After' },
    };
    return state;
  };

  test('with ExcelApi 1.13: the whole workbook inserted at the end in one context.sync, the Cahier sheet brought to the front', async () => {
    const asked = office(true);
    const state = excelWith(['Feuil1']);
    const wb = new ExcelWorkbook();
    expect(wb.canInsertWorkbook()).toBe(true);
    expect(await wb.insertWorkbook('UEsDBA==')).toEqual([]);
    expect(state.inserted).toEqual([{ base64: 'UEsDBA==', options: { sheetNamesToInsert: [], positionType: 'End' } }]);
    expect(state.calls).toEqual(['insert', 'activate Cahier']);
    // One context.sync inserts, one reads the names the formulas use.
    expect(state.syncs).toBe(2);
    expect(asked).toEqual(['ExcelApi 1.13', 'ExcelApi 1.13']);
    expect(await wb.sheetNames()).toEqual(['Feuil1']);
  });

  test('office-addin-mock: insertWorksheetsFromBase64 called with the sheets asked, at the end', async () => {
    office(true);
    const inserted: unknown[][] = [];
    const activated: string[] = [];
    let syncs = 0;
    const context = new OfficeMockObject(
      {
        workbook: {
          insertWorksheetsFromBase64: (...args: unknown[]) => inserted.push(args),
          worksheets: { getItem: (name: string) => ({ activate: () => activated.push(name) }) },
          names: {
            getItemOrNullObject: () => ({ isNullObject: false, formula: "='Coopérative'!$B$3", load: () => undefined }),
          },
        },
      },
      OfficeApp.Excel,
    ) as unknown as Record<string, any>;
    context.sync = async () => {
      syncs++;
    };
    (globalThis as any).Excel = {
      run: async (fn: (ctx: unknown) => Promise<unknown>) => fn(context),
      WorksheetPositionType: { end: 'End', after: 'After' },
    };
    await new ExcelWorkbook().insertWorkbook('UEsDBA==', ['Cahier', 'Coopérative']);
    expect(inserted).toEqual([['UEsDBA==', { sheetNamesToInsert: ['Cahier', 'Coopérative'], positionType: 'End' }]]);
    expect(activated).toEqual(['Cahier']);
    // Other sheets only: the Cahier sheet is not brought to the front.
    await new ExcelWorkbook().insertWorkbook('UEsDBA==', ['Caisse']);
    expect(activated).toEqual(['Cahier']);
    expect(syncs).toBe(4);
  });

  test('the sheets of the compte rendu replaced after the Cahier sheet: the old ones deleted once the new are in', async () => {
    office(true);
    const state = excelWith(['Cahier', 'Coopérative', 'Chapitres', 'Compte rendu', 'Caisse', 'Mes notes']);
    expect(await new ExcelWorkbook().replaceSheets('UEsDBA==', REPORT_SHEETS)).toEqual([]);
    expect(state.inserted).toEqual([
      {
        base64: 'UEsDBA==',
        options: { sheetNamesToInsert: [...REPORT_SHEETS], positionType: 'After', relativeTo: 'Cahier' },
      },
    ]);
    expect(state.calls).toEqual([
      'rename Compte rendu → Compte rendu ~1',
      'rename Caisse → Caisse ~1',
      'insert',
      'delete Compte rendu ~1',
      'delete Caisse ~1',
    ]);
    expect(state.syncs).toBe(4);
  });

  test('names the formulas use that Excel left missing or pointing nowhere (#REF!) are reported', async () => {
    office(true);
    const { RAN_Banque: _gone, ...kept } = WHOLE_NAMES;
    excelWith(['Feuil1'], false, { ...kept, Coop_Nom: '=#REF!$B$3' });
    expect(await new ExcelWorkbook().insertWorkbook('UEsDBA==')).toEqual(['Coop_Nom', 'RAN_Banque']);
  });

  test('an insertion refused leaves the old sheets under their names', async () => {
    office(true);
    const state = excelWith(['Cahier', 'Caisse'], true);
    await expect(new ExcelWorkbook().replaceSheets('UEsDBA==', REPORT_SHEETS)).rejects.toThrow('illisible');
    expect(state.sheets).toEqual(['Cahier', 'Caisse']);
    expect(state.calls).toEqual(['rename Caisse → Caisse ~1', 'rename Caisse ~1 → Caisse']);
  });

  test('without ExcelApi 1.13: nothing asked of Excel, a French refusal (the pane offers the download)', async () => {
    const asked = office(false);
    const state = excelWith(['Feuil1']);
    const wb = new ExcelWorkbook();
    expect(wb.canInsertWorkbook()).toBe(false);
    await expect(wb.insertWorkbook('UEsDBA==')).rejects.toThrow(NO_INSERT);
    await expect(wb.replaceSheets('UEsDBA==', REPORT_SHEETS)).rejects.toThrow(NO_INSERT);
    expect([state.inserted, state.calls, state.syncs]).toEqual([[], [], 0]);
    expect(asked.every((a) => a === 'ExcelApi 1.13')).toBe(true);
  });
});
