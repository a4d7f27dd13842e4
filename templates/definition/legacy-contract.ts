/**
 * The import of legacy cahiers (old OCCE Excel workbooks and the departments' variants, .xlsx,
 * .xls, .ods): the shapes exchanged between the file reader (server/formats/legacy/: bytes in,
 * a grid of cell values out), the pure reading of that grid (templates/definition/legacy.ts:
 * header, columns, values, rows, lines), the storage (server/operations/legacy-import.ts), the
 * command line, the API and the pane. Plain data only: no I/O, no Node or Office import.
 */
import type { Chart } from './chapters';
import type { IsoDate } from './dates';
import type { LineInput } from './line';
import type { Cents } from './money';

/**
 * One cell as the legacy file holds it: a text, a number (a serial date in General format stays a
 * number), a boolean, a date the file typed as a date (`{ date }`, the calendar day written), or
 * nothing. A formula's cached result is given, never the formula (never re-evaluated).
 */
export type LegacyValue = string | number | boolean | { date: IsoDate } | null;

export interface LegacySheet {
  name: string;
  /** rows[0] is the sheet's row 1, rows[r][0] its column A; trailing empty cells may be absent. */
  rows: LegacyValue[][];
}

export interface LegacyWorkbook {
  /** The file's name as given (for messages). */
  file: string;
  sheets: LegacySheet[];
}

/** The columns of the cahier a legacy sheet can hold (left page), by the letter they stand in. */
export interface LegacyColumns {
  pj?: string;
  date: string;
  libelle: string;
  cheque?: string;
  action?: string;
  banqueRecettes?: string;
  banqueDepenses?: string;
  caisseRecettes?: string;
  caisseDepenses?: string;
  pointage?: string;
  /** Chapter code → column letter (right page). */
  chapters: Record<string, string>;
  /** Mode de paiement (« Chèque », « CB », « Virement »…), as in the cahier this product writes. */
  mode?: string;
  /** Régie d'avance columns (advances given, expenses paid from it) and its holder. */
  regieRecettes?: string;
  regieDepenses?: string;
  holder?: string;
  /** Ventilation automatique: one chapter chosen from a list (« 6180 – Activités éducatives »). */
  chapterChoice?: string;
}

/**
 * Where the table stands and what each column holds: found by the reader, or saved by a
 * department for a layout the detector cannot read (`--mapping FILE`, JSON of this shape).
 */
export interface LegacyMapping {
  /** The sheet's name (default: the first sheet where a header row is found). */
  sheet?: string;
  /** The header row's number in the sheet (1-based); lines start below it. */
  headerRow: number;
  columns: LegacyColumns;
}

export type ImportSeverity = 'error' | 'warning';

/** Something to say about one row (or the file when row is 0): named by row and column letter. */
export interface ImportProblem {
  row: number;
  column: string | null;
  code: string;
  severity: ImportSeverity;
  message: string;
}

export interface SkippedRow {
  row: number;
  /** French: « ligne vide », « total du mois », « report à nouveau », « en-tête répété »… */
  reason: string;
}

/** A real line of the legacy sheet, read into the cahier's line (a draft when problems hold an error). */
export interface LegacyLine {
  /** The sheet's row number. */
  row: number;
  line: LineInput;
  pointed: boolean;
  /** Reading problems and the cahier's rules' problems, each naming its row and column. */
  problems: ImportProblem[];
}

/** What the pure reading of one workbook gives. */
export interface LegacyReading {
  sheet: string;
  mapping: LegacyMapping;
  /** The coop recognised from the title cells or the file's name (its number, "087-0123"), if any. */
  coop: string | null;
  /** The exercise's starting year, from the dates or the title (null: not found). */
  year: number | null;
  /** The report à nouveau / « solde au 1er septembre » row, 0 when absent. */
  openingBalances: { banque: Cents; caisse: Cents };
  lines: LegacyLine[];
  skippedRows: SkippedRow[];
  /** Chapter codes of the sheet missing from the chart, with the header's label. */
  newChapters: { code: string; label: string }[];
  /**
   * What concerns the whole file rather than one line (row 0, or the row of a skipped row):
   * PJ numbers given by the import, columns read by assumption, a second report à nouveau…
   * Absent from readings made before this field existed: read it as [].
   */
  problems?: ImportProblem[];
}

export interface LegacyReadOptions {
  chart: Chart;
  /** A saved mapping: used instead of the detection. */
  mapping?: LegacyMapping;
  /** The exercise when the caller knows it (--exercise). */
  year?: number;
}

/** The per-file report of an import (`cahier import --json`, POST …/imports): amounts in cents. */
export interface ImportFileReport {
  file: string;
  status: 'ok' | 'rejected';
  /** Only when rejected. */
  error?: { code: string; message: string };
  sheet?: string;
  coop?: string | null;
  exercise?: { start: IsoDate; end: IsoDate };
  openingBalances?: { banque: Cents; caisse: Cents };
  entries?: { validated: number; drafts: number };
  pointed?: number;
  skippedRows?: SkippedRow[];
  problems?: ImportProblem[];
  totals?: {
    banque: { recettes: Cents; depenses: Cents };
    caisse: { recettes: Cents; depenses: Cents };
    chapters: Record<string, Cents>;
  };
  newChapters?: string[];
}
