/**
 * The pure reading of a legacy cahier (the old OCCE Excel workbook and the departments'
 * variants): a grid of cell values in (see legacy-contract.ts), the cahier's lines out.
 *
 * 1. Find the table: the header row on whichever sheet holds it (one row, or two when a merged
 *    « Banque » stands over « Recettes | Dépenses »), each column's role from its words
 *    (accent-, case- and space-insensitive), chapter columns from the code their header starts
 *    with. A saved mapping replaces this step.
 * 2. Classify each row below it: blank, repeated header, report à nouveau, total, heading, or a
 *    line of the cahier.
 * 3. Read each line's cells into a `LineInput` (the movement columns it fills give its kind and
 *    account, by kinds.ts' signatures) and check it with the cahier's own `validateLine`; every
 *    problem names its row and column letter. A failing line is still returned.
 *
 * No I/O: the service, the command line and the browser pane all call this.
 */
import { chapterCodeFromChoice, findChapter, type Chapter } from './chapters';
import { columnLetter } from './columns';
import { exerciseOf, isoDateOf, serialToDate, type IsoDate } from './dates';
import {
  KINDS,
  MOVEMENT_KEYS,
  SIGNATURES,
  modeFromLabel,
  movementBit,
  signatureMask,
  touchesBank,
  type Account,
  type Direction,
  type LineKind,
  type Mode,
  type MovementKey,
  type Signature,
} from './kinds';
import type {
  ImportProblem,
  ImportSeverity,
  LegacyColumns,
  LegacyLine,
  LegacyMapping,
  LegacyReading,
  LegacyReadOptions,
  LegacySheet,
  LegacyValue,
  LegacyWorkbook,
  SkippedRow,
} from './legacy-contract';
import { formatPj, type LineField, type LineInput, type VentilationPart } from './line';
import { eurosToCents, formatEuros, type Cents } from './money';
import { signedPart, validateLine, type Problem } from './rules';

/** The table cannot be found (or the saved mapping does not fit the file). */
export class LegacyReadError extends Error {
  constructor(
    readonly code: 'entete_introuvable' | 'feuille_introuvable' | 'correspondance_invalide',
    message: string,
  ) {
    super(message);
    this.name = 'LegacyReadError';
  }
}

/** The reasons given for the rows that are not lines (stable: scripts group by them). */
export const SKIP_REASONS = {
  blank: 'ligne vide',
  header: 'en-tête répété',
  opening: 'report à nouveau',
  openingAgain: 'report à nouveau en double',
  total: 'ligne de total',
  heading: 'intertitre (ni date ni montant)',
} as const;

/** How many rows of each sheet are searched for the header row. */
const HEADER_SCAN_ROWS = 200;

// ---------------------------------------------------------------------------------------------
// Text

const NON_ASCII = /[^\x20-\x7e]/;
const COMBINING = /[\u0300-\u036f]/g;
const NON_ALNUM = /[^a-z0-9]+/g;
const LINE_BREAKS = /\s*[\r\n\t\u2028\u2029]+\s*/g;
const LINE_BREAK = /[\r\n\t\u2028\u2029]/;

/** "N° Pièce " → "n piece": lower case, no accents, words separated by one space. */
export function normalizeLabel(text: string): string {
  let t = text.toLowerCase();
  if (NON_ASCII.test(t)) t = t.normalize('NFD').replace(COMBINING, '').replace('œ', 'oe').replace('æ', 'ae');
  return t.replace(NON_ALNUM, ' ').trim();
}

function isBlank(v: LegacyValue | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** A cell's text on one line (line breaks typed in the cell become spaces). */
function cellText(v: LegacyValue | undefined): string {
  if (v === null || v === undefined || typeof v === 'boolean') return '';
  if (typeof v === 'string') return LINE_BREAK.test(v) ? v.replace(LINE_BREAKS, ' ').trim() : v.trim();
  if (typeof v === 'number') return String(v);
  return v.date;
}

// ---------------------------------------------------------------------------------------------
// Values

const DMY = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})(?:[ T,]+\d{1,2}[:h]\d{2}(?::\d{2})?)?$/;
const YMD = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/;
const DMY_WORDS = /^(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4}|\d{2})$/;
const SERIAL_TEXT = /^\d{5}$/;
const MONTHS: Record<string, number> = {
  janvier: 1,
  janv: 1,
  jan: 1,
  fevrier: 2,
  fevr: 2,
  fev: 2,
  mars: 3,
  mar: 3,
  avril: 4,
  avr: 4,
  mai: 5,
  juin: 6,
  juillet: 7,
  juil: 7,
  aout: 8,
  septembre: 9,
  sept: 9,
  sep: 9,
  octobre: 10,
  oct: 10,
  novembre: 11,
  nov: 11,
  decembre: 12,
  dec: 12,
};
/** Serials of 1 January 1990 and 31 December 2099: numbers outside are not dates of a cahier. */
const SERIAL_MIN = 32874;
const SERIAL_MAX = 73415;

function fullYear(text: string): number {
  const y = Number(text);
  if (text.length === 4) return y;
  return y < 70 ? 2000 + y : 1900 + y;
}

/**
 * A date as a legacy sheet holds it: a typed date, a serial number (Excel's 1900 system:
 * 45915 → 2025-09-15), or text `jj/mm/aaaa`, `j/m/aa`, `jj.mm.aaaa`, `jj-mm-aaaa`,
 * `aaaa-mm-jj`, « 15 sept. 2025 ». Null when empty or not a real date.
 */
export function parseLegacyDate(value: LegacyValue | undefined): IsoDate | null {
  if (value === null || value === undefined || typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < SERIAL_MIN || value >= SERIAL_MAX + 1) return null;
    return serialToDate(value);
  }
  if (typeof value === 'object') {
    const m = YMD.exec(value.date);
    return m ? isoDateOf(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  }
  const text = value.trim();
  if (text === '') return null;
  let m = DMY.exec(text);
  if (m) return isoDateOf(fullYear(m[3]!), Number(m[2]), Number(m[1]));
  m = YMD.exec(text);
  if (m) return isoDateOf(Number(m[1]), Number(m[2]), Number(m[3]));
  if (SERIAL_TEXT.test(text)) return parseLegacyDate(Number(text));
  m = DMY_WORDS.exec(normalizeLabel(text));
  if (m) {
    const month = MONTHS[m[2]!];
    if (month) return isoDateOf(fullYear(m[3]!), month, Number(m[1]));
  }
  return null;
}

export type AmountReading = { cents: Cents; rounded: boolean } | { error: string };

