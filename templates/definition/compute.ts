/**
 * The figures of the cahier, computed from its lines: balances, totals per chapter, the compte
 * rendu financier (compte de fonctionnement + bilan), the summary per action, the arrêté de
 * caisse and the bank reconciliation. The workbook's formulas compute the same figures; the
 * template test proves they agree to the cent.
 */
import { orderChart, type Chapter, type Chart } from './chapters';
import { KINDS, MOVEMENT_KEYS, movementCells, type MovementKey } from './kinds';
import type { CahierLine, LineInput } from './line';
import type { Cents } from './money';
import { compareFr } from './order';

export interface Opening {
  banque: Cents;
  caisse: Cents;
}

export interface Balances {
  banque: Cents;
  caisse: Cents;
  /** Money still out in régies d'avance. */
  regie: Cents;
}

/** Sum of each movement column over the lines. */
export function movementTotals(lines: readonly LineInput[]): Record<MovementKey, Cents> {
  const totals = Object.fromEntries(MOVEMENT_KEYS.map((k) => [k, 0])) as Record<MovementKey, Cents>;
  for (const line of lines) {
    const cells = movementCells(line.kind, line.account, line.amount);
    for (const k of MOVEMENT_KEYS) totals[k] += cells[k] ?? 0;
  }
  return totals;
}

export function balances(lines: readonly LineInput[], opening: Opening): Balances {
  const t = movementTotals(lines);
  return {
    banque: opening.banque + t.banque_recettes - t.banque_depenses,
    caisse: opening.caisse + t.caisse_recettes - t.caisse_depenses,
    regie: t.regie_recettes - t.regie_depenses,
  };
}

/** Running balances after each line, in order (the Solde columns of the cahier). */
export function runningBalances(lines: readonly LineInput[], opening: Opening): Balances[] {
  const out: Balances[] = [];
  let current: Balances = { ...opening, regie: 0 };
  for (const line of lines) {
    const cells = movementCells(line.kind, line.account, line.amount);
    current = {
      banque: current.banque + (cells.banque_recettes ?? 0) - (cells.banque_depenses ?? 0),
      caisse: current.caisse + (cells.caisse_recettes ?? 0) - (cells.caisse_depenses ?? 0),
      regie: current.regie + (cells.regie_recettes ?? 0) - (cells.regie_depenses ?? 0),
    };
    out.push(current);
  }
  return out;
}

/** Total of each chapter (in the chapter's own sense: charges positive on a charge chapter). */
export function chapterTotals(lines: readonly LineInput[], chart: Chart): Map<string, Cents> {
  const totals = new Map<string, Cents>(chart.map((c) => [c.code, 0]));
  for (const line of lines) {
    if (!KINDS[line.kind].ventilated) continue;
    for (const part of line.ventilation) {
      if (totals.has(part.chapter)) totals.set(part.chapter, totals.get(part.chapter)! + part.amount);
    }
  }
  return totals;
}

export interface ChapterTotal {
  chapter: Chapter;
  total: Cents;
}

export interface CompteRendu {
  charges: ChapterTotal[];
  produits: ChapterTotal[];
  totalCharges: Cents;
  totalProduits: Cents;
  /** Excédent (positive) or déficit (negative). */
  resultat: Cents;
  bilan: {
    banque: Cents;
    caisse: Cents;
    regie: Cents;
    /** Banque + caisse + régies at the end. */
    disponible: Cents;
    reportANouveau: Cents;
    /** Report à nouveau + résultat: must equal `disponible`. */
    fondsPropres: Cents;
    ecart: Cents;
  };
}

export function compteRendu(lines: readonly LineInput[], chart: Chart, opening: Opening): CompteRendu {
  const totals = chapterTotals(lines, chart);
  const ordered = orderChart(chart);
  const charges = ordered.filter((c) => c.side === 'charge').map((c) => ({ chapter: c, total: totals.get(c.code)! }));
  const produits = ordered.filter((c) => c.side === 'produit').map((c) => ({ chapter: c, total: totals.get(c.code)! }));
  const totalCharges = charges.reduce((s, c) => s + c.total, 0);
  const totalProduits = produits.reduce((s, c) => s + c.total, 0);
  const resultat = totalProduits - totalCharges;
  const b = balances(lines, opening);
  const disponible = b.banque + b.caisse + b.regie;
  const reportANouveau = opening.banque + opening.caisse;
  const fondsPropres = reportANouveau + resultat;
  return {
    charges,
    produits,
    totalCharges,
    totalProduits,
    resultat,
    bilan: { ...b, disponible, reportANouveau, fondsPropres, ecart: disponible - fondsPropres },
  };
}

