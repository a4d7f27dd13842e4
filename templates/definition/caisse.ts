/**
 * The arrêté de caisse, as pure rules: what a count may hold (notes and coins in cents, whole
 * numbers), its figures against the cahier (total, balance, gap), the caisse balance at the end
 * of a day, and what the closure checks about the caisse (counted at the end, no gap).
 *
 * The cahier's figures come from its validated lines: a draft line is not in the books yet, so
 * it is not counted (the closure reports drafts on their own).
 */
import { DENOMINATIONS, balances, runningBalances } from './compute';
import { exerciseBounds, formatDateFr, type IsoDate } from './dates';
import { KINDS, type Account, type LineKind } from './kinds';
import type { LineInput } from './line';
import { formatEuros, type Cents } from './money';
import { isCounted, type LiveLine } from './side-books';
import type { BookFieldError, BookProblem } from './side-book-contract';
import { byDateThenPj } from './subventions';

/** True when the line moves money in or out of the caisse. */
export function touchesCaisse(line: { kind: LineKind; account: Account }): boolean {
  return KINDS[line.kind].movements(line.account).some((m) => m.account === 'caisse');
}

// ── What a count may hold ───────────────────────────────────────────────────────────────

/** Most notes or coins of one kind an arrêté may hold (a jar of 100 000 centimes is 1 000 €). */
export const MAX_PER_DENOMINATION = 100_000;

/** A count as stored and exchanged: denomination in cents ("5000") → how many, zeros left out. */
export type CashCounts = Record<string, number>;

/** A valid count (without zeros) and what it makes, or the errors, each naming its field ("counts.3000"). */
export type CashCountCheck = { ok: true; counts: CashCounts; total: Cents } | { ok: false; errors: BookFieldError[] };

const BY_CENTS = new Map(DENOMINATIONS.map((d) => [String(d.cents), d]));
const EXAMPLE = '{"5000": 1, "200": 3} pour un billet de 50 € et trois pièces de 2 €';

/** "1.5" → "1,5": a number as a French reader writes it. */
const frNumber = (n: number) => String(n).replace('.', ',');
/** 100000 → "100 000" (narrow no-break space, as formatEuros groups). */
const groupThousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');

/**
 * Checks the `counts` of an arrêté de caisse: keys are notes or coins in cents (500 € … 1 c),
 * values whole numbers from 0 to MAX_PER_DENOMINATION. Every error names its field, in French.
 * The counts come back without zeros; `total` is what was counted.
 */
export function validateCashCount(counts: unknown): CashCountCheck {
  if (counts === undefined) return { ok: false, errors: [{ field: 'counts', message: 'counts : champ obligatoire' }] };
  if (counts === null || typeof counts !== 'object' || Array.isArray(counts)) {
    return {
      ok: false,
      errors: [{ field: 'counts', message: `counts : objet attendu (valeur en centimes → nombre), ex. ${EXAMPLE}` }],
    };
  }
  const errors: BookFieldError[] = [];
  const out: CashCounts = {};
  for (const [key, value] of Object.entries(counts as Record<string, unknown>)) {
    const field = `counts.${key}`;
    const d = BY_CENTS.get(key);
    if (!d) {
      const cents = /^\d{1,12}$/.test(key) ? Number(key) : null;
      const message =
        cents === null
          ? `${field} : « ${key} » n’est pas une valeur en centimes (« 5000 » pour un billet de 50 €, « 50 » pour une pièce de 50 c)`
          : BY_CENTS.has(String(cents))
            ? `${field} : écrivez la valeur en centimes sans zéro devant (« ${cents} »)`
            : `${field} : ${formatEuros(cents)} n’est pas un billet ni une pièce`;
      errors.push({ field, message });
      continue;
    }
    const what = d.type === 'billet' ? 'billets' : 'pièces';
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      errors.push({ field, message: `${field} : nombre de ${what} attendu (un entier, 0 ou plus)` });
    } else if (!Number.isInteger(value)) {
      errors.push({ field, message: `${field} : nombre entier de ${what} attendu (pas ${frNumber(value)})` });
    } else if (value < 0) {
      errors.push({ field, message: `${field} : le nombre de ${what} ne peut pas être négatif (${frNumber(value)})` });
    } else if (value > MAX_PER_DENOMINATION) {
      errors.push({
        field,
        message: `${field} : ${groupThousands(MAX_PER_DENOMINATION)} ${what} au plus`,
      });
    } else if (value > 0) {
      out[key] = value;
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, counts: out, total: countedTotal(out) };
}

/** What a (valid) count makes, in cents. */
export function countedTotal(counts: CashCounts): Cents {
  return DENOMINATIONS.reduce((s, d) => s + d.cents * (counts[String(d.cents)] ?? 0), 0);
}

// ── The count against the cahier ────────────────────────────────────────────────────────

/**
 * The caisse balance of the cahier at the end of a day: the report à nouveau of the caisse plus
 * the caisse movements of the validated lines dated that day or before.
 */
export function caisseBalanceOn(lines: readonly LiveLine[], openingCaisse: Cents, date: IsoDate): Cents {
  return balances(
    lines.filter((l) => isCounted(l) && l.date <= date),
    { banque: 0, caisse: openingCaisse },
  ).caisse;
}

/**
 * The caisse balance at the end of any day, from validated lines in date order: their running
 * balances computed once, each day found by bisection (what `caisseBalanceOn` gives for one day).
 */
