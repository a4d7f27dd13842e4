/**
 * The side books of the cahier: tableau des subventions, cahier d'inventaire, arrêté de caisse.
 */
import type { Chart } from './chapters';
import { chapterTotals, balances, type Opening } from './compute';
import { isInExercise, type IsoDate } from './dates';
import type { LineInput } from './line';
import type { Cents } from './money';

export interface Subvention {
  financeur: string;
  objet: string;
  /** 7410 (collectivités) or 7420 (associations). */
  chapter: string;
  accorde: Cents;
  recu: Cents;
  dateReception?: IsoDate | null;
  utilisation?: string | null;
  justifiee: boolean;
}

export interface InventoryItem {
  designation: string;
  date: IsoDate;
  pj?: string | null;
  valeur: Cents;
  dateSortie?: IsoDate | null;
  observations?: string | null;
}

/** Chapters whose use the cahier asks to detail in a side book. */
export function reminderChapters(chart: Chart, reminder: 'inventaire' | 'subvention'): string[] {
  return chart.filter((c) => c.reminder === reminder).map((c) => c.code);
}

export interface SideBookCheck {
  /** What the cahier's lines say. */
  cahier: Cents;
  /** What the side book says. */
  declare: Cents;
  ecart: Cents;
}

/** Subsidies received per the cahier (7410 + 7420) against the tableau des subventions. */
export function subventionsCheck(
  lines: readonly LineInput[],
  subventions: readonly Subvention[],
  chart: Chart,
): SideBookCheck {
  const totals = chapterTotals(lines, chart);
  const cahier = reminderChapters(chart, 'subvention').reduce((s, c) => s + (totals.get(c) ?? 0), 0);
  const declare = subventions.reduce((s, x) => s + x.recu, 0);
  return { cahier, declare, ecart: cahier - declare };
}

/** Durable goods bought (6800) against the inventory items acquired in the exercise. */
export function inventaireCheck(
  lines: readonly LineInput[],
  items: readonly InventoryItem[],
  chart: Chart,
  exercise: number,
): SideBookCheck {
  const totals = chapterTotals(lines, chart);
  const cahier = reminderChapters(chart, 'inventaire').reduce((s, c) => s + (totals.get(c) ?? 0), 0);
  const declare = items.filter((i) => isInExercise(i.date, exercise)).reduce((s, i) => s + i.valeur, 0);
  return { cahier, declare, ecart: cahier - declare };
}

/** The caisse balance at the end of a day (for the arrêté de caisse). */
export function caisseBalanceAt(lines: readonly LineInput[], opening: Opening, date: IsoDate | null): Cents {
  return balances(date ? lines.filter((l) => l.date <= date) : lines, opening).caisse;
}