export interface ActionSummary {
  action: string;
  recettes: Cents;
  depenses: Cents;
  resultat: Cents;
  /** How many receipts and expenses carry the tag. */
  lignes: number;
}

/**
 * Per action tag: receipts, expenses, result and how many lines (internal operations excluded;
 * expenses paid from a régie count, as in the Actions sheet), sorted in French order.
 */
export function actionsSummary(lines: readonly LineInput[]): ActionSummary[] {
  const byAction = new Map<string, ActionSummary>();
  for (const line of lines) {
    const action = line.action?.trim();
    if (!action || (line.kind !== 'recette' && line.kind !== 'depense')) continue;
    const s = byAction.get(action) ?? { action, recettes: 0, depenses: 0, resultat: 0, lignes: 0 };
    s.lignes += 1;
    if (line.kind === 'recette') s.recettes += line.amount;
    else s.depenses += line.amount;
    s.resultat = s.recettes - s.depenses;
    byAction.set(action, s);
  }
  return [...byAction.values()].sort((a, b) => compareFr(a.action, b.action));
}

/** Notes and coins of the arrêté de caisse, in cents, largest first. */
export const DENOMINATIONS: readonly { cents: Cents; label: string; type: 'billet' | 'piece' }[] = [
  { cents: 50_000, label: 'Billet de 500 €', type: 'billet' },
  { cents: 20_000, label: 'Billet de 200 €', type: 'billet' },
  { cents: 10_000, label: 'Billet de 100 €', type: 'billet' },
  { cents: 5_000, label: 'Billet de 50 €', type: 'billet' },
  { cents: 2_000, label: 'Billet de 20 €', type: 'billet' },
  { cents: 1_000, label: 'Billet de 10 €', type: 'billet' },
  { cents: 500, label: 'Billet de 5 €', type: 'billet' },
  { cents: 200, label: 'Pièce de 2 €', type: 'piece' },
  { cents: 100, label: 'Pièce de 1 €', type: 'piece' },
  { cents: 50, label: 'Pièce de 50 c', type: 'piece' },
  { cents: 20, label: 'Pièce de 20 c', type: 'piece' },
  { cents: 10, label: 'Pièce de 10 c', type: 'piece' },
  { cents: 5, label: 'Pièce de 5 c', type: 'piece' },
  { cents: 2, label: 'Pièce de 2 c', type: 'piece' },
  { cents: 1, label: 'Pièce de 1 c', type: 'piece' },
];

/** Count per denomination (cents → number of notes or coins). */
export type CaisseCount = Partial<Record<number, number>>;

export function caisseTotal(count: CaisseCount): Cents {
  return DENOMINATIONS.reduce((s, d) => s + d.cents * (count[d.cents] ?? 0), 0);
}

/** A count that makes up an amount, largest denominations first (for demos and tests). */
export function countFor(amount: Cents): CaisseCount {
  const count: CaisseCount = {};
  let rest = amount;
  for (const d of DENOMINATIONS) {
    const n = Math.floor(rest / d.cents);
    if (n > 0) count[d.cents] = n;
    rest -= n * d.cents;
  }
  return count;
}

export interface Rapprochement {
  /** Balance printed on the bank statement. */
  releve: Cents;
  /** Bank receipts in the cahier not yet seen on a statement. */
  recettesNonPointees: Cents;
  /** Bank payments (cheques not cashed…) not yet seen on a statement. */
  depensesNonPointees: Cents;
  /** Statement + uncleared receipts − uncleared payments. */
  soldeRapproche: Cents;
  /** The cahier's bank balance. */
  soldeCahier: Cents;
  /** Must be 0. */
  ecart: Cents;
}

export function rapprochement(lines: readonly CahierLine[], opening: Opening, releve: Cents): Rapprochement {
  const unpointed = movementTotals(lines.filter((l) => !l.pointed));
  const soldeCahier = balances(lines, opening).banque;
  const soldeRapproche = releve + unpointed.banque_recettes - unpointed.banque_depenses;
  return {
    releve,
    recettesNonPointees: unpointed.banque_recettes,
    depensesNonPointees: unpointed.banque_depenses,
    soldeRapproche,
    soldeCahier,
    ecart: soldeRapproche - soldeCahier,
  };
}
