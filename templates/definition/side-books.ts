/**
 * The side books as the workbook shows them — the arrêtés de caisse, the tableau des
 * subventions, the cahier d'inventaire: the contract's shapes (side-book-contract.ts) reduced
 * to what a sheet shows, so that what the service answers goes into the workbook as it is. The
 * rules and figures of each book are in its own module (caisse, subventions, inventaire, régies).
 */
import type { Chart } from './chapters';
import type { LineStatus } from './matching';
import type { BookLine, CashCountJson, InventoryItemJson, LineRef, SubsidyJson } from './side-book-contract';

/**
 * A live (not deleted) line of the exercise with its status, as every side book reads it. Only
 * validated lines count in a side book's figures, as in the cahier's: a draft is not yet a line
 * of the accounts (the closure refuses drafts anyway). A book may name its drafts, never count them.
 */
export interface LiveLine extends BookLine {
  /** Absent: validated. */
  status?: LineStatus;
}

/** True when the line counts in the cahier's figures and the side books' (validated). */
export const isCounted = (line: { status?: LineStatus }): boolean => line.status !== 'draft';

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
