/**
 * CSV statements as French banks' websites export them: `;`, `,` or tab separated, quoted or not,
 * title and balance lines above and below the table, the header row found by its words, débit and
 * crédit columns or one signed amount column. A layout the reader cannot find is read with a
 * CsvMapping the user gives.
 */
import { parse } from 'csv-parse/sync';
import type { Cents, IsoDate, Statement, StatementLine } from '../../../templates/definition';
import {
  StatementFormatError,
  assembleStatement,
  chequeFromLabel,
  cleanLabel,
  foldText,
  fullYear,
  isoFromParts,
  joinLabels,
  lineError,
  parseFrenchAmount,
} from './common';

export const CSV_SEPARATORS = [';', ',', '\t'] as const;
export type CsvSeparator = (typeof CSV_SEPARATORS)[number];

/** A column by its 0-based index, or by its header text (compared without case or accents). */
export type CsvColumn = number | string;

/**
 * How to read a CSV whose layout the reader does not recognise. Give `amount` (signed) or `debit`
 * and `credit`. Without `headerRow`, columns given by text are looked for in the first row that
 * has them all; columns given by index alone read every row whose date cell is a date.
 */
export interface CsvMapping {
  /** 1-based line of the file holding the column titles. */
  headerRow?: number;
  separator?: CsvSeparator;
  date: CsvColumn;
  label: CsvColumn;
  amount?: CsvColumn;
  debit?: CsvColumn;
  credit?: CsvColumn;
  cheque?: CsvColumn;
}

const MAPPING_KEYS = ['headerRow', 'separator', 'date', 'label', 'amount', 'debit', 'credit', 'cheque'] as const;
const COLUMN_KEYS = ['date', 'label', 'amount', 'debit', 'credit', 'cheque'] as const;

/** Checks a mapping received as JSON; the errors are French sentences naming the field. */
export function validateCsvMapping(
  value: unknown,
): { ok: true; mapping: CsvMapping } | { ok: false; errors: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: ['La correspondance des colonnes doit être un objet.'] };
  }
  const record = value as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(record)) {
    if (!(MAPPING_KEYS as readonly string[]).includes(key)) errors.push(`« ${key} » : champ inconnu.`);
  }
  for (const key of COLUMN_KEYS) {
    const v = record[key];
    if (v === undefined) continue;
    const isIndex = typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1000;
    const isTitle = typeof v === 'string' && v.trim() !== '' && v.length <= 200;
    if (!isIndex && !isTitle) errors.push(`« ${key} » : numéro de colonne (0, 1, 2…) ou titre de colonne attendu.`);
  }
  if (record.date === undefined) errors.push('« date » : la colonne de la date est obligatoire.');
  if (record.label === undefined) errors.push('« label » : la colonne du libellé est obligatoire.');
  const hasAmount = record.amount !== undefined;
  const hasDebit = record.debit !== undefined;
  const hasCredit = record.credit !== undefined;
  if (hasAmount && (hasDebit || hasCredit)) {
    errors.push(
      'Donnez soit une colonne « amount » (montant signé), soit les colonnes « debit » et « credit », pas les deux.',
    );
  } else if (!hasAmount && !(hasDebit && hasCredit)) {
    errors.push('Donnez une colonne « amount » (montant signé), ou les deux colonnes « debit » et « credit ».');
  }
  const h = record.headerRow;
  if (h !== undefined && !(typeof h === 'number' && Number.isInteger(h) && h >= 1)) {
    errors.push('« headerRow » : numéro de ligne (1, 2, 3…) attendu.');
  }
  const s = record.separator;
  if (s !== undefined && !(CSV_SEPARATORS as readonly unknown[]).includes(s)) {
    errors.push('« separator » : « ; », « , » ou tabulation attendu.');
  }
  if (errors.length > 0) return { ok: false, errors };
  const mapping: CsvMapping = { date: record.date as CsvColumn, label: record.label as CsvColumn };
  for (const key of ['amount', 'debit', 'credit', 'cheque'] as const) {
    if (record[key] !== undefined) mapping[key] = record[key] as CsvColumn;
  }
  if (h !== undefined) mapping.headerRow = h as number;
  if (s !== undefined) mapping.separator = s as CsvSeparator;
  return { ok: true, mapping };
}