const AMOUNT_NOISE = /[\s\u00a0\u202f\u2009\u2007'’€+]+/g;
const HAS_LETTER = /[a-z]/i;
const EURO_WORD = /eur(?:os?)?/gi;
const AMOUNT_DIGITS = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const PLAIN_AMOUNT = /^-?\d+(?:[.,]\d+)?$/;
const DASHES = /^[-–—−]+$/;

function centsOf(euros: number): { cents: Cents; rounded: boolean } {
  // Exact to the cent (float noise aside: 0.1 + 0.2 is 30 cents), else rounded (a cached =A1/3).
  const exact = eurosToCents(euros);
  if (exact !== null) return { cents: exact, rounded: false };
  const abs = Math.round(Math.abs(euros) * 100);
  return { cents: euros < 0 && abs !== 0 ? -abs : abs, rounded: true };
}

/**
 * An amount in euros as a legacy sheet holds it: a number (float noise rounded away), or text
 * (`1 234,56 €`, `1234.56`, `1.234,56`, no-break and narrow no-break spaces, a leading or
 * trailing minus, parentheses for a negative). Null when empty (a lone dash counts as empty).
 * `rounded` tells that the value had more than two decimals and was rounded to the cent.
 */
export function parseLegacyAmount(value: LegacyValue | undefined): AmountReading | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { error: `« ${value} » n’est pas un montant.` };
    return centsOf(value);
  }
  if (typeof value !== 'string') {
    return { error: `« ${cellText(value) || String(value)} » n’est pas un montant.` };
  }
  const raw = value.trim();
  if (PLAIN_AMOUNT.test(raw)) return centsOf(Number(raw.replace(',', '.')));
  if (raw === '' || DASHES.test(raw)) return null;
  let s = raw.replace(AMOUNT_NOISE, '');
  if (HAS_LETTER.test(s)) s = s.replace(EURO_WORD, '');
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1);
  }
  const first = s.charCodeAt(0);
  if (first === 45 || first === 0x2212 || first === 0x2013) {
    negative = !negative;
    s = s.slice(1);
  } else if (s.endsWith('-')) {
    negative = !negative;
    s = s.slice(0, -1);
  }
  const comma = s.lastIndexOf(',');
  const dot = s.lastIndexOf('.');
  if (comma >= 0 && dot >= 0) {
    // Both: the last one is the decimal separator, the other groups thousands.
    s = comma > dot ? s.split('.').join('').replace(',', '.') : s.split(',').join('');
  } else if (comma >= 0) {
    s = s.indexOf(',') === comma ? s.replace(',', '.') : s.split(',').join('');
  } else if (dot >= 0 && s.indexOf('.') !== dot) {
    s = s.split('.').join('');
  }
  if (!AMOUNT_DIGITS.test(s)) return { error: `« ${raw} » n’est pas un montant.` };
  const euros = Number(s);
  return centsOf(negative ? -euros : euros);
}

const MODE_WORDS: Record<string, Mode> = {
  cheque: 'cheque',
  cheques: 'cheque',
  chq: 'cheque',
  ch: 'cheque',
  cb: 'carte',
  carte: 'carte',
  'carte bancaire': 'carte',
  'carte bleue': 'carte',
  tpe: 'carte',
  vir: 'virement',
  virt: 'virement',
  vrt: 'virement',
  virement: 'virement',
  'virement bancaire': 'virement',
  esp: 'especes',
  espece: 'especes',
  especes: 'especes',
  liquide: 'especes',
  numeraire: 'especes',
  prlv: 'prelevement',
  prel: 'prelevement',
  prelevement: 'prelevement',
  'prelevement automatique': 'prelevement',
};

/** « Chèque », « CB », « Vir. », « Espèces », « Prlv »… → the cahier's mode; null otherwise. */
export function parseLegacyMode(value: LegacyValue | undefined): Mode | null {
  if (typeof value !== 'string') return null;
  return modeFromLabel(value) ?? MODE_WORDS[normalizeLabel(value)] ?? null;
}

const CHEQUE_PREFIX = /^(?:n|no|num|numero|nr|chq|cheque|ch|cq)\b\s*/;
const CHEQUE_DIGITS = /^[\d\s./-]*\d[\d\s./-]*$/;
const NOT_DIGIT = /\D+/g;

export type ChequeReading = { cheque: string } | { mode: Mode } | { text: string };

/**
 * The N° de chèque column: a number or text (`1234567`, `n°1234567`, `N° 1 234 567`,
 * `chq 123`) gives its digits; a payment mode written there instead (« CB », « Vir »)
 * gives that mode; anything else is returned as text. Null when empty.
 */
export function parseLegacyCheque(value: LegacyValue | undefined): ChequeReading | null {
  if (isBlank(value) || typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 ? { cheque: String(value) } : { text: String(value) };
  }
  const text = cellText(value);
  const n = normalizeLabel(text).replace(CHEQUE_PREFIX, '').replace(CHEQUE_PREFIX, '');
  if (n !== '' && CHEQUE_DIGITS.test(n)) return { cheque: n.replace(NOT_DIGIT, '') };
  const mode = parseLegacyMode(text);
  return mode ? { mode } : { text };
}

const MARKS_TRUE = new Set([
  'x',
  'p',
  'oui',
  'o',
  '1',
  'ok',
  'v',
  'r',
  'y',
  'yes',
  'vrai',
  'true',
  'pointe',
  'pointee',
]);
const MARKS_FALSE = new Set(['', 'non', 'n', '0', 'no', 'faux', 'false']);
const CHECK_MARKS = new Set(['✓', '✔', '☑', '✅', '√', '×', '✗', '✘', '*', '+']);
const HAS_DIGIT = /\d/;

/**
 * A pointage mark: `X`, `x`, `p`, `P`, `✓`, `✔`, `oui`, `1`, true, a date or a statement
 * number → true; empty, `non`, `0`, false → false; null when the text cannot be read.
 */
export function parseLegacyMark(value: LegacyValue | undefined): boolean | null {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'object') return true;
  const t = value.trim();
  if (t === 'X' || t === 'x') return true;
  if (CHECK_MARKS.has(t)) return true;
  if (DASHES.test(t)) return false;
  const n = normalizeLabel(t);
  if (n === '') return t === '' ? false : null;
  if (MARKS_TRUE.has(n)) return true;
  if (MARKS_FALSE.has(n)) return false;
  return HAS_DIGIT.test(n) ? true : null;
}

const COOP_NUMBER = /(?<![\dA-Za-z])(\d{3}|0?2[AB])[-\s./_]?(\d{4})(?!\d)/i;

/** A coop's number in a text (a title cell, a file name): « 087-0123 », « 0870123 » → "087-0123". */
export function coopFromText(text: string): string | null {
  const m = COOP_NUMBER.exec(text);
  if (!m) return null;
  return `${m[1]!.toUpperCase().padStart(3, '0')}-${m[2]}`;
}

const EXERCISE_SPAN = /(?<!\d)((?:19|20)\d{2})\s*[-/–—_ ]\s*((?:19|20)?\d{2})(?!\d)/g;
const EXERCISE_WORD = /\bexercice (?:scolaire )?((?:19|20)\d{2})\b/;

