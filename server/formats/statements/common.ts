/**
 * What every statement reader shares: the error it throws, exact money and date parsing, label
 * cleaning, cheque numbers found in labels, and the assembly of the Statement value.
 */
import type { Cents, IsoDate, Statement, StatementFormat, StatementLine } from '../../../templates/definition';
import { isIsoDate } from '../../../templates/definition';

export type StatementErrorCode =
  /** The file has no bytes (or only spaces). */
  | 'fichier_vide'
  /** Over MAX_STATEMENT_BYTES: refused before any parsing. */
  | 'fichier_trop_gros'
  /** None of the four formats (PDF, workbook, image, text without a table…). */
  | 'format_inconnu'
  /** A statement line or record is unreadable: date, amount, length, record code. */
  | 'ligne_invalide'
  /** The file's structure is broken (XML not well formed, OFX without its transaction list…). */
  | 'fichier_invalide'
  /** An XML file with a DOCTYPE or entity declarations: refused, never expanded. */
  | 'xml_interdit'
  /** A CSV whose header row the reader cannot find: the UI asks the user for a CsvMapping. */
  | 'colonnes_introuvables'
  /** A CsvMapping that does not fit the file (column missing, header row not found). */
  | 'correspondance_invalide'
  /** The file holds the statements of several accounts: one account per file. */
  | 'plusieurs_comptes';

export interface StatementErrorDetails {
  code: StatementErrorCode;
  /** French, starting lowercase, ending with a full stop: « la date « 31/02/2025 » n'existe pas. » */
  reason: string;
  /** 1-based line of the file when the error concerns one. */
  line?: number | null;
  fileName?: string | null;
  /** For colonnes_introuvables: the cells of the row that looked most like a header. */
  headerCells?: string[] | null;
  /** For colonnes_introuvables: the 1-based line of that row. */
  headerLine?: number | null;
}

/** A statement file refused: `message` is the French sentence to show the user as it is. */
export class StatementFormatError extends Error {
  readonly code: StatementErrorCode;
  readonly reason: string;
  readonly line: number | null;
  readonly fileName: string | null;
  readonly headerCells: string[] | null;
  readonly headerLine: number | null;

  constructor(details: StatementErrorDetails) {
    super(composeMessage(details));
    this.name = 'StatementFormatError';
    this.code = details.code;
    this.reason = details.reason;
    this.line = details.line ?? null;
    this.fileName = details.fileName ?? null;
    this.headerCells = details.headerCells ?? null;
    this.headerLine = details.headerLine ?? null;
  }

  /** The same error, its message naming the file. */
  inFile(fileName: string | undefined): StatementFormatError {
    if (!fileName || this.fileName) return this;
    return new StatementFormatError({
      code: this.code,
      reason: this.reason,
      line: this.line,
      fileName,
      headerCells: this.headerCells,
      headerLine: this.headerLine,
    });
  }
}

function composeMessage({ reason, line, fileName }: StatementErrorDetails): string {
  const where = [fileName ? `Fichier « ${fileName} »` : null, line ? `ligne ${line}` : null].filter(Boolean).join(', ');
  if (!where) return reason.charAt(0).toUpperCase() + reason.slice(1);
  return `${where.charAt(0).toUpperCase()}${where.slice(1)} : ${reason}`;
}

export function lineError(line: number, reason: string): StatementFormatError {
  return new StatementFormatError({ code: 'ligne_invalide', reason, line });
}

// ---------------------------------------------------------------------------------------------
// Money: digits only, never through floating point.

const MAX_DIGITS = 13; // 99 999 999 999,99 €: far above any coop's account, far below 2^53 cents.

/**
 * "1234", "1234.5", "-45,90", "+0.07" → signed cents (a dot or a comma before the decimals, no
 * grouping). Extra decimals are accepted only when they are zeros ("12.300"). Null otherwise.
 */
