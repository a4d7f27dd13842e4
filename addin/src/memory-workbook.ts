/**
 * A workbook in memory behind the adapter's interface: the browser tests drive the task pane
 * with it, and it lets the pane run in a plain browser. As in Excel, every change raises the
 * change event — the pane's own writes (a moment later, as Excel does) as well as the
 * treasurer's typing, which `type` simulates.
 */
import { cahierLayout, emptyRow, FIRST_DATA_ROW, SHEETS, type SheetCell } from '../../templates/definition';
import {
  CREATED_SHEETS,
  NO_INSERT,
  WORKBOOK_SHEETS,
  type CahierWorkbook,
  type CellWrite,
  type CoopSheetInfo,
  type RowWrite,
} from './workbook';

/** A workbook inserted (or sheets replaced) from base64, as the pane asked. */
export interface Insertion {
  base64: string;
  /** The sheets asked (null: all of the workbook's). */
  sheetNames: string[] | null;
  /** Replaced sheets go after this one; a whole insertion goes at the end. */
  after: string | null;
}

export class MemoryWorkbook implements CahierWorkbook {
  /**
   * The ExcelApi set this Excel claims (the browser tests choose, e.g. taskpane.html?excelApi=1.13):
   * from 1.13 on, the pane inserts the service's whole workbook.
   */
  excelApi: string;
  /** The sheets of the workbook, in order (a new workbook has one empty sheet). */
  sheets: string[] = ['Feuil1'];
  /** Every insertion from base64, in order (the tests decode them with ExcelJS). */
  inserted: Insertion[] = [];
  /** The names the formulas use that the next insertions leave missing or broken (the tests choose). */
  brokenNames: string[] = [];
  rows: SheetCell[][] | null = null;
  info: CoopSheetInfo | null = null;
  /** The active row of the selection (the first of the rows selected). */
  selection: number | null = null;
  /** Every row of the selection, top to bottom (one row unless several were selected at once). */
  selectedRows: number[] = [];
  queue: string | null = null;
  private listeners: ((rows: number[]) => void)[] = [];
  private readonly layout = cahierLayout();

  constructor(excelApi = '1.9') {
    this.excelApi = excelApi;
  }

  canInsertWorkbook(): boolean {
    const [major = 0, minor = 0] = this.excelApi.split('.').map(Number);
    return major > 1 || (major === 1 && minor >= 13);
  }

  async sheetNames(): Promise<string[]> {
    return [...this.sheets];
  }

  /** As Excel, a sheet inserted under a name already taken gets the next free « Nom (2) ». */
  private freeName(name: string): string {
    let n = 2;
    let free = name;
    while (this.sheets.includes(free)) free = `${name} (${n++})`;
    return free;
  }

  /**
   * No xlsx reader in the pane: the sheets inserted are taken to be the template's (those asked,
   * or all); when the Cahier sheet comes in, its table does too (empty here: the pane then loads
   * the lines, as it does in Excel).
   */
  async insertWorkbook(base64: string, sheetNames?: readonly string[]): Promise<string[]> {
    if (!this.canInsertWorkbook()) throw new Error(NO_INSERT);
    const names = sheetNames ? [...sheetNames] : [...WORKBOOK_SHEETS];
    this.inserted.push({ base64, sheetNames: sheetNames ? [...sheetNames] : null, after: null });
    const added = names.map((n) => this.freeName(n));
    this.sheets.push(...added);
    if (added.includes(SHEETS.cahier) && this.rows === null) this.rows = [];
    return [...this.brokenNames];
  }

  async replaceSheets(base64: string, sheetNames: readonly string[]): Promise<string[]> {
    if (!this.canInsertWorkbook()) throw new Error(NO_INSERT);
    this.inserted.push({ base64, sheetNames: [...sheetNames], after: SHEETS.cahier });
    const kept = this.sheets.filter((s) => !sheetNames.includes(s));
    const at = kept.indexOf(SHEETS.cahier) + 1;
    kept.splice(at, 0, ...sheetNames);
    this.sheets = kept;
    return [...this.brokenNames];
  }

