/**
 * The tableau des subventions: a subsidy's record checked (French errors naming the field),
 * its figures (received from the 7410/7420 receipts attached, spent on the expenses attached or
 * tagged with its actions) and what the closure blocks on (a subsidy receipt attached to no
 * subsidy, a subsidy that received money and is not justified). Pure: plain values in and out.
 *
 * Only validated lines count, as everywhere in the side books: a draft attached to a subsidy
 * stays attached but counts (received, spent) once validated; a draft receipt is not reported
 * as unattached (the closure refuses drafts anyway).
 */
import { findChapter, type Chart } from './chapters';
import { formatDateFr, isIsoDate } from './dates';
import { KINDS } from './kinds';
import type { LineInput } from './line';
import { formatEuros, type Cents } from './money';
import { isCounted, reminderChapters, type LiveLine } from './side-books';
import type {
  BookFieldError,
  BookLine,
  BookProblem,
  LineRef,
  SubsidiesJson,
  SubsidyInput,
  SubsidyJson,
  SubsidyState,
} from './side-book-contract';
import { compareNumeric } from './order';

export const SUBSIDY_STATES: readonly SubsidyState[] = ['a_justifier', 'justifiee'];
export const SUBSIDY_STATE_LABELS: Record<SubsidyState, string> = {
  a_justifier: 'À justifier',
  justifiee: 'Justifiée',
};

/** The longest texts a side book keeps (the columns of the tables). */
export const SUBSIDY_LIMITS = { financeur: 200, objet: 500, action: 100, actions: 50, note: 2000 } as const;
/** The largest amount a side book accepts, in cents (ten billion euros: a typing error beyond). */
export const BOOK_MAX_CENTS = 1e12;

/** A subsidy as stored: its record, id and version. */
export interface SubsidyRecord extends SubsidyInput {
  id: number;
  version: number;
}

/** A line attached to a subsidy: a receipt of it, or an expense it funds. */
export interface SubsidyLink {
  subsidyId: number;
  lineId: string;
  role: 'receipt' | 'use';
}

// ── Pieces the side books share ─────────────────────────────────────────────────────────

/** The sum of a line's ventilation parts on these chapters, as they are (an avoir counts negative). */
export function partOnChapters(line: Pick<LineInput, 'kind' | 'ventilation'>, chapters: readonly string[]): Cents {
  if (!KINDS[line.kind]?.ventilated) return 0;
  let sum = 0;
  for (const p of line.ventilation) if (chapters.includes(p.chapter)) sum += p.amount;
  return sum;
}

/** True when the line has a part (not nil) on one of these chapters. */
export function touchesChapters(line: Pick<LineInput, 'kind' | 'ventilation'>, chapters: readonly string[]): boolean {
  return (
    Boolean(KINDS[line.kind]?.ventilated) &&
    line.ventilation.some((p) => chapters.includes(p.chapter) && p.amount !== 0)
  );
}

/** The line as a side book shows it, with the amount that concerns the book. */
export function bookLineRef(line: BookLine, amount: Cents): LineRef {
  return { id: line.id, pj: line.pj, date: line.date, libelle: line.libelle, kind: line.kind, amount };
}

/** By date, then PJ number: the order of the cahier. */
export function byDateThenPj(a: Pick<LineRef, 'date' | 'pj'>, b: Pick<LineRef, 'date' | 'pj'>): number {
  return a.date === b.date ? compareNumeric(a.pj, b.pj) : a.date < b.date ? -1 : 1;
}

/** "PJ 003, 007 et 012" (the first ten, then how many more). */
export function pjListText(lines: readonly Pick<LineRef, 'pj'>[]): string {
  const shown = lines.slice(0, 10).map((l) => l.pj);
  const more = lines.length - shown.length;
  if (more > 0) return `PJ ${shown.join(', ')} et ${more} autre${more > 1 ? 's' : ''}`;
  if (shown.length === 1) return `PJ ${shown[0]}`;
  return `PJ ${shown.slice(0, -1).join(', ')} et ${shown[shown.length - 1]}`;
}

