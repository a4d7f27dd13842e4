/**
 * Pointage assisté: matching the lines of a bank statement against the cahier's unpointed bank
 * lines, and turning the statement lines nobody entered (fees, interest, direct debits,
 * transfers received) into proposed cahier lines with a chapter learnt from the coop's own
 * earlier lines. Pure functions over plain values: the service and the add-in call them.
 *
 * How a pair (statement line, cahier line) is judged:
 * - only equal signed amounts pair up (a credit with a receipt, a debit with an expense);
 * - the date must fall in a window: a cheque is cashed days or weeks after it is written
 *   (60 days by default), a card payment, transfer or direct debit within a few days (5); a
 *   bank operation is never dated more than 2 days BEFORE the cahier line;
 * - an equal cheque number makes the pair certain, a different one makes it doubtful;
 * - the payment mode read from the bank label (CB, PRLV, VIR, CHQ, REM) agreeing or not;
 * - the similarity of the labels (normalised words) only breaks ties.
 * Competing pairs are assigned globally, not in file order: equal cheque numbers first, then the
 * nearest dates, then the closest labels.
 */
import { DEFAULT_CHART, findChapter, type Chart } from './chapters';
import { dateToSerial, formatDateFr, type IsoDate } from './dates';
import { KINDS, movementCells, type LineKind, type Mode } from './kinds';
import type { LineInput } from './line';
import { formatEuros, type Cents } from './money';
import type { StatementLine } from './statements';

export type LineStatus = 'draft' | 'validated';

/** A cahier line as matching needs it: a LineInput (or part of it) with its id, status and pointage. */
export type MatchableLine = Pick<
  LineInput,
  'pj' | 'date' | 'libelle' | 'amount' | 'kind' | 'account' | 'mode' | 'cheque'
> & {
  id: string;
  status: LineStatus;
  pointed?: boolean;
};

/** An earlier line of the coop (this exercise or a previous one), to learn chapters from. */
export type HistoryLine = Pick<LineInput, 'libelle' | 'kind' | 'account' | 'amount' | 'ventilation'> & {
  date?: IsoDate;
  status?: LineStatus;
};

export interface MatchOptions {
  /** Earlier lines of the coop, for the chapter suggested to unmatched statement lines. */
  history?: readonly HistoryLine[];
  /** The chart the suggested chapters must belong to (default chart otherwise). */
  chart?: Chart;
  /** How long after it is written a cheque may be cashed (days, default 60). */
  chequeWindowDays?: number;
  /** How long after the cahier date a card payment, transfer or direct debit may reach the bank (default 5). */
  otherWindowDays?: number;
  /** How many days BEFORE the cahier line a bank operation may be dated (default 2). */
  earlyDays?: number;
  /** The window within which the only candidate of its amount is certain (default 3). */
  certainWindowDays?: number;
}

export interface ProposedMatchLine {
  id: string;
  pj: string;
}

export interface Proposal {
  /** Index of the statement line in the array given. */
  statementIndex: number;
  statementLine: StatementLine;
  /** One line, or several cheque receipts for a remise de chèques. */
  type: 'ligne' | 'remise';
  lines: ProposedMatchLine[];
  /** 0 (doubtful) … 1 (sure). */
  score: number;
  /**
   * Pointable without looking: the same cheque number (and no other line or statement line with
   * it), or — for a card payment, transfer or direct debit of the same mode — the only line of
   * that amount within a few days, wanted by no other statement line. Cheques without a number
   * and remises are never certain.
   */
  certain: boolean;
  /** Why, in French ("même montant", "chèque n° 4500201", "débité 19 jours après"…). */
  reasons: string[];
}

/** The chapter (and kind) learnt from the coop's earlier lines with a similar label. */
export interface ChapterSuggestion {
  kind: LineKind;
  /** Null for an internal operation (dépôt, retrait, régie), which is not ventilated. */
  chapter: string | null;
  /** How many of the most similar earlier lines went this way, out of how many. */
  support: number;
  among: number;
  /** The libellé of the most similar earlier line. */
  example: string;
  /** French, e.g. "comme « Frais de tenue de compte » (3 lignes sur 3)". */
  reason: string;
}

