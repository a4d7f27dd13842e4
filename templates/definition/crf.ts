/**
 * The compte rendu financier (CRF) of an exercise, as one JSON document: the compte de
 * fonctionnement per chapter, the bilan, the tableau de rapprochement, the last arrêté de
 * caisse, the tableau des subventions, the inventory, the régies and the actions. Pure: plain
 * values in (the exercise's lines, its opening, the chart, the latest statement, the side books'
 * records), plain values out; every figure comes from the shared compute functions (compteRendu,
 * reconciliation, regiesBook, actionsSummary), the ones the workbook's formulas are proven
 * against. Only validated lines count: drafts are left out, as in the side books.
 */
import type { Chart } from './chapters';
import { actionsSummary, compteRendu, type Opening } from './compute';
import { exerciseBounds, exerciseLabel, type IsoDate } from './dates';
import type { Cents } from './money';
import { reconciliation, type Reconciliation } from './reconciliation';
import { regiesBook } from './regies';
import type { CashCountJson, InventoryItemJson, SubsidyJson } from './side-book-contract';
import { isCounted, type LiveLine } from './side-books';

/** A line of the exercise as the CRF reads it: `pointed` when cleared on a statement by the exercise's end. */
export interface CrfLine extends LiveLine {
  pointed?: boolean;
}

export interface CrfInput {
  coop: { number: string; name: string; school: string | null; department: string };
  exercise: { year: number; status: 'open' | 'closed' };
  /** The day the document is drawn up. */
  date: IsoDate;
  chart: Chart;
  opening: Opening;
  /** Every live line of the exercise (drafts are left out here). */
  lines: readonly CrfLine[];
  /** The latest bank statement ending by the exercise's end, with its closing balance. */
  statement: { date: IsoDate; balance: Cents } | null;
  /** The arrêtés de caisse of the exercise (any order). */
  cashCounts: readonly Pick<CashCountJson, 'date' | 'counts' | 'total' | 'balance' | 'gap' | 'ok'>[];
  subsidies: readonly SubsidyJson[];
  /** The items held during the exercise. */
  inventory: readonly InventoryItemJson[];
}

export interface CrfChapter {
  chapter: string;
  label: string;
  total: Cents;
}

export interface CrfRapprochement extends Omit<Reconciliation, 'statementBalance' | 'gap'> {
  statement: { date: IsoDate; balance: Cents } | null;
  /** Null without a statement: nothing to compare with. */
  statementBalance: Cents | null;
  gap: Cents | null;
}

export interface Crf {
  coop: CrfInput['coop'];
  exercise: { year: number; label: string; start: IsoDate; end: IsoDate; status: 'open' | 'closed' };
  /** True until the exercise is closed: the figures may still change. */
  provisional: boolean;
  date: IsoDate;
  compteDeFonctionnement: {
    charges: CrfChapter[];
    produits: CrfChapter[];
    totalCharges: Cents;
    totalProduits: Cents;
    /** Produits − charges. */
    resultat: Cents;
    /** The result when positive, else 0. */
    excedent: Cents;
    /** Minus the result when negative, else 0. */
    deficit: Cents;
  };
  bilan: {
    banque: Cents;
    caisse: Cents;
    /** Money still out in régies d'avance. */
    regies: Cents;
    /** Banque + caisse + régies at the end. */
    disponible: Cents;
    reportANouveau: Cents;
    resultat: Cents;
    /** Report à nouveau + résultat. */
    fondsPropres: Cents;
    /** Disponible − fonds propres: 0 when the bilan balances. */
    ecart: Cents;
    equilibre: boolean;
  };
  rapprochement: CrfRapprochement;
  /** The last arrêté de caisse of the exercise, or null; and the cahier's caisse at the end. */
  caisse: {
    soldeCahier: Cents;
    dernierArrete: {
      date: IsoDate;
      counts: Record<string, number>;
      total: Cents;
      balance: Cents;
      gap: Cents;
      ok: boolean;
    } | null;
    arretes: number;
  };
  subventions: {
    financeur: string;
    objet: string;
    chapter: string;
    granted: Cents;
    received: Cents;
    spent: Cents;
    state: SubsidyJson['state'];
    justifiedOn: IsoDate | null;
  }[];
  totauxSubventions: { granted: Cents; received: Cents; spent: Cents };
  inventaire: {
    designation: string;
    acquiredOn: IsoDate;
    value: Cents;
    location: string | null;
    pieces: string[];
    disposedOn: IsoDate | null;
    disposalReason: string | null;
  }[];
  regies: { holder: string; given: Cents; spent: Cents; returned: Cents; balance: Cents }[];
  actions: { action: string; receipts: Cents; expenses: Cents; result: Cents; lines: number }[];
}