/** « Exercice 2024-2025 », « 2024/2025 », « 2024-25 » → 2024; null when no exercise is named. */
export function yearFromText(text: string): number | null {
  for (const m of text.matchAll(EXERCISE_SPAN)) {
    const start = Number(m[1]);
    const end = m[2]!;
    if (end.length === 4 ? Number(end) === start + 1 : Number(end) === (start + 1) % 100) return start;
  }
  const w = EXERCISE_WORD.exec(normalizeLabel(text));
  return w ? Number(w[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Header

type FieldRole = 'pj' | 'date' | 'libelle' | 'cheque' | 'action' | 'mode' | 'holder' | 'pointage' | 'chapterChoice';

type Role =
  | { t: 'field'; field: FieldRole }
  | { t: 'move'; key: MovementKey }
  | { t: 'dir'; direction: Direction }
  | { t: 'account'; account: Account }
  | { t: 'chapter'; code: string; label: string }
  | { t: 'solde'; account: 'banque' | 'caisse' }
  | { t: 'ignore' };

const words = (...list: string[]) => new Set(list);
const BANQUE = words('banque', 'bque', 'bq', 'bnq', '512', 'bancaire', 'ccp');
const CAISSE = words('caisse', '530', 'especes', 'espece', 'liquide');
const REGIE = words('regie', 'regies');
const RECETTES = words(
  'recette',
  'recettes',
  'entree',
  'entrees',
  'credit',
  'credits',
  'encaissement',
  'encaissements',
  'recu',
  'recus',
);
const DEPENSES = words(
  'depense',
  'depenses',
  'sortie',
  'sorties',
  'debit',
  'debits',
  'decaissement',
  'decaissements',
  'paiement',
  'paiements',
);
const IGNORED = words('ecart', 'statut', 'identifiant', 'version', 'total', 'totaux', 'cumul', 'difference');
const MODE_HEADER = words('mode', 'moyen', 'reglement', 'reglements');
const CHEQUE_HEADER = words('cheque', 'cheques', 'chq', 'cheq', 'chque');
const POINTAGE_HEADER = words(
  'pointage',
  'pointe',
  'pointes',
  'pointee',
  'pointees',
  'releve',
  'releves',
  'rapprochement',
  'rapproche',
  'coche',
);
const POINTAGE_LETTERS = words('p', 'r', 'pt', 'x', 'v', 'ok', 'rel');
const DATE_HEADER = words('date', 'dates', 'jour');
const PJ_HEADER = words('pj', 'piece', 'pieces', 'justificatif', 'justificative', 'justificatifs', 'ordre', 'pce');
const PJ_ALONE = words('n', 'no', 'num', 'numero', 'nr', 'ref', 'reference', 'n piece', 'p j');
const LIBELLE_HEADER = words(
  'libelle',
  'libelles',
  'designation',
  'designations',
  'operation',
  'operations',
  'intitule',
  'objet',
  'motif',
  'description',
  'detail',
  'details',
  'tiers',
);
const ACTION_HEADER = words('action', 'actions', 'projet', 'projets');
const CHOICE_HEADER = words(
  'chapitre',
  'n chapitre',
  'imputation',
  'ventilation',
  'ventilation automatique',
  'compte',
  'n compte',
  'code comptable',
);
const AVANCE = words('avance', 'avances', 'versee', 'versees', 'versement');
const HEADER_CHECKS = new Set(['✓', '✔', '☑', '√']);
const CHAPTER_HEADER = /^\s*([67]\d{2,5})(?![\d,.]\d)\s*[-–—:.)/]?\s*([\s\S]*)$/;
const LABEL_FORBIDDEN = /[[\]#]/g;
const STRAIGHT_APOSTROPHE = /'/g;

function has(tokens: readonly string[], set: ReadonlySet<string>): boolean {
  for (const t of tokens) if (set.has(t)) return true;
  return false;
}

function accountOf(tokens: readonly string[]): Account | null {
  if (has(tokens, REGIE)) return 'regie';
  if (has(tokens, CAISSE)) return 'caisse';
  if (has(tokens, BANQUE)) return 'banque';
  return null;
}

function directionOf(tokens: readonly string[]): Direction | null {
  const r = has(tokens, RECETTES);
  const d = has(tokens, DEPENSES);
  return r === d ? null : r ? 'recettes' : 'depenses';
}

/** A chapter label fit for the chart (no [ ] #, typographic apostrophe). */
function chapterLabel(text: string, code: string): string {
  const label = text.replace(LINE_BREAKS, ' ').replace(LABEL_FORBIDDEN, '').replace(STRAIGHT_APOSTROPHE, '’').trim();
  return label || `Chapitre ${code}`;
}

/** What one header cell says its column holds. */
function headerRole(value: LegacyValue | undefined): Role | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) && CHAPTER_HEADER.test(String(value))
      ? { t: 'chapter', code: String(value), label: '' }
      : null;
  }
  if (typeof value !== 'string') return null;
  const raw = value.trim();
  if (raw === '') return null;
  if (HEADER_CHECKS.has(raw)) return { t: 'field', field: 'pointage' };
  const code = CHAPTER_HEADER.exec(raw);
  if (code) return { t: 'chapter', code: code[1]!, label: code[2]!.trim() };
  const n = normalizeLabel(raw);
  if (n === '') return null;
  const tokens = n.split(' ');
  const account = accountOf(tokens);
  const direction = directionOf(tokens);
  if (tokens.includes('solde')) {
    return account === 'banque' || account === 'caisse' ? { t: 'solde', account } : { t: 'ignore' };
  }
  if (has(tokens, IGNORED) || n === 'nature') return { t: 'ignore' };
  if (tokens.includes('titulaire')) return { t: 'field', field: 'holder' };
  if (account && direction) return { t: 'move', key: `${account}_${direction}` };
  if (account === 'regie' && has(tokens, AVANCE)) return { t: 'move', key: 'regie_recettes' };
  if (has(tokens, MODE_HEADER)) return { t: 'field', field: 'mode' };
  if (has(tokens, CHEQUE_HEADER)) return { t: 'field', field: 'cheque' };
  if (has(tokens, POINTAGE_HEADER) || POINTAGE_LETTERS.has(n)) return { t: 'field', field: 'pointage' };
  if (has(tokens, DATE_HEADER)) return { t: 'field', field: 'date' };
  if (has(tokens, PJ_HEADER) || PJ_ALONE.has(n)) return { t: 'field', field: 'pj' };
  if (has(tokens, LIBELLE_HEADER)) return { t: 'field', field: 'libelle' };
  if (has(tokens, ACTION_HEADER)) return { t: 'field', field: 'action' };
  if (CHOICE_HEADER.has(n)) return { t: 'field', field: 'chapterChoice' };
  if (account) return { t: 'account', account };
  if (direction) return { t: 'dir', direction };
  return null;
}

/** The columns as indexes (-1: absent). */
interface Resolved {
  fields: Record<FieldRole, number>;
  moves: Partial<Record<MovementKey, number>>;
  chapters: Map<string, number>;
  labels: Map<string, string>;
  solde: { banque: number; caisse: number };
}

function emptyResolved(): Resolved {
  return {
    fields: {
      pj: -1,
      date: -1,
      libelle: -1,
      cheque: -1,
      action: -1,
      mode: -1,
      holder: -1,
      pointage: -1,
      chapterChoice: -1,
    },
    moves: {},
    chapters: new Map(),
    labels: new Map(),
    solde: { banque: -1, caisse: -1 },
  };
}

/** Roles of a sheet's rows, computed once per cell. */
class RoleCache {
  private rows = new Map<number, (Role | null)[]>();
  constructor(private sheet: LegacySheet) {}
  row(r: number): (Role | null)[] {
    let roles = this.rows.get(r);
    if (!roles) {
      roles = (this.sheet.rows[r] ?? []).map((v) => headerRole(v));
      this.rows.set(r, roles);
    }
    return roles;
  }
}

/** The first non-empty cell at or left of column c in a group row (a merged label's cell). */
function groupCell(row: readonly LegacyValue[] | undefined, c: number): { tokens: string[] } | null {
  if (!row) return null;
  for (let i = Math.min(c, row.length - 1); i >= 0; i--) {
    const v = row[i];
    if (isBlank(v)) continue;
    return typeof v === 'string' ? { tokens: normalizeLabel(v).split(' ') } : null;
  }
  return null;
}

interface Candidate {
  sheet: LegacySheet;
  /** 0-based index of the header row. */
  header: number;
  cols: Resolved;
  score: number;
  notes: ImportProblem[];
}

function assign(cols: Resolved, role: Role, c: number, notes: ImportProblem[]): void {
  switch (role.t) {
    case 'field':
      if (cols.fields[role.field] < 0) cols.fields[role.field] = c;
      return;
    case 'move':
      if (cols.moves[role.key] === undefined) cols.moves[role.key] = c;
      return;
    case 'chapter':
      if (!cols.chapters.has(role.code)) {
        cols.chapters.set(role.code, c);
        cols.labels.set(role.code, role.label);
      } else {
        notes.push(
          fileProblem(
            'chapitre_en_double',
            'warning',
            `Le chapitre ${role.code} a deux colonnes : seule la colonne ${columnLetter(cols.chapters.get(role.code)!)} est lue.`,
            columnLetter(c),
          ),
        );
      }
      return;
    case 'solde':
      if (cols.solde[role.account] < 0) cols.solde[role.account] = c;
      return;
    default:
      return;
  }
}