// ---------------------------------------------------------------------------------------------
// Rows.

interface Row {
  cells: string[];
  /** 1-based line where the row starts. */
  line: number;
}

/** A bank's line is well under 1 000 characters: a longer record is refused (no huge field). */
const MAX_RECORD_CHARS = 20_000;

/** Rows with the line each starts on. `toRecord` stops early (to look for the header cheaply). */
function parseRows(text: string, separator: CsvSeparator, toRecord?: number): Row[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter: separator,
      record_delimiter: '\n', // line ends made LF by readCsv: csv-parse counts a CRLF inside quotes as two lines
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      info: true,
      max_record_size: MAX_RECORD_CHARS,
      ...(toRecord !== undefined ? { to: toRecord } : {}),
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { code?: string; lines?: number };
    const line = typeof e.lines === 'number' ? e.lines : null;
    if (e.code === 'CSV_MAX_RECORD_SIZE') {
      throw new StatementFormatError({
        code: 'ligne_invalide',
        reason: `une ligne dépasse ${MAX_RECORD_CHARS.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ')} caractères (guillemet jamais refermé ?) : ce n’est pas un relevé lisible.`,
        line,
      });
    }
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new StatementFormatError({
        code: 'ligne_invalide',
        reason: 'un guillemet ouvert n’est jamais refermé.',
        line,
      });
    }
    throw new StatementFormatError({ code: 'fichier_invalide', reason: 'le fichier CSV est illisible.', line });
  }
  // Records follow each other: one starts on the line after the previous one ended.
  let previousEnd = 0;
  return records.map(({ record, info }) => {
    const row = { cells: record.map((c) => c.trim()), line: previousEnd + 1 };
    previousEnd = info.lines;
    return row;
  });
}

function isBlank(row: Row): boolean {
  return row.cells.every((c) => c === '');
}

// ---------------------------------------------------------------------------------------------
// Header detection.

type Role = 'date' | 'valueDate' | 'label' | 'detail' | 'amount' | 'debit' | 'credit' | 'cheque';

const ROLE_PATTERNS: [Role, RegExp][] = [
  ['valueDate', /^date (de )?valeur$/],
  ['date', /^(date|date (de |d )?(l )?operation|date comptable|date compta|date de comptabilisation|jour)$/],
  [
    'label',
    /^(libelle|libelle (de |d )?(l )?operation|libelle complet|intitule|description|nature (de |d )?(l )?operation)$/,
  ],
  [
    'detail',
    /^(detail|detail (de |d )?(l )?(ecriture|operation)|libelle simplifie|complement|informations complementaires)$/,
  ],
  ['debit', /^(debit|debits|montant debit|debit montant|sortie|sorties)$/],
  ['credit', /^(credit|credits|montant credit|credit montant|entree|entrees)$/],
  ['amount', /^(montant|montant (de |d )?(l )?operation|somme)$/],
  ['cheque', /^((n|no|num|numero) (de )?cheque|cheque|cheque n|cheque numero)$/],
];