export interface Unmatched {
  statementIndex: number;
  statementLine: StatementLine;
  /**
   * The cahier line to create, pre-filled from the statement (PJ left empty for the caller). With a
   * suggestion, it carries the suggested kind and chapter and passes validateLine but for the PJ.
   */
  proposed: LineInput;
  suggestion: ChapterSuggestion | null;
}

export interface MatchResult {
  proposals: Proposal[];
  unmatched: Unmatched[];
  /** Statement lines of a nil amount (information lines): neither matched nor proposed. */
  ignored: number[];
}

const DEFAULTS = {
  chequeWindowDays: 60,
  otherWindowDays: 5,
  earlyDays: 2,
  certainWindowDays: 3,
} as const;

/** Remise de chèques search bounds. */
const REMISE_MAX_CANDIDATES = 25;
const REMISE_MAX_CHEQUES = 12;
const REMISE_NODE_BUDGET = 20_000;

/** Minimal label similarity for an earlier line to inform a suggestion. */
const SUGGESTION_MIN_SIMILARITY = 0.5;
/** Lines within this much of the best similarity count as "the most similar". */
const SUGGESTION_POOL_SPREAD = 0.1;

// ---------------------------------------------------------------------------------------------
// Amounts on the bank

/** The signed effect of a cahier line on the bank account: receipts +, expenses −, 0 off the bank. */
export function bankAmount(line: Pick<LineInput, 'kind' | 'account' | 'amount'>): Cents {
  const cells = movementCells(line.kind, line.account, line.amount);
  return (cells.banque_recettes ?? 0) - (cells.banque_depenses ?? 0);
}

function isCandidate(line: MatchableLine): boolean {
  return line.status === 'validated' && !line.pointed && bankAmount(line) !== 0;
}

// ---------------------------------------------------------------------------------------------
// Labels

/** Words banks put in front of or inside labels, which say nothing of who or what. */
const BANK_WORDS = new Set([
  'cb',
  'carte',
  'paiement',
  'prlv',
  'prelev',
  'prelevement',
  'sepa',
  'vir',
  'virt',
  'virement',
  'recu',
  'emis',
  'inst',
  'instantane',
  'chq',
  'cheque',
  'cheques',
  'rem',
  'remise',
  'ref',
  'motif',
  'ech',
  'mandat',
  'ics',
  'rum',
]);
const STOP_WORDS = new Set([
  'de',
  'du',
  'des',
  'la',
  'le',
  'les',
  'et',
  'au',
  'aux',
  'pour',
  'par',
  'en',
  'sur',
  'un',
  'une',
  'no',
]);

function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** A token that is a date, an amount, a card number or a reference rather than a word. */
function isNoise(token: string): boolean {
  return token === '' || /\d/.test(token) || /^x+$/.test(token);
}

/**
 * The normalised words of a label: lower case, accents removed, bank prefixes (CB, PRLV, VIR,
 * CHQ, REM…), dates, card numbers, references and small words dropped.
 * "PRLV SEPA MAIF 12/10 X4971" → ["maif"].
 */
export function labelWords(text: string): string[] {
  const out: string[] = [];
  for (const token of fold(text).split(/[^a-z0-9]+/)) {
    if (token.length < 2 || isNoise(token) || BANK_WORDS.has(token) || STOP_WORDS.has(token)) continue;
    if (!out.includes(token)) out.push(token);
  }
  return out;
}

function wordsMatch(a: string, b: string): boolean {
  // Banks truncate labels: "PEPINIERES DUPO" is "Pépinières Dupont".
  return a === b || (a.length >= 4 && b.length >= 4 && (a.startsWith(b) || b.startsWith(a)));
}

/** Similarity of two word lists, 0 … 1 (share of the words of each found in the other). */
export function labelSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let found = 0;
  for (const x of a) if (b.some((y) => wordsMatch(x, y))) found++;
  for (const y of b) if (a.some((x) => wordsMatch(x, y))) found++;
  return found / (a.length + b.length);
}