/** Reads row r as the header (with row r - 1 as the group row above it). */
function candidateAt(sheet: LegacySheet, r: number, cache: RoleCache): Candidate | null {
  const row = sheet.rows[r] ?? [];
  const above = r > 0 ? sheet.rows[r - 1] : undefined;
  const roles = cache.row(r);
  const cols = emptyResolved();
  const notes: ImportProblem[] = [];
  let bare: { c: number; direction: Direction }[] = [];
  /** Columns the header row itself gives a role to. */
  const used: boolean[] = [];
  for (let c = 0; c < roles.length; c++) {
    let role = roles[c];
    if (!role) continue;
    if (role.t === 'dir') {
      const group = groupCell(above, c);
      const account = group && accountOf(group.tokens);
      if (!account) {
        bare.push({ c, direction: role.direction });
        continue;
      }
      role = { t: 'move', key: `${account}_${role.direction}` };
    } else if (role.t === 'account') {
      const group = groupCell(above, c);
      const direction = group && directionOf(group.tokens);
      if (!direction) continue;
      role = { t: 'move', key: `${role.account}_${direction}` };
    }
    if (role.t !== 'ignore') used[c] = true;
    assign(cols, role, c, notes);
  }
  // A header cell merged over two rows keeps its text in the upper row.
  if (above) {
    const upper = cache.row(r - 1);
    for (let c = 0; c < upper.length; c++) {
      const role = upper[c];
      // Merged over two rows: the lower cell is empty (a chapter's label may stand there).
      if (!role || !(isBlank(row[c]) || (role.t === 'chapter' && !used[c]))) continue;
      if (role.t === 'field' || role.t === 'move' || role.t === 'chapter' || role.t === 'solde') {
        const below = row[c];
        assign(
          cols,
          role.t === 'chapter' && !role.label && typeof below === 'string' ? { ...role, label: below.trim() } : role,
          c,
          notes,
        );
      }
    }
    bare = bare.filter((b) => ![...cols.chapters.values()].includes(b.c));
  }
  if (bare.length && cols.moves.banque_recettes === undefined && cols.moves.banque_depenses === undefined) {
    for (const b of bare) {
      const key: MovementKey = `banque_${b.direction}`;
      if (cols.moves[key] === undefined) cols.moves[key] = b.c;
    }
    notes.push(
      fileProblem(
        'colonnes_sans_compte',
        'warning',
        'Les colonnes « Recettes » et « Dépenses » ne disent pas banque ou caisse : elles sont lues comme la banque.',
        columnLetter(bare[0]!.c),
      ),
    );
  }
  const f = cols.fields;
  const moves = Object.keys(cols.moves).length;
  if (f.date < 0 || f.libelle < 0 || moves === 0) return null;
  let score = moves;
  for (const k of Object.keys(f) as FieldRole[]) if (f[k] >= 0) score += 1;
  score += Math.min(cols.chapters.size, 99) / 100;
  return { sheet, header: r, cols, score, notes };
}

function detect(workbook: LegacyWorkbook): Candidate | null {
  let best: Candidate | null = null;
  /** The sheets holding a table (one sheet a month, a copy of last year's…). */
  const tables: string[] = [];
  for (const sheet of workbook.sheets) {
    const cache = new RoleCache(sheet);
    let limit = Math.min(sheet.rows.length, HEADER_SCAN_ROWS);
    let found = false;
    for (let r = 0; r < limit; r++) {
      const row = sheet.rows[r];
      if (!row) continue;
      let texts = 0;
      for (const v of row) if (typeof v === 'string' && v.trim() !== '') texts++;
      if (texts < 2) continue;
      const c = candidateAt(sheet, r, cache);
      if (!c) continue;
      if (!best || c.score > best.score) best = c;
      // The lower row of a two-row header may read better; the lines start soon after.
      if (!found) {
        limit = Math.min(limit, r + 4);
        tables.push(sheet.name);
      }
      found = true;
    }
  }
  const others = tables.filter((name) => name !== best?.sheet.name);
  if (best && others.length) {
    best.notes.push(
      fileProblem(
        'autres_feuilles',
        'warning',
        `D’autres feuilles ont aussi un tableau d’écritures (${others.map((n) => `« ${n} »`).join(', ')}) : seule la feuille « ${best.sheet.name} » est lue. Importez-les à part, avec une correspondance de colonnes qui nomme leur feuille.`,
      ),
    );
  }
  return best;
}

const LETTERS = /^[A-Z]{1,3}$/;

function letterIndex(letter: string | undefined): number {
  if (letter === undefined) return -1;
  const l = letter.trim().toUpperCase();
  if (!LETTERS.test(l)) return -2;
  let n = 0;
  for (let i = 0; i < l.length; i++) n = n * 26 + (l.charCodeAt(i) - 64);
  return n - 1;
}

function toMapping(c: Candidate): LegacyMapping {
  const letter = (i: number) => (i >= 0 ? columnLetter(i) : undefined);
  const f = c.cols.fields;
  const m = c.cols.moves;
  const columns: LegacyColumns = { date: columnLetter(f.date), libelle: columnLetter(f.libelle), chapters: {} };
  const optional: [keyof LegacyColumns, number | undefined][] = [
    ['pj', f.pj],
    ['cheque', f.cheque],
    ['action', f.action],
    ['banqueRecettes', m.banque_recettes],
    ['banqueDepenses', m.banque_depenses],
    ['caisseRecettes', m.caisse_recettes],
    ['caisseDepenses', m.caisse_depenses],
    ['pointage', f.pointage],
    ['mode', f.mode],
    ['regieRecettes', m.regie_recettes],
    ['regieDepenses', m.regie_depenses],
    ['holder', f.holder],
    ['chapterChoice', f.chapterChoice],
  ];
  for (const [key, index] of optional) {
    const l = letter(index ?? -1);
    if (l) (columns as unknown as Record<string, string>)[key] = l;
  }
  for (const [code, index] of c.cols.chapters) columns.chapters[code] = columnLetter(index);
  return { sheet: c.sheet.name, headerRow: c.header + 1, columns };
}

/**
 * Finds the table of a legacy workbook: the sheet, the header row and each column's letter.
 * Null when no row of any sheet reads as a header (a date, a libellé and a banque or caisse
 * column at least).
 */
export function detectMapping(workbook: LegacyWorkbook): LegacyMapping | null {
  const c = detect(workbook);
  return c ? toMapping(c) : null;
}

const MAPPING_KEYS: [keyof LegacyColumns, { field: FieldRole } | { move: MovementKey }][] = [
  ['pj', { field: 'pj' }],
  ['date', { field: 'date' }],
  ['libelle', { field: 'libelle' }],
  ['cheque', { field: 'cheque' }],
  ['action', { field: 'action' }],
  ['mode', { field: 'mode' }],
  ['holder', { field: 'holder' }],
  ['pointage', { field: 'pointage' }],
  ['chapterChoice', { field: 'chapterChoice' }],
  ['banqueRecettes', { move: 'banque_recettes' }],
  ['banqueDepenses', { move: 'banque_depenses' }],
  ['caisseRecettes', { move: 'caisse_recettes' }],
  ['caisseDepenses', { move: 'caisse_depenses' }],
  ['regieRecettes', { move: 'regie_recettes' }],
  ['regieDepenses', { move: 'regie_depenses' }],
];