/** The header's words without case, accents, punctuation, currency or "en euros". */
function headerKey(cell: string): string {
  return foldText(cell)
    .replace(/\b(en )?(euros?|eur)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function roleOf(cell: string): Role | null {
  const key = headerKey(cell);
  if (!key) return null;
  for (const [role, re] of ROLE_PATTERNS) if (re.test(key)) return role;
  return null;
}

type Columns = Partial<Record<Role, number>>;

function headerColumns(row: Row): Columns | null {
  const cols: Columns = {};
  row.cells.forEach((cell, i) => {
    const role = roleOf(cell);
    if (role && cols[role] === undefined) cols[role] = i;
  });
  if (cols.date === undefined && cols.valueDate !== undefined) cols.date = cols.valueDate;
  if (cols.label === undefined && cols.detail !== undefined) {
    cols.label = cols.detail;
    delete cols.detail;
  }
  const hasAmounts = cols.amount !== undefined || (cols.debit !== undefined && cols.credit !== undefined);
  return cols.date !== undefined && cols.label !== undefined && hasAmounts ? cols : null;
}

/** How far down a header is looked for: banks put a few title lines above their table. */
const HEADER_SEARCH_ROWS = 60;

/** Where the table is, found from the first rows only: the whole file is parsed once, after. */
interface Layout {
  separator: CsvSeparator;
  headerIndex: number; // -1: no header row
  columns: Required<Pick<Columns, 'date' | 'label'>> & Columns;
}

function findLayout(text: string): Layout {
  let best: { layout: Layout; score: number } | null = null;
  const attempts: Row[][] = [];
  let firstError: unknown = null;
  for (const separator of CSV_SEPARATORS) {
    let rows: Row[];
    try {
      rows = parseRows(text, separator, HEADER_SEARCH_ROWS);
    } catch (error) {
      firstError ??= error;
      continue;
    }
    attempts.push(rows);
    const limit = Math.min(rows.length, HEADER_SEARCH_ROWS);
    for (let i = 0; i < limit; i++) {
      const row = rows[i] as Row;
      const cols = headerColumns(row);
      if (!cols) continue;
      const score = Object.keys(cols).length;
      if (!best || score > best.score) {
        best = { layout: { separator, headerIndex: i, columns: cols as Layout['columns'] }, score };
      }
      break;
    }
  }
  if (best) return best.layout;
  if (attempts.length === 0 && firstError) throw firstError;
  // The row most like a header: the widest row near the top, under the separator giving the widest.
  let guess: Row | null = null;
  for (const rows of attempts) {
    for (const row of rows) {
      const filled = row.cells.filter((c) => c !== '').length;
      if (!guess || filled > guess.cells.filter((c) => c !== '').length) guess = row;
    }
  }
  throw new StatementFormatError({
    code: 'colonnes_introuvables',
    reason:
      'la ligne des titres de colonnes (date, libellé, débit et crédit, ou montant) est introuvable : indiquez quelle colonne contient quoi.',
    headerCells: guess ? guess.cells : [],
    headerLine: guess ? guess.line : null,
  });
}

function layoutFromMapping(text: string, mapping: CsvMapping): Layout {
  const separators = mapping.separator ? [mapping.separator] : CSV_SEPARATORS;
  const wanted = COLUMN_KEYS.filter((k) => mapping[k] !== undefined);
  let bestFailure: StatementFormatError | null = null;
  let bestIndexOnly: { layout: Layout; score: number } | null = null;
  for (const separator of separators) {
    const rows = parseRows(text, separator, Math.max(HEADER_SEARCH_ROWS, mapping.headerRow ?? 0));
    const byTitle = wanted.some((k) => typeof mapping[k] === 'string');
    if (byTitle || mapping.headerRow !== undefined) {
      const candidates =
        mapping.headerRow !== undefined
          ? rows.filter((r) => r.line === mapping.headerRow)
          : rows.slice(0, HEADER_SEARCH_ROWS);
      if (candidates.length === 0) {
        bestFailure ??= mappingError(`la ligne ${mapping.headerRow} n’existe pas dans le fichier.`);
        continue;
      }
      for (const row of candidates) {
        const keys = row.cells.map(headerKey);
        const columns: Columns = {};
        const missing: string[] = [];
        for (const k of wanted) {
          const spec = mapping[k] as CsvColumn;
          const index = typeof spec === 'number' ? spec : keys.indexOf(headerKey(spec));
          if (index < 0 || (typeof spec === 'number' && index >= row.cells.length)) missing.push(`${spec}`);
          else columns[k] = index;
        }
        if (missing.length === 0) {
          return { separator, headerIndex: rows.indexOf(row), columns: columns as Layout['columns'] };
        }
        if (mapping.headerRow !== undefined) {
          bestFailure = mappingError(
            `la ligne ${mapping.headerRow} n’a pas les colonnes ${missing.map((m) => `« ${m} »`).join(', ')}.`,
          );
        }
      }
      bestFailure ??= mappingError(
        `aucune ligne n’a les titres de colonnes ${wanted
          .filter((k) => typeof mapping[k] === 'string')
          .map((k) => `« ${mapping[k]} »`)
          .join(', ')}.`,
      );
      continue;
    }
    // Columns by index, no header row: the separator under which most rows have a date there.
    const columns = Object.fromEntries(wanted.map((k) => [k, mapping[k] as number])) as Layout['columns'];
    const score = rows.filter((r) => looksLikeDate(r.cells[columns.date] ?? '')).length;
    if (!bestIndexOnly || score > bestIndexOnly.score)
      bestIndexOnly = { layout: { separator, headerIndex: -1, columns }, score };
  }
  if (bestIndexOnly && bestIndexOnly.score > 0) return bestIndexOnly.layout;
  throw bestFailure ?? mappingError(`aucune ligne n’a de date dans la colonne ${mapping.date}.`);
}

function mappingError(reason: string): StatementFormatError {
  return new StatementFormatError({ code: 'correspondance_invalide', reason });
}

// ---------------------------------------------------------------------------------------------
// Values.

const DATE_LIKE = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$/;

function looksLikeDate(cell: string): boolean {
  return DATE_LIKE.test(cell.trim());
}

/** "15/09/2025", "15/09/25", "15.09.2025", "2025-09-15" → ISO; null when impossible. */
export function parseCsvDate(cell: string): IsoDate | null {
  const m = DATE_LIKE.exec(cell.trim());
  if (!m) return null;
  const [a, b, c] = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
  if (a.length === 4 && c.length <= 2) return isoFromParts(Number(a), Number(b), Number(c));
  if (a.length > 2) return null;
  if (c.length === 4) return isoFromParts(Number(c), Number(b), Number(a));
  if (c.length === 2) return isoFromParts(fullYear(Number(c)), Number(b), Number(a));
  return null;
}

const OPENING_WORDS = /\b(ancien solde|solde (initial|precedent|d ouverture|de debut|debut)|solde au debut)\b/;
const CLOSING_WORDS = /\b(nouveau solde|solde (final|de fin|de cloture|fin|actuel|en fin))\b/;
const AMOUNT_TOKEN = /[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009.]\d{3})+(?:,\d{1,2})?|[+-]?\d+(?:[.,]\d{1,2})?/g;
const TEXT_DATE = /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b/;

interface Balance {
  kind: 'opening' | 'closing' | 'dated';
  date: IsoDate | null;
  cents: Cents;
}

/** "Solde au 30/09/2025 : 1 234,56 €", "Ancien solde ; -12,00", "Solde débiteur au …" */
function balanceOf(row: Row): Balance | null {
  const text = row.cells.filter((c) => c !== '').join(' ');
  const folded = foldText(text);
  if (!/\bsolde\b/.test(folded)) return null;
  const dateMatch = TEXT_DATE.exec(text);
  const date = dateMatch ? parseCsvDate(dateMatch[0]) : null;
  const rest = dateMatch ? text.replace(dateMatch[0], ' ') : text;
  const tokens = rest.match(AMOUNT_TOKEN);
  const last = tokens?.[tokens.length - 1];
  if (!last) return null;
  let cents = parseFrenchAmount(last);
  if (cents === null) return null;
  if (cents > 0 && /\bdebiteur\b/.test(folded)) cents = -cents;
  if (OPENING_WORDS.test(folded)) return { kind: 'opening', date, cents };
  if (CLOSING_WORDS.test(folded)) return { kind: 'closing', date, cents };
  return date ? { kind: 'dated', date, cents } : null;
}

/** "Numéro de compte : 00012345678", "Compte courant n° 12345 67890", "IBAN ; FR76 …" above the table. */
function accountOf(row: Row): string | null {
  const text = row.cells.filter((c) => c !== '').join(' ');
  if (!/\b(compte|iban)\b/.test(foldText(text))) return null;
  const iban = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b/.exec(text);
  if (iban) return iban[0].replace(/ /g, '');
  const number = /\b\d[\d ]{6,}[\dA-Z]\b/.exec(text);
  return number ? number[0].replace(/ /g, '') : null;
}

function cell(row: Row, index: number | undefined): string {
  return index === undefined ? '' : (row.cells[index] ?? '');
}

function amountOf(row: Row, columns: Columns): Cents {
  const bad = (text: string, what: string) =>
    lineError(row.line, `le ${what} « ${text} » n’est pas un montant (attendu : 1 234,56).`);
  if (columns.amount !== undefined) {
    const text = cell(row, columns.amount);
    const cents = parseFrenchAmount(text);
    if (cents === null) throw bad(text, 'montant');
    return cents;
  }
  const debitText = cell(row, columns.debit);
  const creditText = cell(row, columns.credit);
  const debit = debitText === '' ? 0 : parseFrenchAmount(debitText);
  if (debit === null) throw bad(debitText, 'débit');
  const credit = creditText === '' ? 0 : parseFrenchAmount(creditText);
  if (credit === null) throw bad(creditText, 'crédit');
  if (debit !== 0 && credit !== 0) {
    throw lineError(row.line, `la ligne a un débit (${debitText}) et un crédit (${creditText}) : un seul est attendu.`);
  }
  if (debitText === '' && creditText === '') throw lineError(row.line, 'la ligne n’a ni débit ni crédit.');
  return credit !== 0 ? Math.abs(credit) : debit === 0 ? 0 : -Math.abs(debit);
}

// ---------------------------------------------------------------------------------------------
// The reader.

export function readCsv(source: string, mapping?: CsvMapping): Statement {
  const text = source.replace(/\r\n?/g, '\n');
  const layout = mapping ? layoutFromMapping(text, mapping) : findLayout(text);
  const { headerIndex, columns } = layout;
  const rows = parseRows(text, layout.separator);
  const lines: StatementLine[] = [];
  const balances: { balance: Balance; before: boolean }[] = [];
  let account: string | null = null;
  for (let i = 0; i < headerIndex; i++) {
    const balance = balanceOf(rows[i] as Row);
    if (balance) balances.push({ balance, before: true });
    else account ??= accountOf(rows[i] as Row);
  }
  for (let i = headerIndex + 1; i < rows.length; i++) {
    const row = rows[i] as Row;
    if (isBlank(row)) continue;
    const dateText = cell(row, columns.date);
    if (!looksLikeDate(dateText)) {
      const balance = balanceOf(row);
      if (balance) {
        balances.push({ balance, before: lines.length === 0 });
        continue;
      }
      if (dateText !== '' && !/[a-z]/i.test(dateText) && /\d/.test(dateText)) {
        throw lineError(row.line, `la date « ${dateText} » est illisible (attendu : jj/mm/aaaa).`);
      }
      continue; // a title, a total or a note between or below the table
    }
    const date = parseCsvDate(dateText);
    if (!date) throw lineError(row.line, `la date « ${dateText} » n’existe pas.`);
    const amount = amountOf(row, columns);
    const label = joinLabels(cell(row, columns.label), cell(row, columns.detail));
    const chequeCell = cleanLabel(cell(row, columns.cheque));
    const cheque = chequeCell !== '' && /\d/.test(chequeCell) ? chequeCell : chequeFromLabel(label);
    lines.push({ date, amount, label, cheque, bankRef: null });
  }
  const dates = lines.map((l) => l.date).sort();
  const first = dates[0];
  const last = dates[dates.length - 1];
  let openingBalance: Cents | null = null;
  let closingBalance: Cents | null = null;
  for (const { balance, before } of balances) {
    if (balance.kind === 'opening') openingBalance = balance.cents;
    else if (balance.kind === 'closing') closingBalance = balance.cents;
    else if (balance.date && first && last) {
      // "Solde au <date>": before the first operation it opens the statement, from the last one on it closes it.
      if (balance.date < first) openingBalance = balance.cents;
      else if (balance.date >= last) closingBalance = balance.cents;
    } else if (balance.date && !first) {
      if (before) openingBalance ??= balance.cents;
      else closingBalance = balance.cents;
    }
  }
  return assembleStatement('csv', [
    { account, period: { from: null, to: null }, openingBalance, closingBalance, lines, line: 1 },
  ]);
}
