/**
 * The side books as the workbook shows them — the arrêtés de caisse, the tableau des
 * subventions, the cahier d'inventaire: the contract's shapes (side-book-contract.ts) reduced
 * to what a sheet shows, so that what the service answers goes into the workbook as it is. The
 * rules and figures of each book are in its own module (caisse, subventions, inventaire, régies).
 */
import type { Chart } from './chapters';
import { balances, type Opening } from './compute';
import type { IsoDate } from './dates';
import type { LineInput } from './line';
import type { Cents } from './money';
import type { CashCountJson, InventoryItemJson, LineRef, SubsidyJson } from './side-book-contract';

/** An arrêté de caisse on the Caisse sheet: its date and what was counted (cents → how many). */
export type CashCountEntry = Pick<CashCountJson, 'date' | 'counts'>;

/** A subsidy on the Subventions sheet. */
export type SubsidyEntry = Pick<
  SubsidyJson,
  | 'financeur'
  | 'objet'
  | 'chapter'
  | 'granted'
  | 'decisionDate'
  | 'received'
  | 'spent'
  | 'state'
  | 'justifiedOn'
  | 'note'
>;

/** A durable good on the Inventaire sheet, with the N° de pièce of the lines it comes from. */
export type InventoryEntry = Pick<
  InventoryItemJson,
  'designation' | 'acquiredOn' | 'value' | 'location' | 'disposedOn' | 'disposalReason'
> & { lines: readonly Pick<LineRef, 'pj'>[] };

/** Chapters whose use the cahier asks to detail in a side book. */
export function reminderChapters(chart: Chart, reminder: 'inventaire' | 'subvention'): string[] {
  return chart.filter((c) => c.reminder === reminder).map((c) => c.code);
}

/** The caisse balance at the end of a day (for the arrêté de caisse); null: at the end of the lines. */
export function caisseBalanceAt(lines: readonly LineInput[], opening: Opening, date: IsoDate | null): Cents {
  return balances(date ? lines.filter((l) => l.date <= date) : lines, opening).caisse;
}
