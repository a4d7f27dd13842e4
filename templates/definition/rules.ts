/**
 * The rules of one line of the cahier. Pure functions: the service, the add-in (status column)
 * and imports call them, so every part gives the same verdict and the same French message.
 */
import { findChapter, type Chart, DEFAULT_CHART } from './chapters';
import { exerciseBounds, exerciseLabel, formatDateFr, isInExercise, isIsoDate } from './dates';
import { KINDS, REGIE_CEILING_CENTS, ACCOUNT_LABELS, isAccount, isLineKind, isMode, touchesRegie } from './kinds';
import type { LineField, LineInput, VentilationPart } from './line';
import { formatEuros, isCents } from './money';

export type Severity = 'error' | 'warning';

export interface ProblemDefinition {
  severity: Severity;
  field: LineField;
  /** What the code means, for the documentation. */
  summary: string;
}

/** Every problem a line can have, with a stable code. */
export const PROBLEMS = {
  pj_manquant: { severity: 'error', field: 'pj', summary: 'N° de pièce justificative absent' },
  pj_deja_utilise: { severity: 'error', field: 'pj', summary: 'N° de pièce déjà utilisé dans l’exercice' },
  date_manquante: { severity: 'error', field: 'date', summary: 'date absente' },
  date_invalide: { severity: 'error', field: 'date', summary: 'date qui n’existe pas ou mal écrite' },
  date_hors_exercice: { severity: 'error', field: 'date', summary: 'date hors de l’exercice' },
  libelle_manquant: { severity: 'error', field: 'libelle', summary: 'libellé absent' },
  type_inconnu: { severity: 'error', field: 'kind', summary: 'nature d’opération inconnue' },
  compte_incompatible: { severity: 'error', field: 'account', summary: 'compte impossible pour cette nature' },
  mouvement_absent: { severity: 'error', field: 'amount', summary: 'aucun montant en banque, caisse ou régie' },
  mouvement_multiple: {
    severity: 'error',
    field: 'amount',
    summary: 'montants dans plusieurs colonnes sans former une opération connue',
  },
  montant_invalide: { severity: 'error', field: 'amount', summary: 'montant qui n’est pas un nombre' },
  montant_decimales: { severity: 'error', field: 'amount', summary: 'montant à plus de deux décimales' },
  montant_nul: { severity: 'error', field: 'amount', summary: 'montant nul' },
  montant_negatif: { severity: 'error', field: 'amount', summary: 'montant négatif' },
  mode_inconnu: { severity: 'error', field: 'mode', summary: 'mode de paiement inconnu' },
  ventilation_manquante: { severity: 'error', field: 'ventilation', summary: 'ligne à ventiler non ventilée' },
  ventilation_desequilibree: {
    severity: 'error',
    field: 'ventilation',
    summary: 'ventilation dont la somme diffère du montant',
  },
  chapitre_inconnu: { severity: 'error', field: 'ventilation', summary: 'chapitre absent du plan' },
  chapitre_double: { severity: 'error', field: 'ventilation', summary: 'chapitre ventilé deux fois' },
  ventilation_decimales: {
    severity: 'error',
    field: 'ventilation',
    summary: 'part de ventilation à plus de deux décimales',
  },
  sens_chapitre: {
    severity: 'error',
    field: 'ventilation',
    summary: 'dépense sur un produit ou recette sur une charge',
  },
  ventilation_negative: {
    severity: 'error',
    field: 'ventilation',
    summary: 'part négative sur un chapitre du même sens',
  },
  operation_interne_ventilee: {
    severity: 'error',
    field: 'ventilation',
    summary: 'opération interne (dépôt, retrait, régie) ventilée',
  },
  avoir: {
    severity: 'warning',
    field: 'ventilation',
    summary: 'avoir : montant négatif sur un chapitre de l’autre sens',
  },
  rappel_inventaire: { severity: 'warning', field: 'ventilation', summary: 'bien durable à inscrire à l’inventaire' },
  rappel_subvention: { severity: 'warning', field: 'ventilation', summary: 'subvention à détailler' },
  cheque_sans_numero: { severity: 'warning', field: 'cheque', summary: 'chèque sans numéro' },
  numero_sans_cheque: { severity: 'warning', field: 'cheque', summary: 'numéro de chèque sans le mode chèque' },
  regie_plafond: { severity: 'warning', field: 'amount', summary: 'régie d’avance au-delà de 150 €' },
  regie_sans_titulaire: { severity: 'error', field: 'holder', summary: 'ligne de régie sans son titulaire' },
  titulaire_hors_regie: {
    severity: 'warning',
    field: 'holder',
    summary: 'titulaire de régie sur une ligne qui ne touche pas de régie',
  },
  valeur_illisible: {
    severity: 'error',
    field: 'amount',
    summary: 'valeur illisible dans l’ancien cahier importé (la ligne entre en brouillon)',
  },
} as const satisfies Record<string, ProblemDefinition>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface Problem {
  code: ProblemCode;
  severity: Severity;
  field: LineField;
  /** A French sentence for the treasurer. */
  message: string;
  /** The chapter concerned, for ventilation problems on one chapter. */
  chapter?: string;
}

