/**
 * What the task pane asks of the workbook. Only the adapter (excel-workbook.ts) knows
 * ranges, tables and context.sync(); the browser tests put an in-memory workbook behind the
 * same interface (memory-workbook.ts).
 *
 * Rows are the cahier table's data rows, 0-based, as arrays of cells in the column order of
 * the shared definition (templates/definition/columns.ts).
 */
import { SHEETS, type SheetCell } from '../../templates/definition';

/** Every sheet of the cahier's workbook as the service builds it (the template filled). */
export const WORKBOOK_SHEETS: readonly string[] = Object.values(SHEETS);

/** The sheets today's « Créer le cahier » writes itself where the whole workbook cannot be inserted. */
export const CREATED_SHEETS: readonly string[] = [SHEETS.cahier, SHEETS.coop, SHEETS.chapitres];

/** The sheets of the compte rendu and the side books, refreshed from the service (after the Cahier sheet). */
export const REPORT_SHEETS: readonly string[] = [
  SHEETS.compteRendu,
  SHEETS.caisse,
  SHEETS.subventions,
  SHEETS.inventaire,
  SHEETS.regies,
  SHEETS.actions,
];

/** Why the pane cannot insert the service's workbook into this Excel (it offers the download instead). */
export const NO_INSERT =
  'Cette version d’Excel ne sait pas insérer les feuilles d’un classeur (il faut ExcelApi 1.13 : Microsoft 365, Excel 2021 ou plus récent, Excel sur le web).';

export interface CoopSheetInfo {
  nom: string;
  numero: string;
  departement: string;
  exercise: number;
  opening: { banque: number; caisse: number };
}

export interface RowWrite {
  /** 0-based data row; `null` appends a row. */
  row: number | null;
  cells: SheetCell[];
}

export interface CellWrite {
  row: number;
  /** Column key of the definition (status, id, version…). */
  key: string;
  value: string | number | null;
}

export interface CahierWorkbook {
  /** True when the workbook already holds the cahier table. */
  hasCahier(): Promise<boolean>;
  /**
   * Whether this Excel can insert the sheets of another workbook (ExcelApi 1.13,
   * Workbook.insertWorksheetsFromBase64): the pane then inserts the service's whole workbook;
   * elsewhere it writes the three sheets of createCahier and offers the workbook to download.
   */
  canInsertWorkbook(): boolean;
  /** The names of the workbook's sheets, in order (to refuse to clobber a sheet of the same name). */
  sheetNames(): Promise<string[]>;
  /**
   * Inserts the sheets of a workbook (an .xlsx in base64: all of its sheets, or those named) at the
   * end of this one and brings the Cahier sheet to the front. Refused without ExcelApi 1.13.
   * Returns the workbook names the template's formulas use (NAMES) that are missing or point
   * nowhere (#REF!) once inserted: Excel does not always carry workbook names along.
   */
  insertWorkbook(base64: string, sheetNames?: readonly string[]): Promise<string[]>;
  /**
   * Replaces sheets by those of the same names in a workbook (an .xlsx in base64), placed after
   * the Cahier sheet: the old sheets are deleted only once the new ones are in. Refused without
   * ExcelApi 1.13. Returns the names the formulas use that are missing or broken, as insertWorkbook.
   */
  replaceSheets(base64: string, sheetNames: readonly string[]): Promise<string[]>;
  /** Writes the cahier structure (from the shared definition) in one batch. */
  createCahier(info: CoopSheetInfo): Promise<void>;
  /** Replaces every data row (a pull from the service). */
  replaceRows(rows: SheetCell[][]): Promise<void>;
  /** The values of the data rows (all, or those asked), as the sheet shows them. */
  readRows(rows?: number[]): Promise<{ row: number; values: unknown[] }[]>;
  /** Writes whole rows (or appends them); returns the row indexes written. */
  writeRows(writes: RowWrite[]): Promise<number[]>;
  /** Writes single cells (status, id, version) without touching the rest. */
  writeCells(writes: CellWrite[]): Promise<void>;
  /** Deletes data rows. */
  deleteRows(rows: number[]): Promise<void>;
  /** The data row of the selection, or null when outside the table. */
  selectedRow(): Promise<number | null>;
  /** Selects a data row in the sheet (the treasurer sees the line a problem names). */
  selectRow(row: number): Promise<void>;
  /**
   * Selects several data rows at once (the lines a closure problem names), as one selection of
   * several areas. Returns how many rows are selected: all of them, or only the first where the
   * host cannot select so many areas at once (the pane then says so); 0 for none asked.
   */
  selectRows(rows: number[]): Promise<number>;
  /**
   * Calls back with the data rows that changed: the treasurer's edits and the add-in's own
   * writes alike (Excel raises the event for both); the sync engine tells them apart by content.
   */
  onRowsChanged(listener: (rows: number[]) => void): Promise<void>;
  /** The sync queue, kept in the workbook so that nothing typed is lost. */
  loadQueue(): Promise<string | null>;
  saveQueue(json: string): Promise<void>;
}