/** A saved mapping applied to the workbook (checked: its sheet exists, its letters are letters). */
function fromMapping(workbook: LegacyWorkbook, mapping: LegacyMapping): Candidate {
  const names = workbook.sheets.map((s) => `« ${s.name} »`).join(', ') || 'aucune';
  const header = Math.trunc(Number(mapping.headerRow)) - 1;
  let sheet: LegacySheet | undefined;
  if (mapping.sheet !== undefined) {
    sheet = workbook.sheets.find((s) => s.name === mapping.sheet);
    if (!sheet) {
      throw new LegacyReadError(
        'feuille_introuvable',
        `La feuille « ${mapping.sheet} » de la correspondance de colonnes n’existe pas dans « ${workbook.file} » (feuilles : ${names}).`,
      );
    }
  } else {
    sheet = workbook.sheets.find((s) => s.rows.length > header + 1) ?? workbook.sheets[0];
    if (!sheet) {
      throw new LegacyReadError('feuille_introuvable', `Le classeur « ${workbook.file} » n’a aucune feuille.`);
    }
  }
  const bad = (what: string) =>
    new LegacyReadError(
      'correspondance_invalide',
      `La correspondance de colonnes ne convient pas à « ${workbook.file} » (feuille « ${sheet.name} ») : ${what}.`,
    );
  if (!Number.isFinite(header) || header < 0)
    throw bad(`la ligne d’en-tête « ${mapping.headerRow} » n’est pas un numéro de ligne`);
  const cols = emptyResolved();
  const given = mapping.columns ?? ({} as LegacyColumns);
  for (const [key, target] of MAPPING_KEYS) {
    const raw = given[key];
    if (raw === undefined || raw === null || raw === '') continue;
    const index = letterIndex(String(raw));
    if (index < 0) throw bad(`« ${String(raw)} » (${key}) n’est pas une lettre de colonne`);
    if ('field' in target) cols.fields[target.field] = index;
    else cols.moves[target.move] = index;
  }
  if (cols.fields.date < 0) throw bad('la colonne de la date manque');
  if (cols.fields.libelle < 0) throw bad('la colonne du libellé manque');
  if (Object.keys(cols.moves).length === 0) throw bad('aucune colonne banque ou caisse n’est indiquée');
  const headerRow = sheet.rows[header] ?? [];
  const upperRow = header > 0 ? sheet.rows[header - 1] : undefined;
  for (const [code, letter] of Object.entries(given.chapters ?? {})) {
    const index = letterIndex(letter);
    if (index < 0) throw bad(`« ${letter} » (chapitre ${code}) n’est pas une lettre de colonne`);
    cols.chapters.set(code, index);
    const role = headerRole(headerRow[index]) ?? headerRole(upperRow?.[index]);
    cols.labels.set(code, role?.t === 'chapter' && role.code === code ? role.label : '');
  }
  // Solde columns (for the report à nouveau row) are not part of a mapping: read from the header.
  headerRow.forEach((v, c) => {
    const role = headerRole(v);
    if (role?.t === 'solde' && cols.solde[role.account] < 0) cols.solde[role.account] = c;
  });
  return { sheet, header, cols, score: 0, notes: [] };
}

// ---------------------------------------------------------------------------------------------
// Rows

function fileProblem(code: string, severity: ImportSeverity, message: string, column: string | null = null) {
  return { row: 0, column, code, severity, message };
}

const REPRISE = /^reprise\b/;
const OPENING =
  /^(?:report a nouveau|a nouveau|ran|r a n|report (?:de l |du )?(?:exercice|solde|annee)|solde (?:au |du |de |d )?(?:(?:1er|1|01|premier) (?:septembre|sept|sep|09)|initial|de depart|depart|d ouverture|ouverture|anterieur|precedent|de l exercice precedent|exercice precedent|debut|en debut|reporte))\b|report a nouveau/;
const TOTAL = /^(?:sous total|total|totaux|report|reporte|a reporter|cumul|cumuls|solde)\b/;
/** First letters of the keywords above: other texts are not normalized (speed). */
const KEYWORD_START = new Set(['t', 's', 'r', 'a', 'à', 'â', 'c']);

/** A text that may start with a total or report à nouveau keyword, normalized; else null. */
function keywordText(v: LegacyValue | undefined): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trimStart();
  if (t === '' || !KEYWORD_START.has(t[0]!.toLowerCase())) return null;
  return normalizeLabel(t);
}

const NO_LEADS: readonly { text: string; column: number }[] = [];

/** The row's libellé and its first non-empty cell (before the libellé or date), as keyword texts. */
function leadTexts(
  row: readonly LegacyValue[],
  libelle: number,
  limit: number,
): readonly { text: string; column: number }[] {
  let out: { text: string; column: number }[] | null = null;
  const lib = keywordText(row[libelle]);
  if (lib !== null) out = [{ text: lib, column: libelle }];
  for (let c = 0; c <= limit && c < row.length; c++) {
    const v = row[c];
    if (isBlank(v)) continue;
    const t = c === libelle ? null : keywordText(v);
    if (t !== null) (out ??= []).push({ text: t, column: c });
    break;
  }
  return out ?? NO_LEADS;
}

interface RowContext {
  cols: Resolved;
  /** Movement columns in a fixed order. */
  moves: { key: MovementKey; index: number }[];
  chapters: { code: string; index: number; chapter: Chapter }[];
  /** The chart the lines are checked with (the department's and the sheet's new chapters). */
  chart: Chapter[];
  /** Every column the reading looks at. */
  mapped: number[];
  /** The columns of the left page other than amounts. */
  textCols: number[];
  /** Normalized texts of the header (and group) rows, by column. */
  headerTexts: Map<number, Set<string>>;
  leadLimit: number;
}

interface RawLine {
  row: number;
  line: LineInput;
  mark: boolean | null;
  problems: ImportProblem[];
  /** Movement columns the line fills (for the problems on its amount). */
  filled: number[];
  /** Chapter columns the line fills. */
  chapterCols: number[];
  /** Reading found the movement unreadable: the rules' own amount messages would repeat it. */
  amountReported: boolean;
  /** The date is a real day. */
  dated: boolean;
}

function isRepeatedHeader(row: readonly LegacyValue[], ctx: RowContext): boolean {
  let matches = 0;
  for (const [c, texts] of ctx.headerTexts) {
    const v = row[c];
    if (typeof v === 'string' && v.trim() !== '' && texts.has(normalizeLabel(v))) matches++;
  }
  return matches >= 2;
}

const DIRECTION_WORD: Record<Direction, string> = { recettes: 'recettes', depenses: 'dépenses' };
const ACCOUNT_WORD: Record<Account, string> = { banque: 'banque', caisse: 'caisse', regie: 'régie' };

function addProblem(
  problems: ImportProblem[],
  row: number,
  code: string,
  severity: ImportSeverity,
  message: string,
  c: number,
): void {
  problems.push({ row, column: c >= 0 ? letterOf(c) : null, code, severity, message });
}

function cellAt(row: readonly LegacyValue[], i: number): LegacyValue | undefined {
  return i >= 0 ? row[i] : undefined;
}

function hasLead(leads: readonly { text: string }[], re: RegExp): boolean {
  for (const l of leads) if (re.test(l.text)) return true;
  return false;
}

/** A total row's text: « Solde … » only without a date or an amount (« Solde facture Dupont »). */
function hasTotalLead(leads: readonly { text: string }[], dated: boolean, hasAmount: boolean): boolean {
  for (const l of leads) {
    if (TOTAL.test(l.text) && (!l.text.startsWith('solde') || !dated || !hasAmount)) return true;
  }
  return false;
}

/**
 * What a row is: a line, or why it is not (blank, repeated header, report à nouveau, total,
 * heading). Fills `values` (date, amounts) for readLine.
 */
