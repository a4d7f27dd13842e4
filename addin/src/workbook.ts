/**
 * What the task pane asks of the workbook. Only the adapter (excel-workbook.ts) knows
 * ranges, tables and context.sync(); the browser tests put an in-memory workbook behind the
 * same interface (memory-workbook.ts).
 *
 * Rows are the cahier table's data rows, 0-based, as arrays of cells in the column order of
 * the shared definition (templates/definition/columns.ts).
 */
import type { SheetCell } from '../../templates/definition';

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
