/**
 * An .xlsx read into a LegacyWorkbook: every sheet as a grid of plain cell values.
 *
 * Before ExcelJS sees the file, every entry of the zip is decompressed once as a stream (its size
 * and CRC checked, see zip.ts) and the worksheets' filled cells and rows are counted on the way,
 * so a sheet past the cap is refused without ever being held whole. Then ExcelJS loads it.
 *
 * Why the whole-workbook load and not ExcelJS's streaming reader: the streaming reader decodes
 * each decompressed chunk of XML separately (TextDecoder without `stream`), so an accented letter
 * falling on a chunk boundary becomes "��" (measured: one libellé in 3,000); it also ignores merged
 * cells and parses a sheet before the styles when the zip lists the sheet first (its dates then
 * read as numbers). The cap keeps the whole load well under the memory budget.
 */
import ExcelJS from 'exceljs';
import type { LegacySheet, LegacyValue, LegacyWorkbook } from '../../../templates/definition/legacy-contract';
import { serialToDate } from '../../../templates/definition/dates';
import { LegacyFileError, formatCount } from './errors';
import { type ZipEntry, entryContent, inflateEntry } from './zip';

export interface SheetLimits {
  /** Filled cells of the whole workbook. */
  maxCells: number;
  /** Row elements of one sheet (a row holds memory even without a value). */
  maxRows: number;
}

interface SheetPart {
  name: string;
  part: string;
}

const attributes = (tag: string): Record<string, string> => {
  const found: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) found[m[1]!] = m[2] ?? m[3] ?? '';
  return found;
};

const decodeXml = (text: string) =>
  text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[entity]!;
  });

/** "worksheets/sheet1.xml" (relative to xl/) or "/xl/worksheets/sheet1.xml" → "xl/worksheets/sheet1.xml". */
function resolvePart(target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `xl/${target}`).split('/');
  const resolved: string[] = [];
  for (const p of parts) {
    if (p === '..') resolved.pop();
    else if (p !== '.' && p !== '') resolved.push(p);
  }
  return resolved.join('/');
}

/** The sheets in tab order with the zip entry holding each (for the messages of the cap). */
function sheetParts(workbookXml: string, relsXml: string): SheetPart[] {
  const targets = new Map<string, string>();
  for (const m of relsXml.matchAll(/<(?:[\w.-]+:)?Relationship\b([^>]*)>/g)) {
    const a = attributes(m[1]!);
    if (a.Id && a.Target) targets.set(a.Id, resolvePart(decodeXml(a.Target)));
  }
  const sheets: SheetPart[] = [];
  for (const m of workbookXml.matchAll(/<(?:[\w.-]+:)?sheet\b([^>]*)>/g)) {
    const a = attributes(m[1]!);
    const id = Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1];
    const part = id ? targets.get(id) : undefined;
    if (a.name && part) sheets.push({ name: decodeXml(a.name), part });
  }
  return sheets;
}

/**
 * Counts, in a worksheet's XML given in chunks, the cells holding something (`<c …>…</c>`, not
 * the empty styled `<c …/>`) and the row elements. A tag cut between two chunks is kept for the next.
 */
class SheetCounter {
  cells = 0;
  rows = 0;
  private tail = '';

  push(chunk: Buffer): void {
    const text = this.tail + chunk.toString('latin1');
    const tags = /<(?:[A-Za-z_][\w.-]*:)?(c|row)\b[^<>]*>/g;
    let end = 0;
    for (let m = tags.exec(text); m; m = tags.exec(text)) {
      if (m[1] === 'row') this.rows++;
      else if (m[0].charCodeAt(m[0].length - 2) !== 0x2f) this.cells++; // not "/>"
      end = tags.lastIndex;
    }
    const open = text.lastIndexOf('<');
    this.tail = open >= end && !text.includes('>', open) && text.length - open < 4096 ? text.slice(open) : '';
  }
}

/**
 * Decompresses every entry once (sizes and CRC checked), counting the worksheets' cells and rows;
 * refuses a workbook past the caps, naming the largest sheet.
 */
