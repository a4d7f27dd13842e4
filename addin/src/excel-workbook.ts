/**
 * The adapter: the only code that calls Excel.run. It speaks in rows of the cahier table and
 * batches every operation (2D arrays, one context.sync per step, never one per row).
 * Requirement set: ExcelApi 1.8 without a guard (tables, table events, names, data validation,
 * conditional formats, worksheet visibility, freeze panes); behind an isSetSupported guard,
 * ExcelApi 1.9 (multi-area selection) and ExcelApi 1.13 (inserting the sheets of the service's
 * workbook).
 */
import {
  AMOUNT_FORMAT,
  DATE_FORMAT,
  FIRST_DATA_ROW,
  HEADER_ROW,
  MODES,
  MODE_LABELS,
  NAMES,
  POINTED_MARK,
  SHEETS,
  TABLE_NAME,
  cahierLayout,
  chapterChoices,
  col,
  exerciseLabel,
  type CahierLayout,
  type SheetCell,
} from '../../templates/definition';
import { NO_INSERT, type CahierWorkbook, type CellWrite, type CoopSheetInfo, type RowWrite } from './workbook';

/** Excel on the web refuses requests above 5 MB: rows are sent in slices under this. */
export const MAX_PAYLOAD = 4 * 1024 * 1024;
export const QUEUE_SHEET = 'CahierCoopSync';
const QUEUE_CHUNK = 30_000; // a cell holds 32,767 characters

/**
 * A cell as Office.js `formulas` takes it. Text goes in behind an apostrophe, as a treasurer
 * would type it, so that Excel keeps it as written: "01" stays the PJ "01" (not the number 1),
 * "4500123" a cheque number, and a libellé starting with "=" is no formula. The add-in tells
 * its own writes from the treasurer's edits by what the cells read back: they must read back
 * exactly as written.
 */
export function officeCell(c: SheetCell): string | number | boolean {
  if (c === null) return '';
  if (typeof c === 'object') return `=${c.formula}`;
  if (typeof c === 'string' && c !== '') return `'${c}`;
  return c;
}

/** Rows in slices whose JSON stays under `limit` bytes. */
export function slices<T>(rows: readonly T[], limit = MAX_PAYLOAD): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const r of rows) {
    const s = JSON.stringify(r).length + 1;
    if (current.length && size + s > limit) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += s;
  }
  if (current.length) out.push(current);
  return out;
}

/** "Cahier!B7:D9" → [7, 9] (sheet rows). */
export function addressRows(address: string): [number, number] | null {
  const m = /!?\$?[A-Z]+\$?(\d+)(?::\$?[A-Z]+\$?(\d+))?$/.exec(address);
  if (!m) return null;
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/**
 * At most this many areas in one selection: a closure problem may name hundreds of lines, and
 * the address of so many areas grows long; beyond this, only the first row is selected.
 */
export const MAX_SELECTED_AREAS = 200;

/**
 * Data rows (0-based) as the sheet addresses of the areas that select them, consecutive rows
 * joined into one area, top to bottom: [4, 0, 1] → ["A5:AI6", "A9:AI9"] (first data row 5).
 */
export function rowAreas(rows: readonly number[], last: string): string[] {
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  const areas: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    areas.push(`A${FIRST_DATA_ROW + sorted[i]!}:${last}${FIRST_DATA_ROW + sorted[j]!}`);
    i = j + 1;
  }
  return areas;
}

/** Whether the Excel running the pane supports an ExcelApi requirement set. */
function supportsExcelApi(version: string): boolean {
  return typeof Office !== 'undefined' && Office.context.requirements.isSetSupported('ExcelApi', version);
}

/**
 * The workbook names the template's formulas use that are missing or point nowhere (#REF!), in
 * one context.sync (NamedItemCollection.getItemOrNullObject, ExcelApi 1.4; NamedItem.formula,
 * ExcelApi 1.7): inserted sheets may come without the source's workbook names, or with names
 * whose reference was lost.
 */