export function parseDecimalCents(text: string): Cents | null {
  const m = /^([+-])?(\d*)(?:[.,](\d*))?$/.exec(text.trim());
  if (!m) return null;
  const [, sign, units = '', decimals = ''] = m;
  return digitsToCents(sign === '-', units, decimals);
}

/** Builds cents from the digits before and after the decimal separator. */
export function digitsToCents(negative: boolean, units: string, decimals: string): Cents | null {
  if (units === '' && decimals === '') return null;
  if (!/^\d*$/.test(units) || !/^\d*$/.test(decimals)) return null;
  if (/[1-9]/.test(decimals.slice(2))) return null; // a real third decimal: not an amount in cents
  const trimmedUnits = units.replace(/^0+(?=\d)/, '');
  if (trimmedUnits.length > MAX_DIGITS) return null;
  const cents = Number(trimmedUnits || '0') * 100 + Number(decimals.slice(0, 2).padEnd(2, '0'));
  return negative && cents !== 0 ? -cents : cents;
}

/**
 * An amount as French banks write it in CSV and text: "1 234,56", "1 234,56 €", "-45,90",
 * "+12", "1.234,56", "45.90", "1,234.56", "45,90-"; normal, no-break (U+00A0), narrow no-break
 * (U+202F) or thin (U+2009) spaces between thousands. Null when it is not one ("12,3,4").
 */
export function parseFrenchAmount(text: string): Cents | null {
  let s = text.replace(/[\s\u00a0\u202f\u2009]/g, '').replace(/€|eur(?:os?)?$/i, '');
  if (s === '') return null;
  let negative = false;
  if (/^[+-]/.test(s)) {
    negative = s[0] === '-';
    s = s.slice(1);
  } else if (/-$/.test(s)) {
    negative = true;
    s = s.slice(0, -1);
  }
  let m = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(s);
  if (m) return digitsToCents(negative, m[1] ?? '', m[2] ?? '');
  m = /^(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?$/.exec(s); // 1.234,56
  if (m) return digitsToCents(negative, (m[1] ?? '').replace(/\./g, ''), m[2] ?? '');
  m = /^(\d{1,3}(?:,\d{3})+)\.(\d{1,2})$/.exec(s); // 1,234.56
  if (m) return digitsToCents(negative, (m[1] ?? '').replace(/,/g, ''), m[2] ?? '');
  return null;
}

/** "-1 234,56 €" for messages. */
export function formatCentsFr(cents: Cents): string {
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${cents < 0 ? '-' : ''}${units},${(abs % 100).toString().padStart(2, '0')} €`;
}

// ---------------------------------------------------------------------------------------------
// Dates.

/** A date from its parts, or null when it does not exist (31/02). */
export function isoFromParts(year: number, month: number, day: number): IsoDate | null {
  const iso = `${year.toString().padStart(4, '0')}-${month.toString().padStart(2, '0')}-${day
    .toString()
    .padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

/** Two-digit years: 00–79 are 2000–2079, 80–99 are 1980–1999. */
export function fullYear(twoDigits: number): number {
  return twoDigits < 80 ? 2000 + twoDigits : 1900 + twoDigits;
}

/** "20250915", "20250915120000.000[+1:CET]", "2025-09-15", "2025-09-15T10:00:00+02:00" → ISO date. */
export function parseCompactOrIsoDate(text: string): IsoDate | null {
  const t = text.trim();
  let m = /^(\d{4})(\d{2})(\d{2})(?:\d{2,6})?(?:\.\d+)?(?:\[[^\]]*\])?$/.exec(t);
  if (!m) m = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?(?:Z|[+-]\d{2}:\d{2})?$/.exec(t);
  if (!m) return null;
  return isoFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
}

// ---------------------------------------------------------------------------------------------
// Labels and cheque numbers.

/** One line, spaces (and control characters) folded, trimmed. */
export function cleanLabel(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f\u00a0\u202f\u2009\u2028\u2029]+/g, ' ').trim();
}

/**
 * Joins a label and a second text (OFX NAME + MEMO, CSV libellé + détail…): the second is added
 * only when it says something the first does not.
 */