async function inspect(bytes: Buffer, entries: ZipEntry[], file: string, limits: SheetLimits): Promise<void> {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const text = async (name: string) => {
    const entry = byName.get(name);
    return entry && entry.uncompressedSize <= 16 * 1024 * 1024
      ? (await entryContent(bytes, entry, file)).toString('utf8')
      : '';
  };
  const sheets = sheetParts(await text('xl/workbook.xml'), await text('xl/_rels/workbook.xml.rels'));
  const counters = new Map<string, SheetCounter>();
  for (const entry of entries) {
    const isSheet = /^xl\/worksheets\/[^/]+\.xml$/.test(entry.name) || sheets.some((s) => s.part === entry.name);
    const counter = isSheet ? new SheetCounter() : null;
    if (counter) counters.set(entry.name, counter);
    await inflateEntry(bytes, entry, file, counter ? (chunk) => counter.push(chunk) : undefined);
  }
  const nameOf = (part: string) => sheets.find((s) => s.part === part)?.name ?? part;
  let total = 0;
  let largest: { part: string; cells: number } | null = null;
  for (const [part, counter] of counters) {
    if (counter.rows > limits.maxRows) {
      throw new LegacyFileError(
        'feuille_trop_grande',
        file,
        `la feuille « ${nameOf(part)} » compte ${formatCount(counter.rows)} lignes : la limite est de ${formatCount(limits.maxRows)}. Copiez le cahier à importer dans un classeur à part, puis importez celui-ci.`,
      );
    }
    total += counter.cells;
    if (!largest || counter.cells > largest.cells) largest = { part, cells: counter.cells };
  }
  if (total > limits.maxCells && largest) {
    const where =
      largest.cells === total
        ? `la feuille « ${nameOf(largest.part)} » compte ${formatCount(total)} cellules remplies`
        : `le classeur compte ${formatCount(total)} cellules remplies (dont ${formatCount(largest.cells)} dans la feuille « ${nameOf(largest.part)} »)`;
    throw new LegacyFileError(
      'feuille_trop_grande',
      file,
      `${where} : la limite est de ${formatCount(limits.maxCells)}. Copiez le cahier à importer dans un classeur à part, puis importez celui-ci.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Cell values

/** Whether a number format shows a date (the test ExcelJS applies, "General" and "Standard" aside). */
function isDateFormat(format: string | undefined): boolean {
  if (!format || /^(general|standard)$/i.test(format.trim())) return false;
  const bare = format
    .replace(/\[[^\]]*]/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '');
  return /[ymdhs]/i.test(bare);
}

/** The calendar day a date cell shows: ExcelJS gives it as the UTC midnight of that day. */
function dateValue(date: Date): LegacyValue {
  const time = date.getTime();
  if (!Number.isFinite(time)) return null;
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) return null;
  return { date: date.toISOString().slice(0, 10) };
}

/**
 * A cell's value as LegacyValue. `resultDate`: the cell is a formula formatted as a date, whose
 * cached result ExcelJS leaves as a serial number.
 */
function plain(value: ExcelJS.CellValue | undefined, resultDate: boolean, date1904: boolean): LegacyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    if (resultDate) return { date: serialToDate(value + (date1904 ? 1462 : 0)) };
    return value;
  }
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'boolean') return value;
  if (value instanceof Date) return dateValue(value);
  if ('error' in value) return null;
  if ('richText' in value) {
    const text = value.richText.map((run) => run.text ?? '').join('');
    return text === '' ? null : text;
  }
  if ('hyperlink' in value) return plain(value.text as ExcelJS.CellValue, false, date1904);
  return null;
}

function sheetValues(worksheet: ExcelJS.Worksheet, date1904: boolean): LegacySheet {
  const rows: LegacyValue[][] = [];
  worksheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: LegacyValue[] = [];
    row.eachCell({ includeEmpty: false }, (cell, column) => {
      // A merged range keeps its value in its top-left cell only (ExcelJS repeats it in the others).
      if (cell.type === ExcelJS.ValueType.Merge) return;
      // A formula: its cached result, never evaluated again; none cached (never computed) → nothing.
      // (cell.result, not cell.value: ExcelJS's formula value drops a result of 0 or false.)
      const value =
        cell.type === ExcelJS.ValueType.Formula
          ? plain(cell.result as ExcelJS.CellValue, isDateFormat(cell.numFmt), date1904)
          : plain(cell.value, false, date1904);
      if (value !== null) values[column - 1] = value;
    });
    if (values.length === 0) return;
    for (let c = 0; c < values.length; c++) if (values[c] === undefined) values[c] = null;
    rows[rowNumber - 1] = values;
  });
  for (let r = 0; r < rows.length; r++) if (rows[r] === undefined) rows[r] = [];
  return { name: worksheet.name, rows };
}

/**
 * A sound zip that ExcelJS cannot parse: valid files it does not follow (rows and cells without
 * their `r` number, a hyperlink or a drawing whose relationship is missing…). LibreOffice, when
 * installed, rewrites them plainly (see readLegacyFile).
 */
export class UnreadableXlsx extends LegacyFileError {
  constructor(file: string, cause: unknown) {
    super(
      'fichier_invalide',
      file,
      'le classeur est illisible (son contenu ne suit pas le format .xlsx). Ouvrez-le dans votre tableur, enregistrez-le à nouveau au format .xlsx, puis importez-le.',
      { cause },
    );
  }
}

/** Reads an .xlsx whose zip directory has been judged (see readZipDirectory). */
export async function readXlsx(
  bytes: Buffer,
  entries: ZipEntry[],
  file: string,
  limits: SheetLimits,
): Promise<LegacyWorkbook> {
  await inspect(bytes, entries, file, limits);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw new UnreadableXlsx(file, error);
  }
  const date1904 = workbook.properties?.date1904 === true;
  return { file, sheets: workbook.worksheets.map((worksheet) => sheetValues(worksheet, date1904)) };
}