async function brokenNames(ctx: Excel.RequestContext): Promise<string[]> {
  const items = Object.values(NAMES).map((name) => {
    const item = ctx.workbook.names.getItemOrNullObject(name);
    item.load('formula');
    return { name, item };
  });
  await ctx.sync();
  return items.filter(({ item }) => item.isNullObject || /#REF!/.test(String(item.formula))).map(({ name }) => name);
}

export class ExcelWorkbook implements CahierWorkbook {
  private readonly layout: CahierLayout = cahierLayout();

  /** Workbook.insertWorksheetsFromBase64 is ExcelApi 1.13. */
  canInsertWorkbook(): boolean {
    return supportsExcelApi('1.13');
  }

  /** WorksheetCollection items and Worksheet.name: ExcelApi 1.1. */
  async sheetNames(): Promise<string[]> {
    return Excel.run(async (ctx) => {
      const sheets = ctx.workbook.worksheets;
      sheets.load('items/name');
      await ctx.sync();
      return sheets.items.map((s) => s.name);
    });
  }

  /**
   * The service's workbook inserted whole (or the sheets named) at the end, in one
   * context.sync; the Cahier sheet, when inserted, comes to the front. ExcelApi 1.13, guarded.
   */
  async insertWorkbook(base64: string, sheetNames?: readonly string[]): Promise<string[]> {
    if (!supportsExcelApi('1.13')) throw new Error(NO_INSERT);
    return Excel.run(async (ctx) => {
      const wb = ctx.workbook;
      wb.insertWorksheetsFromBase64(base64, {
        sheetNamesToInsert: sheetNames ? [...sheetNames] : [],
        positionType: Excel.WorksheetPositionType.end,
      });
      if (!sheetNames || sheetNames.includes(SHEETS.cahier)) wb.worksheets.getItem(SHEETS.cahier).activate();
      await ctx.sync();
      return brokenNames(ctx);
    });
  }

  /**
   * Sheets replaced by the service's: the old ones are renamed aside, the new ones inserted after
   * the Cahier sheet, and only then are the old ones deleted (an insertion refused leaves the old
   * sheets as they were, under their names). Four context.sync (the last checks the names).
   * ExcelApi 1.13, guarded.
   */
  async replaceSheets(base64: string, sheetNames: readonly string[]): Promise<string[]> {
    if (!supportsExcelApi('1.13')) throw new Error(NO_INSERT);
    return Excel.run(async (ctx) => {
      const wb = ctx.workbook;
      const sheets = wb.worksheets;
      sheets.load('items/name');
      await ctx.sync();
      const taken = new Set(sheets.items.map((s) => s.name));
      const old = sheets.items.filter((s) => sheetNames.includes(s.name));
      const aside = old.map((s) => {
        let n = 1;
        let name = `${s.name} ~${n}`;
        while (taken.has(name)) name = `${s.name} ~${++n}`;
        taken.add(name);
        return { sheet: s, name: s.name, aside: name };
      });
      for (const a of aside) a.sheet.name = a.aside;
      wb.insertWorksheetsFromBase64(base64, {
        sheetNamesToInsert: [...sheetNames],
        positionType: Excel.WorksheetPositionType.after,
        relativeTo: SHEETS.cahier,
      });
      try {
        await ctx.sync();
      } catch (e) {
        // The old sheets get their names back (those renamed before the refusal).
        for (const a of aside) a.sheet.name = a.name;
        await ctx.sync().catch(() => undefined);
        throw e;
      }
      for (const a of aside) a.sheet.delete();
      await ctx.sync();
      return brokenNames(ctx);
    });
  }

  async hasCahier(): Promise<boolean> {
    return Excel.run(async (ctx) => {
      const table = ctx.workbook.tables.getItemOrNullObject(TABLE_NAME);
      table.load('isNullObject');
      await ctx.sync();
      return !table.isNullObject;
    });
  }

  async createCahier(info: CoopSheetInfo): Promise<void> {
    const L = this.layout;
    await Excel.run(async (ctx) => {
      const wb = ctx.workbook;
      const cahier = wb.worksheets.add(SHEETS.cahier);
      const coop = wb.worksheets.add(SHEETS.coop);
      const chapitres = wb.worksheets.add(SHEETS.chapitres);

      // Coopérative: the cells the formulas name.
      const coopRows: [string, string | number, string, string?][] = [
        ['Nom de la coopérative', info.nom, NAMES.coopNom],
        ['N° d’affiliation OCCE', info.numero, NAMES.coopNumero],
        ['Département', info.departement, NAMES.coopDepartement],
        ['Exercice (année de début)', info.exercise, NAMES.exerciceAnnee],
        ['Début de l’exercice', `=DATE(${NAMES.exerciceAnnee},9,1)`, NAMES.exerciceDebut, DATE_FORMAT],
        ['Fin de l’exercice', `=DATE(${NAMES.exerciceAnnee}+1,8,31)`, NAMES.exerciceFin, DATE_FORMAT],
        ['Report à nouveau – banque', info.opening.banque / 100, NAMES.ranBanque, AMOUNT_FORMAT],
        ['Report à nouveau – caisse', info.opening.caisse / 100, NAMES.ranCaisse, AMOUNT_FORMAT],
        ['Date du dernier relevé bancaire', '', NAMES.releveDate, DATE_FORMAT],
        ['Solde du relevé bancaire', '', NAMES.releveSolde, AMOUNT_FORMAT],
      ];
      coop.getRange('A1').values = [['Coopérative scolaire']];
      coop.getRange(`A3:B${2 + coopRows.length}`).formulas = coopRows.map(([label, value]) => [label, value]);
      coopRows.forEach(([, , name, format], i) => {
        const cell = coop.getRange(`B${3 + i}`);
        if (format) cell.numberFormat = [[format]];
        wb.names.add(name, cell);
      });

      // Chapitres: the lists.
      const choices = chapterChoices(L.chart);
      chapitres.getRange('A1:C1').values = [['Chapitres', 'Modes', 'Actions']];
      chapitres.getRange(`A2:A${1 + choices.length}`).values = choices.map((c) => [c]);
      chapitres.getRange(`B2:B${1 + MODES.length}`).values = MODES.map((m) => [MODE_LABELS[m]]);
      wb.names.add(NAMES.listeChapitres, chapitres.getRange(`A2:A${1 + choices.length}`));
      wb.names.add(NAMES.listeModes, chapitres.getRange(`B2:B${1 + MODES.length}`));
      wb.names.add(NAMES.listeActions, chapitres.getRange('C2:C60'));

      // Cahier: titles, the table with the definition's headers, formats, lists, controls.
      cahier.getRange('A1').values = [
        [`Cahier de comptabilité – ${info.nom} – exercice ${exerciseLabel(info.exercise)}`],
      ];
      cahier.getRange('A1').format.font.bold = true;
      const header = cahier.getRange(`A${HEADER_ROW}:${L.last.letter}${HEADER_ROW}`);
      header.values = [L.columns.map((c) => c.header)];
      const table = cahier.tables.add(header, true);
      table.name = TABLE_NAME;
      table.showTotals = true;
      for (const c of L.columns) {
        const column = cahier.getRange(`${c.letter}:${c.letter}`);
        column.format.columnWidth = c.width * 6;
        if (c.numFmt) column.numberFormat = [[c.numFmt]];
        if (c.hidden) column.columnHidden = true;
      }
      const body = (key: string) => cahier.getRange(`${col(L, key).letter}${FIRST_DATA_ROW}:${col(L, key).letter}2000`);
      const list = (key: string, source: string) => {
        body(key).dataValidation.rule = { list: { inCellDropDown: true, source } };
      };
      list('mode', `=${NAMES.listeModes}`);
      list('chapitre', `=${NAMES.listeChapitres}`);
      list('pointage', POINTED_MARK);
      const ecart = col(L, 'ecart').letter;
      const red = cahier
        .getRange(`A${FIRST_DATA_ROW}:${L.last.letter}2000`)
        .conditionalFormats.add(Excel.ConditionalFormatType.custom);
      red.custom.rule.formula = `=AND(ISNUMBER($${ecart}${FIRST_DATA_ROW}),$${ecart}${FIRST_DATA_ROW}<>0)`;
      red.custom.format.fill.color = '#FFC7CE';
      red.custom.format.font.color = '#9C0006';
      cahier.freezePanes.freezeAt(cahier.getRange(`A1:${col(L, 'libelle').letter}${HEADER_ROW}`));
      cahier.activate();
      await ctx.sync();
    });
  }

  async replaceRows(rows: SheetCell[][]): Promise<void> {
    await Excel.run(async (ctx) => {
      const table = ctx.workbook.tables.getItem(TABLE_NAME);
      const body = table.getDataBodyRange();
      body.load('rowCount');
      await ctx.sync();
      if (body.rowCount > 0) table.getDataBodyRange().delete(Excel.DeleteShiftDirection.up);
      const all = rows.map((r) => r.map(officeCell));
      const parts = slices(all);
      for (let i = 0; i < parts.length; i++) {
        table.rows.add(undefined, parts[i]!);
        // One request per slice under the size limit; the first goes with the deletion.
        if (i < parts.length - 1) await ctx.sync();
      }
      await ctx.sync();
    });
  }

  async readRows(rows?: number[]): Promise<{ row: number; values: unknown[] }[]> {
    return Excel.run(async (ctx) => {
      const body = ctx.workbook.tables.getItem(TABLE_NAME).getDataBodyRange();
      if (!rows) {
        body.load('values');
        await ctx.sync();
        return body.values.map((values, row) => ({ row, values }));
      }
      const ranges = rows.map((row) => {
        const r = body.getRow(row);
        r.load('values');
        return { row, r };
      });
      await ctx.sync();
      return ranges.map(({ row, r }) => ({ row, values: r.values[0]! }));
    });
  }

  async writeRows(writes: RowWrite[]): Promise<number[]> {
    return Excel.run(async (ctx) => {
      const table = ctx.workbook.tables.getItem(TABLE_NAME);
      const body = table.getDataBodyRange();
      body.load('rowCount');
      await ctx.sync();
      let next = body.rowCount;
      const written = writes.map((w) => {
        const cells = [w.cells.map(officeCell)];
        if (w.row === null) {
          table.rows.add(undefined, cells);
          return next++;
        }
        body.getRow(w.row).formulas = cells;
        return w.row;
      });
      await ctx.sync();
      return written;
    });
  }

  async writeCells(writes: CellWrite[]): Promise<void> {
    if (!writes.length) return;
    await Excel.run(async (ctx) => {
      const body = ctx.workbook.tables.getItem(TABLE_NAME).getDataBodyRange();
      for (const w of writes) {
        body.getCell(w.row, col(this.layout, w.key).index).values = [[officeCell(w.value)]];
      }
      await ctx.sync();
    });
  }

  async deleteRows(rows: number[]): Promise<void> {
    await Excel.run(async (ctx) => {
      const table = ctx.workbook.tables.getItem(TABLE_NAME);
      for (const r of [...rows].sort((a, b) => b - a)) table.rows.getItemAt(r).delete();
      await ctx.sync();
    });
  }

  async selectedRow(): Promise<number | null> {
    return Excel.run(async (ctx) => {
      const range = ctx.workbook.getSelectedRange();
      range.load('rowIndex');
      range.worksheet.load('name');
      await ctx.sync();
      const row = range.rowIndex + 1 - FIRST_DATA_ROW;
      return range.worksheet.name === SHEETS.cahier && row >= 0 ? row : null;
    });
  }

  /** Selects a data row of the table (the sheet comes to the front): Range.select, ExcelApi 1.1. */
  async selectRow(row: number): Promise<void> {
    await Excel.run(async (ctx) => {
      ctx.workbook.tables.getItem(TABLE_NAME).getDataBodyRange().getRow(row).select();
      await ctx.sync();
    });
  }

  /**
   * Selects several data rows in one Excel.run and one context.sync: one area per run of
   * consecutive rows, joined in a multi-area address (Worksheet.getRanges, ExcelApi 1.9); rows
   * in one run need only Range.select. Beyond MAX_SELECTED_AREAS areas, or without ExcelApi 1.9,
   * only the first (topmost) row is selected.
   */
  async selectRows(rows: number[]): Promise<number> {
    if (!rows.length) return 0;
    const areas = rowAreas(rows, this.layout.last.letter);
    const all = areas.length === 1 || (areas.length <= MAX_SELECTED_AREAS && supportsExcelApi('1.9'));
    const first = rows.reduce((a, b) => Math.min(a, b));
    await Excel.run(async (ctx) => {
      const table = ctx.workbook.tables.getItem(TABLE_NAME);
      if (areas.length === 1) table.worksheet.getRange(areas[0]).select();
      else if (all) table.worksheet.getRanges(areas.join(', ')).select();
      else table.getDataBodyRange().getRow(first).select();
      await ctx.sync();
    });
    return all ? new Set(rows).size : 1;
  }

  /**
   * Every changed data row, the add-in's own writes included: Excel raises the event for both,
   * and the sync engine tells them apart by what the rows hold.
   */
  async onRowsChanged(listener: (rows: number[]) => void): Promise<void> {
    await Excel.run(async (ctx) => {
      const table = ctx.workbook.tables.getItem(TABLE_NAME);
      table.onChanged.add(async (event: Excel.TableChangedEventArgs) => {
        const span = addressRows(event.address);
        if (!span) return;
        const rows: number[] = [];
        for (let r = Math.max(span[0], FIRST_DATA_ROW); r <= span[1]; r++) rows.push(r - FIRST_DATA_ROW);
        if (rows.length) listener(rows);
      });
      await ctx.sync();
    });
  }

  async loadQueue(): Promise<string | null> {
    return Excel.run(async (ctx) => {
      const sheet = ctx.workbook.worksheets.getItemOrNullObject(QUEUE_SHEET);
      await ctx.sync();
      if (sheet.isNullObject) return null;
      const used = sheet.getUsedRangeOrNullObject(true);
      used.load('values');
      await ctx.sync();
      if (used.isNullObject) return null;
      return used.values.map((r) => String(r[0] ?? '')).join('') || null;
    });
  }

  async saveQueue(json: string): Promise<void> {
    await Excel.run(async (ctx) => {
      let sheet = ctx.workbook.worksheets.getItemOrNullObject(QUEUE_SHEET);
      await ctx.sync();
      if (sheet.isNullObject) {
        sheet = ctx.workbook.worksheets.add(QUEUE_SHEET);
        sheet.visibility = Excel.SheetVisibility.veryHidden;
      }
      sheet.getRange('A:A').clear(Excel.ClearApplyTo.contents);
      const chunks: string[][] = [];
      for (let i = 0; i < json.length; i += QUEUE_CHUNK) chunks.push([`'${json.slice(i, i + QUEUE_CHUNK)}`]);
      if (chunks.length) sheet.getRange(`A1:A${chunks.length}`).values = chunks;
      await ctx.sync();
    });
  }
}