export function joinLabels(first: string, second: string): string {
  const a = cleanLabel(first);
  const b = cleanLabel(second);
  if (!b || a.includes(b)) return a;
  if (!a || b.includes(a)) return b;
  return `${a} ${b}`;
}

/** Lowercase, without accents, punctuation turned to spaces, folded: for matching words. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The cheque number a label gives: "CHQ 4500201", "CHEQUE N°4500201", "PAIEMENT CHÈQUE 4500201".
 * A deposit ("REMISE CHEQUES 123456") gives none: its number is the deposit slip's.
 */
export function chequeFromLabel(label: string): string | null {
  const folded = label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();
  if (/\bREM(?:ISE)?\b|\bDEPOT\b|\bDEP\.? CHQ/.test(folded)) return null;
  const m = /\b(?:CHQ|CHEQUE)\b\.?\s*(?:(?:N|NO|NUM|NUMERO)\s*[°º.:]?\s*)?[°º:]?\s*(\d{4,})\b/.exec(folded);
  return m ? (m[1] ?? null) : null;
}

// ---------------------------------------------------------------------------------------------
// Assembly.

/** One statement as a file holds it (a file may hold several: one per day, per 01…07 group). */
export interface StatementPart {
  account: string | null;
  period: { from: IsoDate | null; to: IsoDate | null };
  openingBalance: Cents | null;
  closingBalance: Cents | null;
  lines: StatementLine[];
  /** Line of the file where this part starts, for messages. */
  line: number;
}

/**
 * The Statement of a file: its parts in order (the first part's opening balance, the last part's
 * closing balance), one account only, the period from the file or else from the lines' dates.
 */
export function assembleStatement(format: StatementFormat, parts: StatementPart[]): Statement {
  const accounts = new Set(parts.map((p) => p.account).filter((a): a is string => a !== null));
  if (accounts.size > 1) {
    const second = parts.find((p) => p.account !== null && p.account !== parts.find((q) => q.account)?.account);
    throw new StatementFormatError({
      code: 'plusieurs_comptes',
      reason: `le fichier contient les relevés de plusieurs comptes (${[...accounts].join(', ')}) : téléchargez un fichier par compte.`,
      line: second?.line ?? null,
    });
  }
  const lines = parts.flatMap((p) => p.lines);
  const froms = parts.map((p) => p.period.from).filter((d): d is IsoDate => d !== null);
  const tos = parts.map((p) => p.period.to).filter((d): d is IsoDate => d !== null);
  const dates = lines.map((l) => l.date);
  const from = minDate(froms.length > 0 ? froms : dates);
  const to = maxDate(tos.length > 0 ? tos : dates);
  return {
    format,
    account: [...accounts][0] ?? null,
    period: from !== null && to !== null ? { from, to } : null,
    openingBalance: parts[0]?.openingBalance ?? null,
    closingBalance: parts[parts.length - 1]?.closingBalance ?? null,
    lines,
  };
}

function minDate(dates: IsoDate[]): IsoDate | null {
  let best: IsoDate | null = null;
  for (const d of dates) if (best === null || d < best) best = d;
  return best;
}

function maxDate(dates: IsoDate[]): IsoDate | null {
  let best: IsoDate | null = null;
  for (const d of dates) if (best === null || d > best) best = d;
  return best;
}

/** Line number of a character offset, from the offsets where lines start (binary search). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The five XML entities and character references; anything else is left as written. */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    switch (name) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
      }
    }
  });
}

/** An XML text with a DOCTYPE or an entity declaration is refused before any parser sees it. */
export function refuseXmlDeclarations(text: string): void {
  const m = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (m) {
    throw new StatementFormatError({
      code: 'xml_interdit',
      reason:
        'le fichier XML contient une déclaration DOCTYPE ou ENTITY : les relevés des banques n’en ont pas, ce fichier est refusé par sécurité.',
      line: lineAt(lineStarts(text.slice(0, m.index + 1)), m.index),
    });
  }
}