/**
 * The payment mode a bank label announces: CB/CARTE → carte, PRLV → prélèvement, VIR →
 * virement, CHQ/CHEQUE → chèque, REM/REMISE (a remise de chèques) → chèque; else null.
 */
export function modeFromBankLabel(label: string, cheque?: string | null): Mode | null {
  const tokens = fold(label)
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '')
    .slice(0, 3);
  for (const t of tokens) {
    if (t === 'cb' || t === 'carte') return 'carte';
    if (t === 'prlv' || t === 'prelev' || t === 'prelevement') return 'prelevement';
    if (t === 'vir' || t === 'virt' || t === 'virement') return 'virement';
    if (t === 'chq' || t === 'cheque' || t === 'cheques' || t === 'rem' || t === 'remise') return 'cheque';
  }
  return cheque ? 'cheque' : null;
}

/** The bank label without its prefixes, dates, card numbers and references: a libellé. */
export function cleanBankLabel(label: string): string {
  const kept = label
    .split(/[\s/]+/)
    .filter((token) => {
      const t = fold(token).replace(/[^a-z0-9]/g, '');
      return !isNoise(t) && !BANK_WORDS.has(t) && !/^[:\-–.]+$/.test(token);
    })
    .map((token) => token.replace(/^:+|:+$/g, ''));
  while (kept.length > 0 && STOP_WORDS.has(fold(kept[0]!))) kept.shift();
  while (kept.length > 0 && STOP_WORDS.has(fold(kept[kept.length - 1]!))) kept.pop();
  const text = kept.join(' ').trim();
  return text === '' ? label.trim() : text;
}

// ---------------------------------------------------------------------------------------------
// Pairs

interface Candidate {
  line: MatchableLine;
  order: number;
  serial: number;
  amount: Cents;
  words: string[];
}

interface Pair {
  s: number;
  c: Candidate;
  /** Statement date − cahier date, in days. */
  delta: number;
  chequeState: 'equal' | 'different' | 'unknown';
  modeState: 'same' | 'conflict' | 'unknown';
  chequeLike: boolean;
  similarity: number;
  score: number;
}

interface StatementInfo {
  line: StatementLine;
  serial: number;
  mode: Mode | null;
  words: string[];
}

function normCheque(value: string | null | undefined): string | null {
  const digits = (value ?? '').replace(/\D/g, '').replace(/^0+/, '');
  return digits === '' ? null : digits;
}

function days(n: number): string {
  return `${n} jour${n > 1 ? 's' : ''}`;
}

function dateReason(delta: number, credit: boolean): string {
  if (delta === 0) return 'même date';
  const verb = credit ? 'crédité' : 'débité';
  return delta > 0 ? `${verb} ${days(delta)} après` : `${verb} ${days(-delta)} avant la date du cahier`;
}

const MODE_WORDS: Record<Mode, string> = {
  cheque: 'chèque',
  virement: 'virement',
  especes: 'espèces',
  carte: 'carte',
  prelevement: 'prélèvement',
};

function round2(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;
}

function makePair(s: number, st: StatementInfo, c: Candidate, o: Required<WindowOptions>): Pair | null {
  const delta = st.serial - c.serial;
  const sCheque = normCheque(st.line.cheque);
  const cCheque = normCheque(c.line.cheque);
  const chequeLike = c.line.mode === 'cheque' || cCheque !== null || st.mode === 'cheque';
  const window = chequeLike ? o.chequeWindowDays : o.otherWindowDays;
  if (delta < -o.earlyDays || delta > window) return null;
  const chequeState = sCheque && cCheque ? (sCheque === cCheque ? 'equal' : 'different') : 'unknown';
  const cMode = c.line.mode ?? null;
  const modeState = st.mode && cMode ? (st.mode === cMode ? 'same' : 'conflict') : 'unknown';
  const similarity = labelSimilarity(st.words, c.words);
  let score = 0.45;
  if (chequeState === 'equal') score += 0.3;
  if (chequeState === 'different') score -= 0.25;
  if (modeState === 'same') score += 0.05;
  if (modeState === 'conflict') score -= 0.1;
  score += 0.12 * (1 - Math.min(Math.abs(delta), window) / window);
  score += 0.08 * similarity;
  return { s, c, delta, chequeState, modeState, chequeLike, similarity, score: round2(score) };
}