export function caisseBalances(counted: readonly LineInput[], openingCaisse: Cents): (date: IsoDate) => Cents {
  const running = runningBalances(counted, { banque: 0, caisse: openingCaisse });
  return (date) => {
    let lo = 0;
    let hi = counted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (counted[mid]!.date <= date) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? openingCaisse : running[lo - 1]!.caisse;
  };
}

export interface CashCountFigures {
  total: Cents;
  balance: Cents;
  /** total − balance: positive when the caisse holds more than the cahier says. */
  gap: Cents;
  ok: boolean;
}

export function cashCountFigures(total: Cents, balance: Cents): CashCountFigures {
  const gap = total - balance;
  return { total, balance, gap, ok: gap === 0 };
}

// ── What the closure checks ─────────────────────────────────────────────────────────────

export interface CaisseCheckInput {
  /** The exercise (starting year). */
  year: number;
  openingCaisse: Cents;
  /** The live lines of the exercise (drafts included: they are named, not counted). */
  lines: readonly LiveLine[];
  /** The arrêtés de caisse of the exercise. */
  counts: readonly { date: IsoDate; total: Cents }[];
}

/** Codes of the problems the arrêté de caisse reports. */
export const CAISSE_PROBLEMS = {
  /** The caisse was used (or is not at 0) and no count closes the exercise. */
  caisse_non_comptee: 'caisse_non_comptee',
  /** A count differs from the cahier: an error on the last count, a warning on earlier ones. */
  caisse_ecart: 'caisse_ecart',
} as const;

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

/**
 * What the closure checks about the caisse:
 * - `caisse_non_comptee` (error) when the caisse was used during the exercise, or holds money,
 *   and no arrêté closes it: none at all, or the last one is followed by caisse movements (the
 *   lines concerned are those movements). An unused caisse at 0 needs no count.
 * - `caisse_ecart` for every count whose total differs from the cahier's balance that day: an
 *   error for the last count (it is the arrêté of the closure), a warning for earlier ones (a
 *   gap since corrected stays visible). Its lines are the caisse lines since the previous count
 *   and the caisse drafts up to that day (not counted, a likely cause).
 */
export function caisseProblems(input: CaisseCheckInput): BookProblem[] {
  const { end } = exerciseBounds(input.year);
  const live = [...input.lines].sort(byDateThenPj);
  const caisseLines = live.filter((l) => isCounted(l) && touchesCaisse(l) && l.date <= end);
  const drafts = live.filter((l) => !isCounted(l) && touchesCaisse(l));
  const counts = [...input.counts].filter((c) => c.date <= end).sort((a, b) => (a.date < b.date ? -1 : 1));
  const balanceOn = caisseBalances(live.filter(isCounted), input.openingCaisse);
  const endBalance = balanceOn(end);
  const used = input.openingCaisse !== 0 || caisseLines.length > 0 || endBalance !== 0;
  const problems: BookProblem[] = [];
  const last = counts[counts.length - 1];
  const endFr = formatDateFr(end);

  if (used && !last) {
    problems.push({
      code: CAISSE_PROBLEMS.caisse_non_comptee,
      severity: 'error',
      message: `Aucun arrêté de caisse : comptez les billets et les pièces de la caisse au ${endFr} et saisissez l’arrêté (solde de la caisse au cahier : ${formatEuros(endBalance)}).`,
      lines: [],
    });
  } else if (used && last) {
    const after = caisseLines.filter((l) => l.date > last.date);
    if (after.length) {
      problems.push({
        code: CAISSE_PROBLEMS.caisse_non_comptee,
        severity: 'error',
        message: `Le dernier arrêté de caisse (${formatDateFr(last.date)}) est suivi de ${plural(after.length, 'mouvement', 'mouvements')} de caisse : comptez à nouveau la caisse au ${endFr} et saisissez l’arrêté (solde de la caisse au cahier : ${formatEuros(endBalance)}).`,
        lines: after.map((l) => l.id),
      });
    }
  }

  counts.forEach((c, i) => {
    const f = cashCountFigures(c.total, balanceOn(c.date));
    if (f.ok) return;
    const previous = i > 0 ? counts[i - 1]!.date : '';
    const since = caisseLines.filter((l) => l.date > previous && l.date <= c.date);
    const waiting = drafts.filter((l) => l.date <= c.date);
    const more = f.gap > 0;
    const isLast = i === counts.length - 1;
    const message = [
      `Arrêté de caisse du ${formatDateFr(c.date)} : la caisse compte ${formatEuros(Math.abs(f.gap))} de ${more ? 'plus' : 'moins'} que le cahier (compté ${formatEuros(f.total)}, solde du cahier ${formatEuros(f.balance)}).`,
      more
        ? 'Cherchez une recette en espèces non saisie (ou une dépense saisie en trop), ou recomptez.'
        : 'Cherchez une dépense en espèces non saisie (ou une recette saisie en trop), ou recomptez.',
      waiting.length
        ? waiting.length === 1
          ? '1 ligne de caisse est en brouillon et n’est pas comptée : corrigez-la d’abord.'
          : `${waiting.length} lignes de caisse sont en brouillon et ne sont pas comptées : corrigez-les d’abord.`
        : '',
      isLast ? '' : 'Si l’écart a été régularisé depuis, rien d’autre à faire.',
    ]
      .filter(Boolean)
      .join(' ');
    problems.push({
      code: CAISSE_PROBLEMS.caisse_ecart,
      severity: isLast ? 'error' : 'warning',
      message,
      lines: [...since, ...waiting].map((l) => l.id),
    });
  });
  return problems;
}
