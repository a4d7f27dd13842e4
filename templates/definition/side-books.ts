/**
 * The side books as the workbook shows them — the arrêtés de caisse, the tableau des
 * subventions, the cahier d'inventaire: the contract's shapes (side-book-contract.ts) reduced
 * to what a sheet shows, so that what the service answers goes into the workbook as it is. The
 * rules and figures of each book are in its own module (caisse, subventions, inventaire, régies).
 */
import type { Chart } from './chapters';
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