export function buildCrf(input: CrfInput): Crf {
  const bounds = exerciseBounds(input.exercise.year);
  const lines = input.lines.filter(isCounted);
  const cr = compteRendu(lines, input.chart, input.opening);
  const chapter = (t: (typeof cr.charges)[number]): CrfChapter => ({
    chapter: t.chapter.code,
    label: t.chapter.label,
    total: t.total,
  });

  const rec = reconciliation({
    date: bounds.end,
    statementBalance: input.statement?.balance ?? 0,
    lines: lines.map((l) => ({ ...l, status: 'validated' as const, pointed: !!l.pointed })),
    opening: { banque: input.opening.banque },
  });
  const rapprochement: CrfRapprochement = {
    ...rec,
    statement: input.statement ? { ...input.statement } : null,
    ...(input.statement ? {} : { statementBalance: null, gap: null }),
  };

  const counts = [...input.cashCounts].sort((a, b) => b.date.localeCompare(a.date));
  const last = counts[0];
  const subsidies = input.subsidies;
  const sum = (f: (s: SubsidyJson) => Cents) => subsidies.reduce((t, s) => t + f(s), 0);

  return {
    coop: { ...input.coop },
    exercise: {
      year: input.exercise.year,
      label: exerciseLabel(input.exercise.year),
      start: bounds.start,
      end: bounds.end,
      status: input.exercise.status,
    },
    provisional: input.exercise.status !== 'closed',
    date: input.date,
    compteDeFonctionnement: {
      charges: cr.charges.map(chapter),
      produits: cr.produits.map(chapter),
      totalCharges: cr.totalCharges,
      totalProduits: cr.totalProduits,
      resultat: cr.resultat,
      excedent: Math.max(cr.resultat, 0),
      deficit: Math.max(-cr.resultat, 0),
    },
    bilan: {
      banque: cr.bilan.banque,
      caisse: cr.bilan.caisse,
      regies: cr.bilan.regie,
      disponible: cr.bilan.disponible,
      reportANouveau: cr.bilan.reportANouveau,
      resultat: cr.resultat,
      fondsPropres: cr.bilan.fondsPropres,
      ecart: cr.bilan.ecart,
      equilibre: cr.bilan.ecart === 0,
    },
    rapprochement,
    caisse: {
      soldeCahier: cr.bilan.caisse,
      dernierArrete: last
        ? {
            date: last.date,
            counts: { ...last.counts },
            total: last.total,
            balance: last.balance,
            gap: last.gap,
            ok: last.ok,
          }
        : null,
      arretes: counts.length,
    },
    subventions: subsidies.map((s) => ({
      financeur: s.financeur,
      objet: s.objet,
      chapter: s.chapter,
      granted: s.granted,
      received: s.received,
      spent: s.spent,
      state: s.state,
      justifiedOn: s.justifiedOn,
    })),
    totauxSubventions: { granted: sum((s) => s.granted), received: sum((s) => s.received), spent: sum((s) => s.spent) },
    inventaire: input.inventory.map((i) => ({
      designation: i.designation,
      acquiredOn: i.acquiredOn,
      value: i.value,
      location: i.location,
      pieces: i.lines.map((l) => l.pj),
      disposedOn: i.disposedOn,
      disposalReason: i.disposalReason,
    })),
    regies: regiesBook(lines).regies.map((r) => ({
      holder: r.holder,
      given: r.given,
      spent: r.spent,
      returned: r.returned,
      balance: r.balance,
    })),
    actions: actionsSummary(lines).map((a) => ({
      action: a.action,
      receipts: a.recettes,
      expenses: a.depenses,
      result: a.resultat,
      lines: a.lignes,
    })),
  };
}
