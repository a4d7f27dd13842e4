/**
 * The synthèse des actions of an exercise: per action tag, receipts, expenses, result and how
 * many lines, from the validated lines, by the function the workbook's Actions sheet is
 * proven against (actionsSummary).
 */
import { actionsSummary, isCounted, type ActionJson } from '../../../templates/definition';
import type { Scope } from '../changes';
import { liveLines } from './book-lines';

export async function actionsOf(scope: Scope): Promise<ActionJson[]> {
  const lines = (await liveLines(scope)).filter(isCounted);
  return actionsSummary(lines).map((a) => ({
    action: a.action,
    receipts: a.recettes,
    expenses: a.depenses,
    result: a.resultat,
    lines: a.lignes,
  }));
}