/**
 * What an import read wrong in a cell of an old cahier (an amount, a ventilation it could not
 * read): kept with the line, which stays a draft until corrected, even when the rest passes the
 * rules. `validateLine` never gives it: only the import does.
 */
export function unreadableValue(field: 'amount' | 'ventilation', message: string): Problem {
  return { code: 'valeur_illisible', severity: 'error', field, message };
}

export function problem(code: ProblemCode, message: string, chapter?: string): Problem {
  const def: ProblemDefinition = PROBLEMS[code];
  return chapter === undefined
    ? { code, severity: def.severity, field: def.field, message }
    : { code, severity: def.severity, field: def.field, message, chapter };
}

export interface RuleContext {
  /** The exercise (starting year) the line belongs to. */
  exercise: number;
  chart?: Chart;
  /** PJ numbers already used by other lines of the exercise. */
  pjTaken?: (pj: string) => boolean;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** The signed contribution of a ventilation part to the line's amount. */
export function signedPart(line: Pick<LineInput, 'kind'>, part: VentilationPart, chart: Chart): number {
  const chapter = findChapter(chart, part.chapter);
  const side = KINDS[line.kind].side;
  if (!chapter || !side) return part.amount;
  return chapter.side === side ? part.amount : -part.amount;
}

/** Amount minus the ventilation (0 when balanced), in the line's own sense. */
export function ventilationShortfall(line: Pick<LineInput, 'kind' | 'amount' | 'ventilation'>, chart: Chart): number {
  let sum = 0;
  for (const part of line.ventilation) sum += signedPart(line, part, chart);
  return line.amount - sum;
}

function checkText(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** Validates one line: every problem, errors (blocking) and warnings. */
export function validateLine(line: LineInput, ctx: RuleContext): Problem[] {
  const chart = ctx.chart ?? DEFAULT_CHART;
  const out: Problem[] = [];

  const pj = checkText(line.pj);
  if (!pj) out.push(problem('pj_manquant', 'Le N° de pièce justificative est obligatoire.'));
  else if (ctx.pjTaken?.(pj)) {
    out.push(problem('pj_deja_utilise', `La pièce N° ${pj} est déjà utilisée dans cet exercice.`));
  }

  const { start, end } = exerciseBounds(ctx.exercise);
  if (!checkText(line.date)) out.push(problem('date_manquante', 'La date est obligatoire (jj/mm/aaaa).'));
  else if (!isIsoDate(line.date)) {
    out.push(problem('date_invalide', `La date « ${line.date} » n’existe pas ; écrivez-la jj/mm/aaaa.`));
  } else if (!isInExercise(line.date, ctx.exercise)) {
    out.push(
      problem(
        'date_hors_exercice',
        `La date ${formatDateFr(line.date)} est hors de l’exercice ${exerciseLabel(ctx.exercise)} (du ${formatDateFr(start)} au ${formatDateFr(end)}).`,
      ),
    );
  }

  if (!checkText(line.libelle)) {
    out.push(problem('libelle_manquant', 'Le libellé est obligatoire : « qui – quoi ».'));
  }

  if (line.mode != null && !isMode(line.mode)) {
    out.push(problem('mode_inconnu', `Le mode de paiement « ${String(line.mode)} » est inconnu.`));
  }
  const cheque = checkText(line.cheque);
  if (line.mode === 'cheque' && !cheque) {
    out.push(problem('cheque_sans_numero', 'Chèque sans numéro : le numéro facilite le pointage.'));
  }
  if (cheque && isMode(line.mode) && line.mode !== 'cheque') {
    out.push(problem('numero_sans_cheque', 'Un numéro de chèque est saisi mais le mode n’est pas « Chèque ».'));
  }

  let amountOk = false;
  if (typeof line.amount !== 'number' || !Number.isFinite(line.amount)) {
    out.push(problem('montant_invalide', 'Le montant doit être un nombre.'));
  } else if (!isCents(line.amount)) {
    out.push(problem('montant_decimales', `Le montant ${line.amount / 100} € a plus de deux décimales.`));
  } else if (line.amount === 0) {
    out.push(problem('montant_nul', 'Le montant est nul.'));
  } else if (line.amount < 0) {
    out.push(
      problem(
        'montant_negatif',
        'Le montant doit être positif. Pour un avoir, saisissez une recette ventilée en négatif sur le chapitre de charge.',
      ),
    );
  } else amountOk = true;

  if (!isLineKind(line.kind)) {
    out.push(problem('type_inconnu', `La nature « ${String(line.kind)} » est inconnue.`));
    return out;
  }
  const kind = KINDS[line.kind];
  if (!isAccount(line.account) || !kind.accounts.includes(line.account)) {
    const allowed = kind.accounts.map((a) => ACCOUNT_LABELS[a]).join(' ou ');
    out.push(problem('compte_incompatible', `Une ligne « ${kind.label} » se porte sur : ${allowed}.`));
  }
  if (line.kind === 'regie_versee' && amountOk && line.amount > REGIE_CEILING_CENTS) {
    out.push(
      problem(
        'regie_plafond',
        `Une régie d’avance ne dépasse pas ${formatEuros(REGIE_CEILING_CENTS)} (ici ${formatEuros(line.amount)}).`,
      ),
    );
  }

  if (isAccount(line.account) && kind.accounts.includes(line.account)) {
    const holder = checkText(line.holder);
    if (touchesRegie({ kind: line.kind, account: line.account }) && !holder) {
      out.push(
        problem(
          'regie_sans_titulaire',
          'Ligne de régie d’avance : indiquez son titulaire (l’enseignant qui tient la régie).',
        ),
      );
    } else if (!touchesRegie({ kind: line.kind, account: line.account }) && holder) {
      out.push(
        problem(
          'titulaire_hors_regie',
          `« ${holder} » est indiqué comme titulaire de régie, mais la ligne ne touche pas de régie d’avance.`,
        ),
      );
    }
  }

  const parts = Array.isArray(line.ventilation) ? line.ventilation : [];
  if (!kind.ventilated) {
    if (parts.some((p) => p.amount !== 0)) {
      out.push(
        problem(
          'operation_interne_ventilee',
          `Une ligne « ${kind.label} » est une opération interne : ne la ventilez pas.`,
        ),
      );
    }
    return out;
  }

  if (parts.length === 0) {
    out.push(
      problem(
        'ventilation_manquante',
        kind.side === 'charge'
          ? 'Ventilez la dépense sur un chapitre de charges (6…).'
          : 'Ventilez la recette sur un chapitre de produits (7…).',
      ),
    );
    return out;
  }

  const seen = new Set<string>();
  let partsOk = true;
  for (const part of parts) {
    const chapter = findChapter(chart, part.chapter);
    if (!chapter) {
      out.push(problem('chapitre_inconnu', `Le chapitre ${part.chapter} n’existe pas dans le plan.`, part.chapter));
      partsOk = false;
      continue;
    }
    if (seen.has(chapter.code)) {
      out.push(problem('chapitre_double', `Le chapitre ${chapter.code} est ventilé deux fois.`, chapter.code));
    }
    seen.add(chapter.code);
    if (!isCents(part.amount)) {
      out.push(
        problem('ventilation_decimales', `La part du chapitre ${chapter.code} a plus de deux décimales.`, chapter.code),
      );
      partsOk = false;
      continue;
    }
    const sameSide = chapter.side === kind.side;
    if (!sameSide && part.amount > 0) {
      partsOk = false; // the side must be fixed first: no balance message on top
      out.push(
        problem(
          'sens_chapitre',
          kind.side === 'charge'
            ? `Une dépense ne se ventile pas sur le chapitre de produits ${chapter.code} (sauf en négatif, pour un remboursement).`
            : `Une recette ne se ventile pas sur le chapitre de charges ${chapter.code} (sauf en négatif, pour un avoir).`,
          chapter.code,
        ),
      );
    } else if (!sameSide && part.amount < 0) {
      out.push(
        problem(
          'avoir',
          `Avoir : ${formatEuros(-part.amount)} viennent en déduction du chapitre ${chapter.code} (${chapter.label}).`,
          chapter.code,
        ),
      );
    } else if (sameSide && part.amount < 0) {
      out.push(
        problem(
          'ventilation_negative',
          `La part du chapitre ${chapter.code} est négative : seul un avoir (chapitre de l’autre sens) peut l’être.`,
          chapter.code,
        ),
      );
    }
    if (chapter.reminder === 'inventaire' && part.amount > 0) {
      out.push(
        problem(
          'rappel_inventaire',
          `Bien durable (${chapter.code}) : inscrivez-le au cahier d’inventaire.`,
          chapter.code,
        ),
      );
    }
    if (chapter.reminder === 'subvention' && part.amount > 0) {
      out.push(
        problem(
          'rappel_subvention',
          `Subvention (${chapter.code}) : renseignez-la dans le tableau des subventions.`,
          chapter.code,
        ),
      );
    }
  }

  if (partsOk && amountOk) {
    const gap = ventilationShortfall(line, chart);
    if (gap !== 0) {
      const ventilated = line.amount - gap;
      out.push(
        problem(
          'ventilation_desequilibree',
          `La ventilation (${formatEuros(ventilated)}) ne correspond pas au montant (${formatEuros(line.amount)}) : ${
            gap > 0 ? `il manque ${formatEuros(gap)}` : `${formatEuros(-gap)} de trop`
          }.`,
        ),
      );
    }
  }
  return out;
}

/** PJ numbers used more than once among lines (for a whole cahier). */
export function duplicatePjs(lines: readonly Pick<LineInput, 'pj'>[]): string[] {
  const count = new Map<string, number>();
  for (const l of lines) {
    const pj = l.pj.trim();
    if (pj) count.set(pj, (count.get(pj) ?? 0) + 1);
  }
  return [...count].filter(([, n]) => n > 1).map(([pj]) => pj);
}
