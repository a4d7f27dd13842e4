/**
 * The closure checks (clôture de l'exercice), as one pure function over the exercise's data:
 * what blocks the closure (errors) and what deserves a look (warnings), each with a stable
 * code, a French sentence saying what to do and the lines concerned; and the closing figures.
 * No clock inside: the day of the check is an argument. The side books' own checks and the état
 * de rapprochement are reused as they are: the caisse's (`caisseProblems`) and the régies'
 * (`regiesBook`) from the lines and the counts, the subsidies' and the inventory's from their
 * books (`subsidiesBook`, `inventoryCheck`) given built.
 */
import { caisseProblems } from './caisse';
import type { Chart } from './chapters';
import { balances, compteRendu, type Balances } from './compute';
import { exerciseBounds, exerciseLabel, formatDateFr, type IsoDate } from './dates';
import { touchesBank } from './kinds';
import { bankAmount } from './matching';
import { formatEuros, type Cents } from './money';
import { reconciliation } from './reconciliation';
import { regiesBook } from './regies';
import { isCounted, type LiveLine } from './side-books';
import type { BookProblem, InventoryCheckJson, SubsidiesJson } from './side-book-contract';
import { byDateThenPj, pjListText } from './subventions';

/** A live line of the exercise as the closure reads it: its status and whether it is pointed. */
export interface ClosureLine extends LiveLine {
  /** Cleared by the bank (pointed) by the date of the statement checked. */
  pointed?: boolean;
}

export interface ClosureInput {
  /** The exercise (starting year). */
  year: number;
  /** The day of the check (the service's clock). */
  date: IsoDate;
  opening: { banque: Cents; caisse: Cents };
  chart: Chart;
  /** The live lines of the exercise (drafts included: they are named, not counted). */
  lines: readonly ClosureLine[];
  /**
   * The bank statement the reconciliation is made at: the one of 31 August, or the last one of
   * the exercise (imported, or its balance entered by hand); null when there is none.
   */
  statement: { date: IsoDate; balance: Cents; source: 'import' | 'saisie' } | null;
  /** Unpointed bank lines dated before this day block (default: 1 June of the end year). */
  pointageThreshold?: IsoDate;
  /** The arrêtés de caisse of the exercise. */
  cashCounts: readonly { date: IsoDate; total: Cents }[];
  /** The tableau des subventions of the exercise, as `subsidiesBook` builds it (its problems are reused). */
  subsidies: Pick<SubsidiesJson, 'problems'>;
  /** The inventory as the exercise sees it, as `inventoryCheck` builds it (its problems are reused). */
  inventory: Pick<InventoryCheckJson, 'problems'>;
  /** Lines waiting in a workbook's queue, as the add-in reports it (0 or absent: none). */
  pending?: number;
}

export interface ClosureFigures {
  /** Balances at the end of the exercise (validated lines). */
  balances: Balances;
  totalCharges: Cents;
  totalProduits: Cents;
  /** Excédent (positive) or déficit (negative). */
  result: Cents;
  /** The statement checked and the gap of the état de rapprochement at its date (null: none). */
  statement: { date: IsoDate; balance: Cents; source: 'import' | 'saisie' } | null;
  reconciliationGap: Cents | null;
  counts: {
    lines: number;
    validated: number;
    drafts: number;
    bankLines: number;
    unpointedBankLines: number;
    errors: number;
    warnings: number;
  };
}

export interface ClosureReport {
  canClose: boolean;
  date: IsoDate;
  problems: BookProblem[];
  figures: ClosureFigures;
}

/** The codes of the closure's own checks (the side books add theirs). */
export const CLOSURE_PROBLEMS = {
  date_trop_tot: 'date_trop_tot',
  lignes_brouillon: 'lignes_brouillon',
  file_attente: 'file_attente',
  releve_manquant: 'releve_manquant',
  rapprochement_ecart: 'rapprochement_ecart',
  pointage_ancien: 'pointage_ancien',
  avoirs_a_verifier: 'avoirs_a_verifier',
  lignes_sans_action: 'lignes_sans_action',
} as const;