function classifyRow(
  row: readonly LegacyValue[],
  ctx: RowContext,
  values: RowValues,
): 'line' | 'blank' | 'header' | 'opening' | 'total' | 'heading' {
  const f = ctx.cols.fields;
  // Amounts first: a formula's 0 left in an empty template row is no content.
  let amountCells = false;
  let hasAmount = false;
  let hasChapter = false;
  for (let k = 0; k < ctx.moves.length; k++) {
    const a = parseLegacyAmount(row[ctx.moves[k]!.index]);
    values.moves[k] = a;
    if (a === null || ('cents' in a && a.cents === 0)) continue;
    amountCells = true;
    if ('cents' in a) hasAmount = true;
  }
  for (let k = 0; k < ctx.chapters.length; k++) {
    const a = parseLegacyAmount(row[ctx.chapters[k]!.index]);
    values.chapters[k] = a;
    if (a === null || ('cents' in a && a.cents === 0)) continue;
    amountCells = true;
    if ('cents' in a) hasChapter = hasAmount = true;
  }
  if (!amountCells) {
    let blank = true;
    for (const c of ctx.textCols) {
      const v = row[c];
      if (!isBlank(v) && v !== 0) {
        blank = false;
        break;
      }
    }
    if (blank) return 'blank';
  }
  const date = parseLegacyDate(row[f.date]);
  values.date = date;
  if (date === null && isRepeatedHeader(row, ctx)) return 'header';
  const leads = leadTexts(row, f.libelle, ctx.leadLimit);
  // A PJ number keeps a row a line; not a keyword written in the PJ column.
  let hasPj = f.pj >= 0 && !isBlank(row[f.pj]);
  if (hasPj) for (const l of leads) if (l.column === f.pj) hasPj = false;
  if (!hasChapter && (hasLead(leads, OPENING) || (!hasPj && hasLead(leads, REPRISE)))) return 'opening';
  if (hasPj) return 'line';
  if (hasTotalLead(leads, date !== null, hasAmount)) return 'total';
  if (hasAmount && date === null && isBlank(row[f.libelle])) return 'total';
  // No date and no readable amount: a heading (« OCTOBRE »), or a row of units (« € »).
  if (!hasAmount && date === null && (!amountCells || isBlank(row[f.libelle]))) return 'heading';
  return 'line';
}

// Imported functions and tables used for every line, bound once: under tsx (how the service
// runs) each use of an imported binding goes through a getter.
const KIND_TABLE = KINDS;
const checkLine = validateLine;
const partOf = signedPart;
const bankLine = touchesBank;
const exerciseOfDate = exerciseOf;
const letterOf = columnLetter;

/** kinds.ts' signatures by the mask of the movement columns they fill (as the workbook's formula). */
const SIGNATURE_BY_MASK = new Map<number, Signature>(SIGNATURES.map((s) => [signatureMask(s), s]));
const MOVE_BIT = Object.fromEntries(MOVEMENT_KEYS.map((k) => [k, movementBit(k)])) as Record<MovementKey, number>;

/** A row's values read once: its date, and the amount of each movement and chapter column. */
interface RowValues {
  date: IsoDate | null;
  moves: (AmountReading | null)[];
  chapters: (AmountReading | null)[];
}

function readLine(row: readonly LegacyValue[], r: number, ctx: RowContext, values: RowValues): RawLine {
  const { cols } = ctx;
  const f = cols.fields;
  // No closures here: this runs for every line (and named closures cost a call each under tsx).
  const problems: ImportProblem[] = [];

  // Movement: the amount in each column it fills (a negative one reads as the other direction).
  const cells: Partial<Record<MovementKey, Cents>> = {};
  const filledKeys: MovementKey[] = [];
  let mask = 0;
  const filled: number[] = [];
  let amountReported = false;
  for (let i = 0; i < ctx.moves.length; i++) {
    const { key, index } = ctx.moves[i]!;
    const a = values.moves[i]!;
    if (a === null) continue;
    if ('error' in a) {
      addProblem(problems, r, 'montant_invalide', 'error', a.error, index);
      amountReported = true;
      continue;
    }
    if (a.cents === 0) continue;
    let k = key;
    let cents = a.cents;
    if (cents < 0) {
      const [account, direction] = key.split('_') as [Account, Direction];
      const other: Direction = direction === 'recettes' ? 'depenses' : 'recettes';
      k = `${account}_${other}`;
      cents = -cents;
      addProblem(
        problems,
        r,
        'montant_negatif_inverse',
        'warning',
        `Montant négatif en ${DIRECTION_WORD[direction]} ${ACCOUNT_WORD[account]} : lu comme ${other === 'recettes' ? 'une recette' : 'une dépense'} de ${formatEuros(cents)}.`,
        index,
      );
    }
    if (a.rounded) {
      addProblem(
        problems,
        r,
        'montant_arrondi',
        'warning',
        `Montant arrondi au centime : ${formatEuros(cents)}.`,
        index,
      );
    }
    if (cells[k] !== undefined) {
      addProblem(
        problems,
        r,
        'mouvement_multiple',
        'error',
        'Deux montants dans le même sens sur le même compte.',
        index,
      );
      amountReported = true;
      continue;
    }
    cells[k] = cents;
    filledKeys.push(k);
    mask |= MOVE_BIT[k];
    filled.push(index);
  }

  // Ventilation: the chapter columns, as written (a charge positive, an avoir negative).
  const parts: VentilationPart[] = [];
  const chapterCols: number[] = [];
  for (let i = 0; i < ctx.chapters.length; i++) {
    const { code, index } = ctx.chapters[i]!;
    const a = values.chapters[i]!;
    if (a === null) continue;
    if ('error' in a) {
      addProblem(problems, r, 'ventilation_illisible', 'error', a.error, index);
      continue;
    }
    if (a.cents === 0) continue;
    if (a.rounded) {
      addProblem(
        problems,
        r,
        'montant_arrondi',
        'warning',
        `Part du chapitre ${code} arrondie au centime : ${formatEuros(a.cents)}.`,
        index,
      );
    }
    parts.push({ chapter: code, amount: a.cents });
    chapterCols.push(index);
  }

  const signature = SIGNATURE_BY_MASK.get(mask) ?? null;
  const amounts = filledKeys.map((k) => cells[k]!);
  let kind: LineKind;
  let account: Account;
  let amount: Cents;
  if (signature) {
    kind = signature.kind;
    account = signature.account;
    amount = amounts[0]!;
    if (amounts.some((a) => a !== amounts[0])) {
      addProblem(
        problems,
        r,
        'mouvement_multiple',
        'error',
        `Les deux montants d’une ligne « ${KIND_TABLE[kind].label} » doivent être égaux (${amounts.map(formatEuros).join(' et ')}).`,
        filled[0]!,
      );
      amountReported = true;
    }
  } else {
    // No known operation: a recette or a dépense after its chapters, on the first column filled.
    const firstKey = MOVEMENT_KEYS.find((k) => cells[k] !== undefined);
    const sideKind: LineKind = parts.some((p) => p.chapter.startsWith('7')) ? 'recette' : 'depense';
    if (firstKey) {
      const [a, d] = firstKey.split('_') as [Account, Direction];
      kind = d === 'recettes' ? 'recette' : 'depense';
      account = a === 'regie' && kind === 'recette' ? 'banque' : a;
      amount = cells[firstKey]!;
      addProblem(
        problems,
        r,
        filled.length > 1 ? 'mouvement_multiple' : 'mouvement_incomplet',
        'error',
        filled.length > 1
          ? 'Un montant par ligne : en banque, en caisse ou en régie (ou les deux colonnes d’un dépôt, d’un retrait ou d’une régie).'
          : 'Une avance de régie se verse depuis la banque ou la caisse : indiquez aussi sa dépense.',
        filled[0] ?? -1,
      );
    } else {
      kind = sideKind;
      account = 'banque';
      amount = 0;
      if (!amountReported) {
        addProblem(
          problems,
          r,
          'mouvement_absent',
          'error',
          'Aucun montant en banque ou en caisse sur cette ligne.',
          ctx.moves[0]?.index ?? -1,
        );
      }
    }
    amountReported = true;
  }

  // Ventilation automatique (a chapter chosen from a list, the chapter columns not computed).
  if (parts.length === 0 && KIND_TABLE[kind].ventilated && f.chapterChoice >= 0 && amount > 0) {
    const code = chapterCodeFromChoice(cellAt(row, f.chapterChoice));
    const chapter = code ? findChapter(ctx.chart, code) : undefined;
    if (chapter) {
      parts.push({ chapter: chapter.code, amount: chapter.side === KIND_TABLE[kind].side ? amount : -amount });
      chapterCols.push(f.chapterChoice);
    } else if (code) {
      parts.push({ chapter: code, amount });
      chapterCols.push(f.chapterChoice);
    }
  }

  // Sheets that write every amount positive: the chapter's side gives the sign of its part.
  if (KIND_TABLE[kind].ventilated && parts.length) {
    const chart = ctx.chart;
    const line = { kind };
    let asWritten = 0;
    for (const p of parts) asWritten += partOf(line, p, chart);
    if (asWritten !== amount) {
      const side = KIND_TABLE[kind].side;
      const sided = parts.map((p) => {
        const ch = findChapter(chart, p.chapter);
        const abs = Math.abs(p.amount);
        return { chapter: p.chapter, amount: !ch || ch.side === side ? abs : -abs };
      });
      let bySide = 0;
      for (const p of sided) bySide += partOf(line, p, chart);
      if (bySide === amount) parts.splice(0, parts.length, ...sided);
    }
  }

  // Cheque and mode.
  let mode: Mode | null = null;
  let cheque: string | null = null;
  if (f.mode >= 0 && !isBlank(cellAt(row, f.mode))) {
    mode = parseLegacyMode(cellAt(row, f.mode));
    if (!mode)
      addProblem(
        problems,
        r,
        'mode_illisible',
        'warning',
        `Mode de paiement « ${cellText(cellAt(row, f.mode))} » inconnu : ignoré.`,
        f.mode,
      );
  }
  const chq = parseLegacyCheque(cellAt(row, f.cheque));
  if (chq) {
    if ('cheque' in chq) {
      cheque = chq.cheque;
      if (!mode) mode = 'cheque';
    } else if ('mode' in chq) {
      if (!mode) mode = chq.mode;
    } else {
      addProblem(
        problems,
        r,
        'cheque_illisible',
        'warning',
        `« ${chq.text} » n’est pas un numéro de chèque : ignoré.`,
        f.cheque,
      );
    }
  }

  const dateRaw = cellAt(row, f.date);
  const date = values.date;
  const pjRaw = cellAt(row, f.pj);
  const holder = cellText(cellAt(row, f.holder));
  const action = cellText(cellAt(row, f.action));
  const line: LineInput = {
    pj: pjRaw === undefined ? '' : cellText(pjRaw),
    date: date ?? cellText(dateRaw),
    libelle: cellText(cellAt(row, f.libelle)),
    mode,
    cheque,
    action: action || null,
    kind,
    account,
    amount,
    ventilation: parts,
    holder: holder || null,
  };

  let mark: boolean | null = false;
  if (f.pointage >= 0) {
    mark = parseLegacyMark(cellAt(row, f.pointage));
    if (mark === null) {
      addProblem(
        problems,
        r,
        'pointage_illisible',
        'warning',
        `Marque de pointage « ${cellText(cellAt(row, f.pointage))} » non reconnue : ligne non pointée.`,
        f.pointage,
      );
    } else if (mark && !bankLine(line)) {
      addProblem(
        problems,
        r,
        'pointage_hors_banque',
        'warning',
        'Ligne cochée sans mouvement en banque : le pointage ne concerne que la banque, il est ignoré.',
        f.pointage,
      );
      mark = false;
    }
  }
  return { row: r, line, mark, problems, filled, chapterCols, amountReported, dated: date !== null };
}