/** "7410 (Subventions des collectivités) ou 7420 (…)". */
export function chapterNamesText(chart: Chart, codes: readonly string[]): string {
  const names = codes.map((c) => `${c} (${findChapter(chart, c)?.label ?? c})`);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} ou ${names[names.length - 1]}`;
}

/** Text fields: a text, trimmed; `required` says what to write when it is empty. */
export function checkBookText(
  errors: BookFieldError[],
  field: string,
  value: unknown,
  max: number,
  required: string | null,
): void {
  if (value === null || value === undefined) {
    if (required) errors.push({ field, message: `${field} : ${required}` });
    return;
  }
  if (typeof value !== 'string') {
    errors.push({ field, message: `${field} : texte attendu` });
    return;
  }
  if (required && !value.trim()) errors.push({ field, message: `${field} : ${required}` });
  else if (value.trim().length > max) errors.push({ field, message: `${field} : ${max} caractères au plus` });
}

/** A date "AAAA-MM-JJ" that exists, or null when allowed. */
export function checkBookDate(errors: BookFieldError[], field: string, value: unknown, required: string | null): void {
  if (value === null || value === undefined) {
    if (required) errors.push({ field, message: `${field} : ${required}` });
    return;
  }
  if (!isIsoDate(value)) errors.push({ field, message: `${field} : date réelle attendue au format AAAA-MM-JJ` });
}

/** Whole cents within bounds; `min` is the smallest allowed. */
export function checkBookCents(
  errors: BookFieldError[],
  field: string,
  value: unknown,
  min: number,
  tooSmall: string,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.push({ field, message: `${field} : montant en centimes entiers attendu (120000 pour 1 200,00 €)` });
  } else if (value < min) errors.push({ field, message: `${field} : ${tooSmall}` });
  else if (value > BOOK_MAX_CENTS) errors.push({ field, message: `${field} : montant hors limites` });
}

// ── The record ──────────────────────────────────────────────────────────────────────────

/** The chapters a subsidy may be received on (7410, 7420 in the default chart). */
export function subsidyChapters(chart: Chart): string[] {
  return reminderChapters(chart, 'subvention');
}

/** Every error of a subsidy's record, in the order of its fields (none: it may be stored). */
export function validateSubsidy(input: SubsidyInput, chart: Chart): BookFieldError[] {
  const errors: BookFieldError[] = [];
  const L = SUBSIDY_LIMITS;
  checkBookText(
    errors,
    'financeur',
    input.financeur,
    L.financeur,
    'indiquez qui verse la subvention (commune, département, association de parents…)',
  );
  checkBookText(
    errors,
    'objet',
    input.objet,
    L.objet,
    'indiquez ce que la subvention finance (ex. « classe découverte »)',
  );
  const chapters = subsidyChapters(chart);
  if (!chapters.includes(input.chapter)) {
    errors.push({
      field: 'chapter',
      message: chapters.length
        ? `chapter : « ${input.chapter ?? ''} » n’est pas un chapitre de subvention ; choisissez ${chapterNamesText(chart, chapters)}`
        : 'chapter : le plan de la coopérative n’a aucun chapitre de subvention',
    });
  }
  checkBookCents(errors, 'granted', input.granted, 0, 'le montant accordé ne peut pas être négatif');
  checkBookDate(errors, 'decisionDate', input.decisionDate, null);
  if (!Array.isArray(input.actions)) errors.push({ field: 'actions', message: 'actions : liste d’actions attendue' });
  else {
    if (input.actions.length > L.actions)
      errors.push({ field: 'actions', message: `actions : ${L.actions} actions au plus` });
    const seen = new Set<string>();
    input.actions.forEach((a, i) => {
      const field = `actions[${i}]`;
      const before = errors.length;
      checkBookText(errors, field, a, L.action, 'nom d’action vide');
      if (errors.length > before) return;
      const name = a.trim();
      if (seen.has(name)) errors.push({ field, message: `${field} : l’action « ${name} » est déjà citée` });
      seen.add(name);
    });
  }
  if (!SUBSIDY_STATES.includes(input.state)) {
    errors.push({ field: 'state', message: 'state : a_justifier (à justifier) ou justifiee (justifiée)' });
  } else if (input.state === 'justifiee') {
    checkBookDate(
      errors,
      'justifiedOn',
      input.justifiedOn,
      'indiquez la date à laquelle l’emploi de la subvention a été justifié auprès du financeur',
    );
  } else if (input.justifiedOn !== null && input.justifiedOn !== undefined) {
    errors.push({
      field: 'justifiedOn',
      message: 'justifiedOn : une subvention à justifier n’a pas de date de justification (passez-la à « justifiée »)',
    });
  }
  if (
    isIsoDate(input.decisionDate) &&
    isIsoDate(input.justifiedOn) &&
    input.state === 'justifiee' &&
    input.justifiedOn < input.decisionDate
  ) {
    errors.push({
      field: 'justifiedOn',
      message: `justifiedOn : la justification (${formatDateFr(input.justifiedOn)}) ne peut précéder la décision (${formatDateFr(input.decisionDate)})`,
    });
  }
  checkBookText(errors, 'note', input.note, L.note, null);
  return errors;
}

/** The record as stored: texts trimmed, an empty note is no note. */
export function normalizeSubsidy(input: SubsidyInput): SubsidyInput {
  return {
    financeur: input.financeur.trim(),
    objet: input.objet.trim(),
    chapter: input.chapter,
    granted: input.granted,
    decisionDate: input.decisionDate ?? null,
    actions: input.actions.map((a) => a.trim()),
    state: input.state,
    justifiedOn: input.justifiedOn ?? null,
    note: input.note?.trim() || null,
  };
}

// ── The figures ─────────────────────────────────────────────────────────────────────────

/** What an expense attached to a subsidy (or tagged with its action) spends. */
export function spentBy(line: Pick<LineInput, 'kind' | 'amount'>): Cents {
  return line.kind === 'depense' ? line.amount : 0;
}

/**
 * One subsidy with its receipts and uses, given the live lines of its exercise: only the
 * validated ones count (an attached draft is left out until it is validated).
 */
export function subsidyFigures(
  subsidy: SubsidyRecord,
  links: readonly SubsidyLink[],
  lines: ReadonlyMap<string, LiveLine>,
  chart: Chart,
): SubsidyJson {
  const chapters = subsidyChapters(chart);
  const receipts: LineRef[] = [];
  const uses: LineRef[] = [];
  const spentOn = new Set<string>();
  for (const link of links) {
    if (link.subsidyId !== subsidy.id) continue;
    const line = lines.get(link.lineId);
    if (!line || !isCounted(line)) continue; // deleted since it was attached, or a draft
    if (link.role === 'receipt') receipts.push(bookLineRef(line, partOnChapters(line, chapters)));
    else {
      uses.push(bookLineRef(line, spentBy(line)));
      spentOn.add(line.id);
    }
  }
  const actions = new Set(subsidy.actions.map((a) => a.trim()));
  if (actions.size) {
    for (const line of lines.values()) {
      const action = line.action?.trim();
      if (action && actions.has(action) && line.kind === 'depense' && isCounted(line)) spentOn.add(line.id);
    }
  }
  let spent = 0;
  for (const id of spentOn) spent += spentBy(lines.get(id)!);
  receipts.sort(byDateThenPj);
  uses.sort(byDateThenPj);
  return {
    id: subsidy.id,
    version: subsidy.version,
    ...normalizeSubsidy(subsidy),
    receipts,
    received: receipts.reduce((s, r) => s + r.amount, 0),
    uses,
    spent,
  };
}

/** The validated subsidy receipts (a part on 7410/7420) attached to no subsidy. */
export function unattachedReceipts(lines: Iterable<LiveLine>, links: readonly SubsidyLink[], chart: Chart): LineRef[] {
  const chapters = subsidyChapters(chart);
  const attached = new Set(links.filter((l) => l.role === 'receipt').map((l) => l.lineId));
  const out: LineRef[] = [];
  for (const line of lines) {
    if (isCounted(line) && !attached.has(line.id) && touchesChapters(line, chapters))
      out.push(bookLineRef(line, partOnChapters(line, chapters)));
  }
  return out.sort(byDateThenPj);
}

/** What the tableau des subventions reports: errors block the closure. */
export function subsidyProblems(subsidies: readonly SubsidyJson[], unattached: readonly LineRef[]): BookProblem[] {
  const problems: BookProblem[] = [];
  if (unattached.length) {
    const n = unattached.length;
    const total = unattached.reduce((s, l) => s + l.amount, 0);
    problems.push({
      code: 'subvention_non_rattachee',
      severity: 'error',
      message:
        n === 1
          ? `La recette de subvention ${pjListText(unattached)} (${formatEuros(total)}) n’est rattachée à aucune subvention : rattachez-la à sa subvention dans le tableau des subventions (ou créez celle-ci).`
          : `${n} recettes de subvention (${pjListText(unattached)}, ${formatEuros(total)} en tout) ne sont rattachées à aucune subvention : rattachez chacune à sa subvention dans le tableau des subventions (ou créez celle-ci).`,
      lines: unattached.map((l) => l.id),
    });
  }
  for (const s of subsidies) {
    if (s.received !== 0 && s.state !== 'justifiee') {
      problems.push({
        code: 'subvention_a_justifier',
        severity: 'error',
        message: `La subvention « ${s.financeur} – ${s.objet} » a reçu ${formatEuros(s.received)} et n’est pas justifiée : une fois son emploi justifié auprès du financeur, passez-la à « justifiée » avec la date.`,
        lines: s.receipts.map((l) => l.id),
      });
    }
    if (s.granted > 0 && s.received > s.granted) {
      problems.push({
        code: 'subvention_depassee',
        severity: 'warning',
        message: `La subvention « ${s.financeur} – ${s.objet} » a reçu ${formatEuros(s.received)} pour ${formatEuros(s.granted)} accordés : vérifiez le montant accordé et les recettes rattachées.`,
        lines: s.receipts.map((l) => l.id),
      });
    }
  }
  return problems;
}

/** The whole tableau des subventions of an exercise, from its subsidies, links and live lines (drafts not counted). */
export function subsidiesBook(
  subsidies: readonly SubsidyRecord[],
  links: readonly SubsidyLink[],
  lines: readonly LiveLine[],
  chart: Chart,
): SubsidiesJson {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const list = [...subsidies].sort((a, b) => a.id - b.id).map((s) => subsidyFigures(s, links, byId, chart));
  const unattached = unattachedReceipts(lines, links, chart);
  return {
    subsidies: list,
    unattached,
    totals: {
      granted: list.reduce((t, s) => t + s.granted, 0),
      received: list.reduce((t, s) => t + s.received, 0),
      spent: list.reduce((t, s) => t + s.spent, 0),
    },
    problems: subsidyProblems(list, unattached),
  };
}
