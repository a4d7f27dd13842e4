/**
 * The régies d'avance, as pure rules: per holder (the teacher who holds the régie), what was
 * given (`regie_versee`), spent (expenses on the `regie` account, per chapter of their
 * ventilation), returned (`regie_remboursee`), and the balance, which must be back to 0 at the
 * closure.
 *
 * The figures come from the validated lines, like every figure of the cahier. A régie line
 * without a holder is refused by the rules (it stays a draft), so it is in no régie: it is
 * reported by `regie_sans_titulaire` with the other lines to complete. A validated régie line
 * without holder (entered before the holder existed) is counted under the holder "" (« sans
 * titulaire »), listed last, and reported the same way. A holder's draft lines are not counted:
 * `regie_brouillon` (a warning; the closure refuses drafts anyway) names them.
 */
import { isCounted, type LiveLine } from './side-books';
import { touchesRegie } from './kinds';
import { formatEuros, type Cents } from './money';
import type { BookProblem, RegieJson, RegiesJson } from './side-book-contract';
import { bookLineRef, byDateThenPj, pjListText } from './subventions';
import { compareFr, compareNumeric } from './order';

/** The holder as typed, tidied: "  Mme   Martin " → "Mme Martin"; none → "". */
export const holderName = (holder: string | null | undefined): string => (holder ?? '').trim().replace(/\s+/g, ' ');

/** Two spellings of one holder ("Mme Martin", "mme martin") are one régie. */
const holderKey = (holder: string) => holder.toLocaleLowerCase('fr');

/** Codes of the problems the régies report. */
export const REGIE_PROBLEMS = {
  regie_non_soldee: 'regie_non_soldee',
  regie_sans_titulaire: 'regie_sans_titulaire',
  regie_brouillon: 'regie_brouillon',
} as const;

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;
const whose = (holder: string) => (holder ? `de ${holder}` : 'sans titulaire');

/**
 * The régies of the exercise from its live lines (drafts included: they are named, not
 * counted), sorted by holder (French order, « sans titulaire » last), with their problems:
 * - `regie_non_soldee` (error), per régie whose balance is not 0, with all its lines;
 * - `regie_sans_titulaire` (error), the régie lines that name no holder;
 * - `regie_brouillon` (warning), per holder, its régie lines still in draft.
 */
export function regiesBook(lines: readonly LiveLine[]): RegiesJson {
  const regieLines = lines.filter((l) => touchesRegie(l)).sort(byDateThenPj);
  const groups = new Map<string, { holder: string; lines: LiveLine[]; drafts: LiveLine[] }>();
  for (const line of regieLines) {
    const holder = holderName(line.holder);
    const key = holderKey(holder);
    const g = groups.get(key) ?? { holder, lines: [], drafts: [] };
    (isCounted(line) ? g.lines : g.drafts).push(line);
    groups.set(key, g);
  }
  const ordered = [...groups.values()].sort((a, b) =>
    !a.holder || !b.holder ? (a.holder ? -1 : b.holder ? 1 : 0) : compareFr(a.holder, b.holder),
  );

  const regies: RegieJson[] = [];
  const problems: BookProblem[] = [];
  for (const g of ordered) {
    if (!g.lines.length) continue;
    const r = regieOf(g.holder, g.lines);
    regies.push(r);
    if (r.balance !== 0) {
      const message =
        r.balance > 0
          ? `La régie ${whose(r.holder)} n’est pas soldée : ${formatEuros(r.balance)} restent à justifier. Saisissez les dépenses payées avec la régie, ou le reliquat rendu (« Régie remboursée »).`
          : `La régie ${whose(r.holder)} est dépassée de ${formatEuros(-r.balance)} : dépenses et remboursements font plus que l’avance. Vérifiez les montants, ou saisissez le complément versé (« Régie versée »).`;
      problems.push({
        code: REGIE_PROBLEMS.regie_non_soldee,
        severity: 'error',
        message,
        lines: g.lines.map((l) => l.id),
      });
    }
  }
  const orphans = regieLines.filter((l) => !holderName(l.holder));
  if (orphans.length) {
    problems.push({
      code: REGIE_PROBLEMS.regie_sans_titulaire,
      severity: 'error',
      message: `${plural(orphans.length, 'ligne de régie d’avance n’indique pas son titulaire', 'lignes de régie d’avance n’indiquent pas leur titulaire')} (${pjListText(orphans)}) : indiquez sur chacune l’enseignant qui tient la régie.`,
      lines: orphans.map((l) => l.id),
    });
  }
  for (const g of ordered) {
    if (!g.holder || !g.drafts.length) continue;
    problems.push({
      code: REGIE_PROBLEMS.regie_brouillon,
      severity: 'warning',
      message:
        g.drafts.length === 1
          ? `La régie de ${g.holder} a 1 ligne en brouillon, non comptée (${pjListText(g.drafts)}) : corrigez-la pour qu’elle entre dans la régie.`
          : `La régie de ${g.holder} a ${g.drafts.length} lignes en brouillon, non comptées (${pjListText(g.drafts)}) : corrigez-les pour qu’elles entrent dans la régie.`,
      lines: g.drafts.map((l) => l.id),
    });
  }
  return { regies, problems };
}

/** One régie from its (validated) lines. */
export function regieOf(holder: string, lines: readonly LiveLine[]): RegieJson {
  let given = 0;
  let spent = 0;
  let returned = 0;
  const byChapter = new Map<string, Cents>();
  for (const l of lines) {
    if (l.kind === 'regie_versee') given += l.amount;
    else if (l.kind === 'regie_remboursee') returned += l.amount;
    else if (l.kind === 'depense' && l.account === 'regie') {
      spent += l.amount;
      for (const p of l.ventilation) byChapter.set(p.chapter, (byChapter.get(p.chapter) ?? 0) + p.amount);
    }
  }
  return {
    holder,
    given,
    spent,
    spentByChapter: [...byChapter]
      .filter(([, amount]) => amount !== 0)
      .sort(([a], [b]) => compareNumeric(a, b))
      .map(([chapter, amount]) => ({ chapter, amount })),
    returned,
    balance: given - spent - returned,
    lines: [...lines].sort(byDateThenPj).map((l) => bookLineRef(l, l.amount)),
  };
}