/** 1 June of the exercise's end year: unpointed bank lines older than this block the closure. */
export function defaultPointageThreshold(year: number): IsoDate {
  return `${year + 1}-06-01`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;
const ids = (lines: readonly { id: string }[]) => lines.map((l) => l.id);

/** Everything the closure of the exercise checks, on the given day. */
export function closureCheck(input: ClosureInput): ClosureReport {
  const { year, chart } = input;
  const { start, end } = exerciseBounds(year);
  const endFr = formatDateFr(end);
  const live = [...input.lines].sort(byDateThenPj);
  const counted = live.filter(isCounted);
  const drafts = live.filter((l) => !isCounted(l));
  const problems: BookProblem[] = [];

  // The day.
  if (input.date < end) {
    problems.push({
      code: CLOSURE_PROBLEMS.date_trop_tot,
      severity: 'error',
      message: `L’exercice ${exerciseLabel(year)} ne peut être clôturé qu’à partir du ${endFr} : d’ici là, saisissez et pointez les lignes ; cette liste montre ce qui resterait à faire.`,
      lines: [],
    });
  }

  // Every line validated, none waiting in a workbook.
  if (drafts.length) {
    problems.push({
      code: CLOSURE_PROBLEMS.lignes_brouillon,
      severity: 'error',
      message: `${plural(drafts.length, 'ligne est en brouillon', 'lignes sont en brouillon')} (${pjListText(drafts)}) : complétez-les ou supprimez-les, une ligne en brouillon n’est pas dans les comptes.`,
      lines: ids(drafts),
    });
  }
  const pending = input.pending ?? 0;
  if (pending > 0) {
    problems.push({
      code: CLOSURE_PROBLEMS.file_attente,
      severity: 'error',
      message: `${plural(pending, 'ligne du classeur attend', 'lignes du classeur attendent')} d’être envoyée${pending > 1 ? 's' : ''} au service : reconnectez-vous et attendez la fin de la synchronisation.`,
      lines: [],
    });
  }

  // The bank: the statement, the état de rapprochement, old unpointed lines.
  const statement =
    input.statement && input.statement.date >= start && input.statement.date <= end ? input.statement : null;
  let reconciliationGap: Cents | null = null;
  if (!statement) {
    problems.push({
      code: CLOSURE_PROBLEMS.releve_manquant,
      severity: 'error',
      message: `Aucun relevé bancaire de l’exercice : importez le relevé du ${endFr} (onglet Rapprochement) ou saisissez son solde dans les données de la coopérative (dernier relevé bancaire).`,
      lines: [],
    });
  } else {
    const r = reconciliation({
      date: statement.date,
      statementBalance: statement.balance,
      lines: live.map((l) => ({ ...l, status: l.status ?? 'validated' })),
      opening: { banque: input.opening.banque },
    });
    reconciliationGap = r.gap;
    if (r.gap !== 0) {
      const outstanding = [...r.outstanding.payments.lines, ...r.outstanding.receipts.lines];
      problems.push({
        code: CLOSURE_PROBLEMS.rapprochement_ecart,
        severity: 'error',
        message: `L’état de rapprochement au ${formatDateFr(statement.date)} ne tombe pas juste : le relevé indique ${formatEuros(statement.balance)}, le cahier explique ${formatEuros(r.expectedStatementBalance)} (solde du cahier ${formatEuros(r.cahierBalance)}, chèques et recettes en attente compris), écart de ${formatEuros(r.gap)}. Pointez les lignes passées en banque, saisissez celles qui manquent (frais, virements) ou corrigez les montants.`,
        lines: outstanding.map((o) => o.id),
      });
    }
  }
  const threshold = input.pointageThreshold ?? defaultPointageThreshold(year);
  const bankLines = counted.filter((l) => touchesBank(l) && bankAmount(l) !== 0);
  const unpointed = bankLines.filter((l) => !l.pointed);
  const old = unpointed.filter((l) => l.date < threshold);
  if (old.length) {
    problems.push({
      code: CLOSURE_PROBLEMS.pointage_ancien,
      severity: 'error',
      message: `${plural(old.length, 'ligne de banque antérieure', 'lignes de banque antérieures')} au ${formatDateFr(threshold)} ${old.length > 1 ? 'ne sont pas pointées' : 'n’est pas pointée'} (${pjListText(old)}) : pointez-les sur les relevés, ou vérifiez auprès de la banque (chèque perdu, jamais encaissé : à annuler).`,
      lines: ids(old),
    });
  }

  // The side books, as they report themselves.
  problems.push(
    ...caisseProblems({ year, openingCaisse: input.opening.caisse, lines: live, counts: input.cashCounts }),
    ...input.subsidies.problems,
    ...input.inventory.problems,
    ...regiesBook(live).problems,
  );

  // Warnings: avoirs, lines without action when the coop uses actions.
  const avoirs = counted.filter((l) => l.ventilation.some((p) => p.amount < 0));
  if (avoirs.length) {
    problems.push({
      code: CLOSURE_PROBLEMS.avoirs_a_verifier,
      severity: 'warning',
      message: `${plural(avoirs.length, 'ligne porte un avoir', 'lignes portent un avoir')} (montant négatif sur un chapitre : ${pjListText(avoirs)}) : vérifiez que chacun correspond bien à un remboursement reçu ou rendu.`,
      lines: ids(avoirs),
    });
  }
  const ventilated = counted.filter((l) => l.kind === 'recette' || l.kind === 'depense');
  if (ventilated.some((l) => l.action?.trim())) {
    const without = ventilated.filter((l) => !l.action?.trim());
    if (without.length) {
      problems.push({
        code: CLOSURE_PROBLEMS.lignes_sans_action,
        severity: 'warning',
        message: `La coopérative suit ses actions, mais ${plural(without.length, 'recette ou dépense n’en indique aucune', 'recettes ou dépenses n’en indiquent aucune')} (${pjListText(without)}) : indiquez l’action de chacune si elle en relève.`,
        lines: ids(without),
      });
    }
  }

  // Errors first, then warnings, each in the order of the checks.
  const sorted = [
    ...problems.filter((p) => p.severity === 'error'),
    ...problems.filter((p) => p.severity === 'warning'),
  ];
  const errors = sorted.filter((p) => p.severity === 'error').length;
  const cr = compteRendu(counted, chart, input.opening);
  return {
    canClose: errors === 0,
    date: input.date,
    problems: sorted,
    figures: {
      balances: balances(counted, input.opening),
      totalCharges: cr.totalCharges,
      totalProduits: cr.totalProduits,
      result: cr.resultat,
      statement,
      reconciliationGap,
      counts: {
        lines: live.length,
        validated: counted.length,
        drafts: drafts.length,
        bankLines: bankLines.length,
        unpointedBankLines: unpointed.length,
        errors,
        warnings: sorted.length - errors,
      },
    },
  };
}