/** The column letter of a rule's problem: the field's column, the chapter's, the amount's. */
function problemColumn(p: Problem, raw: RawLine, ctx: RowContext): string | null {
  const f = ctx.cols.fields;
  const pick = (...indexes: (number | undefined)[]) => {
    for (const i of indexes) if (i !== undefined && i >= 0) return columnLetter(i);
    return null;
  };
  const field: LineField = p.field;
  switch (field) {
    case 'pj':
    case 'date':
    case 'libelle':
    case 'cheque':
    case 'action':
    case 'holder':
      return pick(f[field]);
    case 'mode':
      return pick(f.mode, f.cheque);
    case 'amount':
    case 'account':
    case 'kind':
      return pick(raw.filled[0], ctx.moves[0]?.index);
    case 'ventilation':
      return pick(
        p.chapter !== undefined ? ctx.cols.chapters.get(p.chapter) : undefined,
        raw.chapterCols[0],
        f.chapterChoice,
        ctx.chapters[0]?.index,
      );
    default:
      return null;
  }
}

/** Opening balances read from the report à nouveau row: recette (or dépense, negative) or solde. */
function openingFrom(row: readonly LegacyValue[], ctx: RowContext): { banque: Cents; caisse: Cents } {
  const value = (i: number | undefined) => {
    if (i === undefined || i < 0) return null;
    const a = parseLegacyAmount(row[i]);
    return a && !('error' in a) && a.cents !== 0 ? a.cents : null;
  };
  const balance = (account: 'banque' | 'caisse') => {
    const m = ctx.cols.moves;
    const rec = value(m[`${account}_recettes`]);
    if (rec !== null) return rec;
    const dep = value(m[`${account}_depenses`]);
    if (dep !== null) return -dep;
    return value(ctx.cols.solde[account]) ?? 0;
  };
  return { banque: balance('banque'), caisse: balance('caisse') };
}

const OPENING_LABEL = /^(?:report a nouveau|solde (?:au )?(?:1er |1 |01 )?(?:septembre|initial|d ouverture))/;
const COOP_LABEL = /\b(?:affiliation|n coop|numero de la coop|n de la coop|numero coop|code coop|n occe)/;
/** The title of the cahier this product writes: « … report à nouveau : banque 1234.00 €, caisse 56.00 € ». */
const TITLE_OPENING =
  /report [àa] nouveau\s*:?\s*banque\s*(-?[\d\s\u00a0\u202f.,]*\d)\s*€?\s*,?\s*caisse\s*(-?[\d\s\u00a0\u202f.,]*\d)/i;

/**
 * What the other sheets say (the cahier this product writes keeps them on « Coopérative »):
 * « Report à nouveau – banque » / « – caisse » beside their amounts, the coop's number beside
 * « N° d'affiliation ».
 */
function sideFacts(
  workbook: LegacyWorkbook,
  table: LegacySheet,
  header: number,
): { opening: Partial<Record<'banque' | 'caisse', Cents>>; coop: string | null } {
  const opening: Partial<Record<'banque' | 'caisse', Cents>> = {};
  let coop: string | null = null;
  for (const sheet of workbook.sheets) {
    // The table's sheet above its header; the other sheets' first rows.
    const limit = Math.min(sheet.rows.length, sheet === table ? header : 60);
    for (let r = 0; r < limit; r++) {
      const row = sheet.rows[r] ?? [];
      for (let c = 0; c < row.length && c < 12; c++) {
        const v = row[c];
        if (typeof v !== 'string' || v.trim() === '') continue;
        const n = normalizeLabel(v);
        const opens = OPENING_LABEL.test(n);
        if (!opens && (coop || !COOP_LABEL.test(n))) continue;
        const next = row.slice(c + 1).find((x) => !isBlank(x));
        if (opens) {
          const account = n.includes('caisse') ? 'caisse' : n.includes('banque') ? 'banque' : null;
          const a = parseLegacyAmount(next);
          if (account && opening[account] === undefined && a && 'cents' in a) opening[account] = a.cents;
        } else if (next !== undefined) {
          coop = coopFromText(cellText(next));
        }
      }
    }
  }
  return { opening, coop };
}