type WindowOptions = Pick<MatchOptions, 'chequeWindowDays' | 'otherWindowDays' | 'earlyDays' | 'certainWindowDays'>;

function tier(p: Pair): number {
  if (p.chequeState === 'equal') return 0;
  if (p.chequeState === 'different' || p.modeState === 'conflict') return 2;
  return 1;
}

/** The order in which competing pairs are assigned: cheque number, nearest date, closest label. */
function comparePairs(a: Pair, b: Pair): number {
  return (
    tier(a) - tier(b) ||
    Math.abs(a.delta) - Math.abs(b.delta) ||
    b.similarity - a.similarity ||
    b.delta - a.delta || // at equal distance, a bank date after the cahier's is the usual case
    a.s - b.s ||
    a.c.order - b.c.order
  );
}

function pairReasons(p: Pair, st: StatementInfo, unique: boolean, certainWindow: number): string[] {
  const reasons = ['même montant'];
  const cheque = normCheque(p.c.line.cheque);
  if (p.chequeState === 'equal') reasons.push(`chèque n° ${p.c.line.cheque?.trim() ?? cheque}`);
  if (p.chequeState === 'different') {
    reasons.push(`numéro de chèque différent (${st.line.cheque ?? ''} au relevé, ${p.c.line.cheque ?? ''} au cahier)`);
  }
  reasons.push(dateReason(p.delta, st.line.amount > 0));
  if (p.modeState === 'same' && p.c.line.mode) reasons.push(`même mode (${MODE_WORDS[p.c.line.mode]})`);
  if (p.modeState === 'conflict' && st.mode && p.c.line.mode) {
    reasons.push(`mode différent (${MODE_WORDS[st.mode]} au relevé, ${MODE_WORDS[p.c.line.mode]} au cahier)`);
  }
  if (p.similarity >= 0.5) reasons.push('libellé proche');
  if (unique) reasons.push(`seule ligne de ce montant à ${days(certainWindow)} près`);
  return reasons;
}

// ---------------------------------------------------------------------------------------------
// Remise de chèques: several cheque receipts deposited together, one credit on the statement

interface RemiseChoice {
  picks: Candidate[];
  distance: number;
}

/**
 * The smallest set of cheque receipts whose sum is exactly `target`, then the nearest in date
 * (least total distance). Bounded: the `REMISE_MAX_CANDIDATES` nearest receipts, at most
 * `REMISE_MAX_CHEQUES` cheques, `REMISE_NODE_BUDGET` steps of search.
 */