  async hasCahier(): Promise<boolean> {
    return this.rows !== null;
  }

  async createCahier(info: CoopSheetInfo): Promise<void> {
    const taken = CREATED_SHEETS.filter((s) => this.sheets.includes(s));
    if (taken.length) throw new Error(`La feuille ${taken[0]} existe déjà.`);
    this.sheets.push(...CREATED_SHEETS);
    this.info = info;
    this.rows = [];
  }

  private table(): SheetCell[][] {
    if (!this.rows) throw new Error('Le classeur n’a pas encore de cahier.');
    return this.rows;
  }

  /** Raises the change event for rows the pane wrote, once its write is done. */
  private written(rows: number[]): void {
    const listeners = [...this.listeners];
    const changed = [...new Set(rows)].sort((a, b) => a - b);
    if (!listeners.length || !changed.length) return;
    setTimeout(() => {
      for (const l of listeners) l(changed);
    }, 0);
  }

  async replaceRows(rows: SheetCell[][]): Promise<void> {
    this.rows = rows.map((r) => [...r]);
    this.written(this.rows.map((_, i) => i));
  }

  async readRows(rows?: number[]): Promise<{ row: number; values: unknown[] }[]> {
    const table = this.table();
    const wanted = rows ?? table.map((_, i) => i);
    return wanted.filter((r) => r >= 0 && r < table.length).map((row) => ({ row, values: [...table[row]!] }));
  }

  async writeRows(writes: RowWrite[]): Promise<number[]> {
    const table = this.table();
    const rows = writes.map((w) => {
      const row = w.row ?? table.length;
      table[row] = [...w.cells];
      return row;
    });
    this.written(rows);
    return rows;
  }

  async writeCells(writes: CellWrite[]): Promise<void> {
    const table = this.table();
    for (const w of writes) {
      const row = table[w.row];
      if (row) row[this.layout.byKey.get(w.key)!.index] = w.value;
    }
    this.written(writes.filter((w) => w.row < table.length).map((w) => w.row));
  }

  async deleteRows(rows: number[]): Promise<void> {
    const table = this.table();
    for (const r of [...rows].sort((a, b) => b - a)) table.splice(r, 1);
    // Excel reports the deleted rows' place, where the rows below now stand.
    this.written(rows.filter((r) => r < table.length));
  }

  async selectedRow(): Promise<number | null> {
    return this.selection;
  }

  async selectRow(row: number): Promise<void> {
    this.selection = row;
    this.selectedRows = [row];
  }

  async selectRows(rows: number[]): Promise<number> {
    if (!rows.length) return 0;
    this.selectedRows = [...new Set(rows)].sort((a, b) => a - b);
    this.selection = this.selectedRows[0]!;
    return this.selectedRows.length;
  }

  async onRowsChanged(listener: (rows: number[]) => void): Promise<void> {
    this.listeners.push(listener);
  }

  async loadQueue(): Promise<string | null> {
    return this.queue;
  }

  async saveQueue(json: string): Promise<void> {
    this.queue = json;
  }

  /** The treasurer types into cells of a row (appending a row when `row` is past the end). */
  type(row: number, values: Record<string, string | number | null>): void {
    const table = this.table();
    while (table.length <= row) table.push(emptyRow(this.layout, FIRST_DATA_ROW + table.length));
    for (const [key, value] of Object.entries(values)) {
      const col = this.layout.byKey.get(key);
      if (!col) throw new Error(`colonne inconnue : ${key}`);
      table[row]![col.index] = value;
    }
    for (const l of this.listeners) l([row]);
  }

  /** The text a cell shows (for the tests). */
  cell(row: number, key: string): SheetCell {
    return this.table()[row]?.[this.layout.byKey.get(key)!.index] ?? null;
  }
}