// ---------------------------------------------------------------------------------------------
// The reading

/**
 * Reads a legacy workbook's grid: finds the table (or applies `options.mapping`), classifies its
 * rows, reads every real line and checks it with the cahier's rules. Throws a `LegacyReadError`
 * when no table can be found.
 */
export function readLegacy(workbook: LegacyWorkbook, options: LegacyReadOptions): LegacyReading {
  const found = options.mapping ? fromMapping(workbook, options.mapping) : detect(workbook);
  if (!found) {
    const names = workbook.sheets.map((s) => `« ${s.name} »`).join(', ') || 'aucune';
    throw new LegacyReadError(
      'entete_introuvable',
      `Aucun tableau d’écritures trouvé dans « ${workbook.file} » (feuilles : ${names}) : il faut une ligne d’en-tête avec au moins une date, un libellé et une colonne banque ou caisse. Indiquez les colonnes par une correspondance enregistrée.`,
    );
  }
  const { sheet, header, cols } = found;
  const fileProblems: ImportProblem[] = [...found.notes];

  // The chart the lines are checked with: the department's, plus the sheet's unknown codes.
  const chart: Chapter[] = [...options.chart];
  const newChapters: { code: string; label: string }[] = [];
  const chapters: RowContext['chapters'] = [];
  for (const [code, index] of cols.chapters) {
    let chapter = findChapter(chart, code);
    if (!chapter) {
      const label = chapterLabel(cols.labels.get(code) ?? '', code);
      chapter = {
        code,
        side: code.startsWith('6') ? 'charge' : 'produit',
        label,
        description: 'Chapitre ajouté à l’import d’un ancien cahier.',
      };
      chart.push(chapter);
      newChapters.push({ code, label });
    }
    chapters.push({ code, index, chapter });
  }

  const moves = MOVEMENT_KEYS.flatMap((key) => {
    const index = cols.moves[key];
    return index === undefined ? [] : [{ key, index }];
  });
  const mapped = [
    ...Object.values(cols.fields).filter((i) => i >= 0),
    ...moves.map((m) => m.index),
    ...chapters.map((c) => c.index),
  ];
  const headerTexts = new Map<number, Set<string>>();
  for (const r of [header, header - 1]) {
    const row = sheet.rows[r];
    if (!row) continue;
    for (const c of mapped) {
      const v = row[c];
      if (typeof v !== 'string' || v.trim() === '') continue;
      const set = headerTexts.get(c) ?? new Set<string>();
      set.add(normalizeLabel(v));
      headerTexts.set(c, set);
    }
  }
  const ctx: RowContext = {
    cols,
    moves,
    chapters,
    chart,
    mapped,
    textCols: Object.values(cols.fields).filter((i) => i >= 0),
    headerTexts,
    leadLimit: Math.max(cols.fields.libelle, cols.fields.date),
  };

  // Classify the rows.
  const skipped: SkippedRow[] = [];
  const blanks: number[] = [];
  const raws: RawLine[] = [];
  let opening: { banque: Cents; caisse: Cents } | null = null;
  let lastContent = header + 1;
  const f = cols.fields;
  // Filled again for each row (read at once by readLine).
  const values: RowValues = { date: null, moves: [], chapters: [] };
  for (let i = header + 1; i < sheet.rows.length; i++) {
    const row = sheet.rows[i];
    const r = i + 1;
    const kind = row ? classifyRow(row, ctx, values) : 'blank';
    if (kind === 'line') {
      raws.push(readLine(row!, r, ctx, values));
      lastContent = r;
      continue;
    }
    if (kind === 'blank') {
      blanks.push(r);
      continue;
    }
    lastContent = r;
    if (kind === 'opening' && opening) {
      skipped.push({ row: r, reason: SKIP_REASONS.openingAgain });
      fileProblems.push({
        row: r,
        column: columnLetter(f.libelle),
        code: 'report_en_double',
        severity: 'warning',
        message: 'Un second report à nouveau : seul le premier donne les soldes d’ouverture.',
      });
      continue;
    }
    if (kind === 'opening') opening = openingFrom(row!, ctx);
    skipped.push({ row: r, reason: SKIP_REASONS[kind] });
  }
  const lastLine = raws.length ? raws[raws.length - 1]!.row : lastContent;
  for (const r of blanks) if (r < lastLine) skipped.push({ row: r, reason: SKIP_REASONS.blank });
  skipped.sort((a, b) => a.row - b.row);

  // Title cells: above the header row.
  const titles: string[] = [];
  for (let i = 0; i < header; i++) {
    for (const v of sheet.rows[i] ?? []) if (typeof v === 'string' && v.trim() !== '') titles.push(v);
  }

  // The exercise: given, else the dates' (most lines), else the title's.
  let year: number | null = options.year ?? null;
  if (year === null) {
    const counts = new Map<number, number>();
    for (const raw of raws) {
      if (raw.dated) {
        const y = exerciseOfDate(raw.line.date);
        counts.set(y, (counts.get(y) ?? 0) + 1);
      }
    }
    let best = 0;
    for (const [y, n] of counts) if (n > best || (n === best && year !== null && y < year)) [year, best] = [y, n];
  }
  if (year === null) {
    for (const t of [...titles, sheet.name]) {
      year = yearFromText(t);
      if (year !== null) break;
    }
  }

  const side = sideFacts(workbook, sheet, header);
  let coop: string | null = null;
  for (const t of titles) {
    coop = coopFromText(t);
    if (coop) break;
  }
  coop ??= side.coop;
  if (!opening) {
    opening = { banque: side.opening.banque ?? 0, caisse: side.opening.caisse ?? 0 };
    if (side.opening.banque === undefined && side.opening.caisse === undefined) {
      for (const t of titles) {
        const m = TITLE_OPENING.exec(t);
        if (!m) continue;
        const b = parseLegacyAmount(m[1]!.trim());
        const c = parseLegacyAmount(m[2]!.trim());
        if (b && !('error' in b) && c && !('error' in c)) opening = { banque: b.cents, caisse: c.cents };
        break;
      }
    }
  }

  // PJ numbers given in order when the sheet has none.
  if (raws.length && raws.every((l) => l.line.pj === '')) {
    const width = raws.length > 99 ? 3 : 2;
    raws.forEach((l, i) => (l.line.pj = formatPj(i + 1, width)));
    fileProblems.push(
      fileProblem(
        'pj_numerotees',
        'warning',
        `La feuille n’a pas de N° de pièce : les lignes sont numérotées dans l’ordre (${formatPj(1, width)} à ${formatPj(raws.length, width)}).`,
        f.pj >= 0 ? columnLetter(f.pj) : null,
      ),
    );
  }

  // The cahier's own rules, each problem on its cell.
  const seenPj = new Set<string>();
  const pjTaken = (p: string) => seenPj.has(p);
  const rules = year === null ? null : { exercise: year, chart, pjTaken };
  const lines: LegacyLine[] = raws.map((raw) => {
    const pj = raw.line.pj.trim();
    const ruled = checkLine(
      raw.line,
      rules ?? { exercise: raw.dated ? exerciseOfDate(raw.line.date) : 2000, chart, pjTaken },
    );
    if (pj) seenPj.add(pj);
    const problems = raw.problems;
    for (const p of ruled) {
      if (raw.amountReported && p.field === 'amount') continue;
      problems.push({
        row: raw.row,
        column: problemColumn(p, raw, ctx),
        code: p.code,
        severity: p.severity,
        message: p.message,
      });
    }
    return { row: raw.row, line: raw.line, pointed: raw.mark === true, problems };
  });

  return {
    sheet: sheet.name,
    mapping: options.mapping ?? toMapping(found),
    coop,
    year,
    openingBalances: opening,
    lines,
    skippedRows: skipped,
    newChapters,
    problems: fileProblems,
  };
}