function findRemise(target: Cents, pool: { c: Candidate; distance: number }[]): RemiseChoice | null {
  const items = [...pool]
    .sort((a, b) => a.distance - b.distance || a.c.order - b.c.order)
    .slice(0, REMISE_MAX_CANDIDATES)
    .sort((a, b) => b.c.amount - a.c.amount || a.distance - b.distance || a.c.order - b.c.order);
  const n = items.length;
  const amounts = items.map((x) => x.c.amount);
  // prefix[i] = sum of amounts[0..i-1]
  const prefix = [0];
  for (const a of amounts) prefix.push(prefix[prefix.length - 1]! + a);
  const sum = (from: number, to: number) => prefix[to]! - prefix[from]!;
  let budget = REMISE_NODE_BUDGET;

  for (let k = 2; k <= Math.min(REMISE_MAX_CHEQUES, n); k++) {
    let best: { idx: number[]; distance: number } | null = null;
    const chosen: number[] = [];
    const dfs = (start: number, left: number, rest: Cents, distance: number): void => {
      if (budget <= 0) return;
      budget--;
      if (left === 0) {
        if (rest === 0 && (best === null || distance < best.distance)) best = { idx: [...chosen], distance };
        return;
      }
      for (let i = start; i <= n - left; i++) {
        // Sorted by amount, largest first: the next `left` items are the most we can still add,
        // the last `left` items the least.
        if (sum(i, i + left) < rest) return;
        if (sum(n - left, n) > rest) return;
        if (amounts[i]! > rest) continue;
        chosen.push(i);
        dfs(i + 1, left - 1, rest - amounts[i]!, distance + items[i]!.distance);
        chosen.pop();
        if (budget <= 0) return;
      }
    };
    dfs(0, k, target, 0);
    const found = best as { idx: number[]; distance: number } | null;
    if (found) return { picks: found.idx.map((i) => items[i]!.c), distance: found.distance };
    if (budget <= 0) return null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Chapter suggestions from the coop's history

interface HistoryEntry {
  line: HistoryLine;
  words: string[];
  direction: number;
  kind: LineKind;
  chapter: string | null;
}

/** +1 money in, −1 money out (on the bank, or for ventilated lines on any account). */
function direction(line: Pick<LineInput, 'kind' | 'account' | 'amount'>): number {
  const bank = bankAmount(line);
  if (bank !== 0) return Math.sign(bank);
  if (line.kind === 'recette') return 1;
  if (line.kind === 'depense') return -1;
  return 0;
}

function mainChapter(line: HistoryLine, chart: Chart): string | null | undefined {
  const kind = KINDS[line.kind];
  if (!kind.ventilated) return null;
  let best: { chapter: string; amount: Cents } | null = null;
  for (const part of line.ventilation) {
    const chapter = findChapter(chart, part.chapter);
    if (!chapter || chapter.side !== kind.side || part.amount <= 0) continue;
    if (!best || part.amount > best.amount) best = { chapter: chapter.code, amount: part.amount };
  }
  return best?.chapter; // undefined: nothing usable (an avoir only, chapters off the chart)
}

function wordKey(word: string): string {
  return word.slice(0, 4);
}

class HistoryIndex {
  private readonly entries: HistoryEntry[] = [];
  private readonly byWord = new Map<string, number[]>();

  constructor(history: readonly HistoryLine[], chart: Chart) {
    for (const line of history) {
      if (line.status === 'draft' || !KINDS[line.kind]) continue;
      const dir = direction(line);
      const chapter = mainChapter(line, chart);
      if (dir === 0 || chapter === undefined) continue;
      // Internal operations teach their kind only when they touch the bank.
      if (chapter === null && bankAmount(line) === 0) continue;
      const kind: LineKind = KINDS[line.kind].ventilated ? (dir > 0 ? 'recette' : 'depense') : line.kind;
      const words = labelWords(line.libelle);
      if (words.length === 0) continue;
      const i = this.entries.push({ line, words, direction: dir, kind, chapter }) - 1;
      for (const key of new Set(words.map(wordKey))) {
        const list = this.byWord.get(key);
        if (list) list.push(i);
        else this.byWord.set(key, [i]);
      }
    }
  }

  suggest(words: readonly string[], dir: number): ChapterSuggestion | null {
    const seen = new Set<number>();
    const scored: { e: HistoryEntry; sim: number; order: number }[] = [];
    for (const key of new Set(words.map(wordKey))) {
      for (const i of this.byWord.get(key) ?? []) {
        if (seen.has(i)) continue;
        seen.add(i);
        const e = this.entries[i]!;
        if (e.direction !== dir) continue;
        const sim = labelSimilarity(words, e.words);
        if (sim >= SUGGESTION_MIN_SIMILARITY) scored.push({ e, sim, order: i });
      }
    }
    if (scored.length === 0) return null;
    const top = Math.max(...scored.map((x) => x.sim));
    const pool = scored.filter((x) => x.sim >= top - SUGGESTION_POOL_SPREAD);
    const votes = new Map<string, { kind: LineKind; chapter: string | null; n: number; best: (typeof pool)[number] }>();
    for (const x of pool) {
      const key = `${x.e.kind}|${x.e.chapter ?? ''}`;
      const v = votes.get(key);
      if (!v) votes.set(key, { kind: x.e.kind, chapter: x.e.chapter, n: 1, best: x });
      else {
        v.n++;
        if (x.sim > v.best.sim || (x.sim === v.best.sim && (x.e.line.date ?? '') > (v.best.e.line.date ?? ''))) {
          v.best = x;
        }
      }
    }
    const winner = [...votes.values()].sort(
      (a, b) =>
        b.n - a.n ||
        b.best.sim - a.best.sim ||
        (b.best.e.line.date ?? '').localeCompare(a.best.e.line.date ?? '') ||
        a.best.order - b.best.order,
    )[0]!;
    const example = winner.best.e.line.libelle;
    return {
      kind: winner.kind,
      chapter: winner.chapter,
      support: winner.n,
      among: pool.length,
      example,
      reason: `comme « ${example} » (${winner.n} ligne${winner.n > 1 ? 's' : ''} sur ${pool.length})`,
    };
  }
}

function proposeLine(st: StatementInfo, suggestion: ChapterSuggestion | null): LineInput {
  const amount = Math.abs(st.line.amount);
  const kind: LineKind = suggestion?.kind ?? (st.line.amount > 0 ? 'recette' : 'depense');
  const mode = st.mode;
  return {
    pj: '',
    date: st.line.date,
    libelle: cleanBankLabel(st.line.label),
    mode,
    cheque: mode === 'cheque' ? (st.line.cheque ?? null) : null,
    action: null,
    kind,
    account: 'banque',
    amount,
    ventilation: suggestion?.chapter ? [{ chapter: suggestion.chapter, amount }] : [],
  };
}

// ---------------------------------------------------------------------------------------------
// The matching

/**
 * Matches a bank statement against the cahier. Candidates are the validated, unpointed lines
 * that move the bank (never drafts, caisse or régie lines, never lines already pointed). Each
 * statement line gets at most one proposal, each cahier line is in at most one proposal.
 */
export function matchStatement(
  statementLines: readonly StatementLine[],
  cahierLines: readonly MatchableLine[],
  options: MatchOptions = {},
): MatchResult {
  const o: Required<WindowOptions> = {
    chequeWindowDays: options.chequeWindowDays ?? DEFAULTS.chequeWindowDays,
    otherWindowDays: options.otherWindowDays ?? DEFAULTS.otherWindowDays,
    earlyDays: options.earlyDays ?? DEFAULTS.earlyDays,
    certainWindowDays: options.certainWindowDays ?? DEFAULTS.certainWindowDays,
  };
  const chart = options.chart ?? DEFAULT_CHART;

  // Candidates, indexed by their signed bank amount.
  const byAmount = new Map<Cents, Candidate[]>();
  const candidates: Candidate[] = [];
  cahierLines.forEach((line, order) => {
    if (!isCandidate(line)) return;
    const c: Candidate = {
      line,
      order,
      serial: dateToSerial(line.date),
      amount: bankAmount(line),
      words: labelWords(line.libelle),
    };
    candidates.push(c);
    const list = byAmount.get(c.amount);
    if (list) list.push(c);
    else byAmount.set(c.amount, [c]);
  });

  const infos: StatementInfo[] = statementLines.map((line) => ({
    line,
    serial: dateToSerial(line.date),
    mode: modeFromBankLabel(line.label, line.cheque),
    words: labelWords(line.label),
  }));

  // Every admissible pair (same amount, inside the window).
  const pairs: Pair[] = [];
  const pairsOfStatement = new Map<number, Pair[]>();
  const pairsOfLine = new Map<Candidate, Pair[]>();
  const ignored: number[] = [];
  infos.forEach((st, s) => {
    if (st.line.amount === 0) {
      ignored.push(s);
      return;
    }
    for (const c of byAmount.get(st.line.amount) ?? []) {
      const p = makePair(s, st, c, o);
      if (!p) continue;
      pairs.push(p);
      (pairsOfStatement.get(s) ?? pairsOfStatement.set(s, []).get(s)!).push(p);
      (pairsOfLine.get(c) ?? pairsOfLine.set(c, []).get(c)!).push(p);
    }
  });

  // Global assignment: best pairs first, each statement line and each cahier line used once.
  pairs.sort(comparePairs);
  const taken = new Set<Candidate>();
  const done = new Map<number, Proposal>();
  for (const p of pairs) {
    if (done.has(p.s) || taken.has(p.c)) continue;
    taken.add(p.c);
    const st = infos[p.s]!;
    const ofStatement = pairsOfStatement.get(p.s)!;
    const ofLine = pairsOfLine.get(p.c)!;
    const byNumber =
      p.chequeState === 'equal' &&
      ofStatement.filter((q) => q.chequeState === 'equal').length === 1 &&
      ofLine.filter((q) => q.chequeState === 'equal').length === 1;
    const unique =
      ofStatement.length === 1 &&
      ofLine.length === 1 &&
      !p.chequeLike &&
      p.modeState === 'same' &&
      Math.abs(p.delta) <= o.certainWindowDays;
    done.set(p.s, {
      statementIndex: p.s,
      statementLine: st.line,
      type: 'ligne',
      lines: [{ id: p.c.line.id, pj: p.c.line.pj }],
      score: p.score,
      certain: byNumber || unique,
      reasons: pairReasons(p, st, unique, o.certainWindowDays),
    });
  }

  // Remises de chèques, for credits no single line explains (oldest first).
  const receipts = candidates.filter(
    (c) => c.line.kind === 'recette' && c.line.account === 'banque' && c.line.mode === 'cheque',
  );
  const credits = infos
    .map((st, s) => ({ st, s }))
    .filter(({ st, s }) => st.line.amount > 0 && !done.has(s) && (st.mode === null || st.mode === 'cheque'))
    .sort((a, b) => a.st.serial - b.st.serial || a.s - b.s);
  for (const { st, s } of credits) {
    const pool: { c: Candidate; distance: number }[] = [];
    for (const c of receipts) {
      if (taken.has(c) || c.amount > st.line.amount) continue;
      const delta = st.serial - c.serial;
      if (delta < -o.earlyDays || delta > o.chequeWindowDays) continue;
      pool.push({ c, distance: Math.abs(delta) });
    }
    if (pool.length < 2) continue;
    const remise = findRemise(st.line.amount, pool);
    if (!remise) continue;
    for (const c of remise.picks) taken.add(c);
    const picks = [...remise.picks].sort((a, b) => a.serial - b.serial || a.order - b.order);
    const first = picks[0]!;
    const last = picks[picks.length - 1]!;
    const lastDelta = st.serial - last.serial;
    const mean = remise.distance / picks.length;
    const saysRemise = /\b(rem|remise)\b/.test(fold(st.line.label));
    const reasons = [
      `remise de ${picks.length} chèques`,
      `somme exacte (${formatEuros(st.line.amount)})`,
      first.line.date === last.line.date
        ? `chèques du ${formatDateFr(first.line.date)}`
        : `chèques du ${formatDateFr(first.line.date)} au ${formatDateFr(last.line.date)}`,
      lastDelta === 0
        ? 'crédité le jour du dernier chèque'
        : `${dateReason(lastDelta, true)}${lastDelta > 0 ? ' le dernier chèque' : ''}`,
    ];
    if (saysRemise) reasons.push('libellé de remise');
    done.set(s, {
      statementIndex: s,
      statementLine: st.line,
      type: 'remise',
      lines: picks.map((c) => ({ id: c.line.id, pj: c.line.pj })),
      score: round2(
        0.45 + 0.12 * (1 - Math.min(mean, o.chequeWindowDays) / o.chequeWindowDays) + (saysRemise ? 0.08 : 0),
      ),
      // Families' cheques are often of equal amounts: another set of the same sum is usually
      // possible, so a remise is confirmed against the bordereau, never pointed blind.
      certain: false,
      reasons,
    });
  }

  // What nobody entered: proposed lines, with a chapter learnt from the coop's history.
  const history = new HistoryIndex(options.history ?? [], chart);
  const unmatched: Unmatched[] = [];
  infos.forEach((st, s) => {
    if (done.has(s) || st.line.amount === 0) return;
    const suggestion = history.suggest(st.words, Math.sign(st.line.amount));
    unmatched.push({ statementIndex: s, statementLine: st.line, proposed: proposeLine(st, suggestion), suggestion });
  });

  const proposals = [...done.values()].sort((a, b) => a.statementIndex - b.statementIndex);
  return { proposals, unmatched, ignored };
}
