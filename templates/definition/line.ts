/**
 * One line of the cahier (une écriture), as the add-in, the service, imports and outside
 * scripts exchange it. Amounts are integer cents; dates are "YYYY-MM-DD".
 */
import type { Cents } from './money';
import type { IsoDate } from './dates';
import type { Account, LineKind, Mode } from './kinds';

export interface VentilationPart {
  /** Chapter code, "6180". */
  chapter: string;
  /** In the chapter's own sense: a charge is positive, an avoir on a charge is negative. */
  amount: Cents;
}

export interface LineInput {
  /** N° de pièce justificative, "001". */
  pj: string;
  date: IsoDate;
  /** "Qui – quoi". */
  libelle: string;
  mode?: Mode | null;
  cheque?: string | null;
  action?: string | null;
  kind: LineKind;
  /** The banque/caisse side of the line (régie for expenses paid from a régie d'avance). */
  account: Account;
  /** Positive, in cents. */
  amount: Cents;
  ventilation: VentilationPart[];
  /**
   * Titulaire de la régie d'avance: the teacher who holds the régie this line gives, spends or
   * returns. Required on régie lines (see `touchesRegie`), absent elsewhere.
   */
  holder?: string | null;
}

/** A line as the cahier keeps it: the input plus its pointage. */
export interface CahierLine extends LineInput {
  pointed?: boolean;
}

/** The fields a problem can concern (JSON names). */
export type LineField = keyof LineInput;

/** Zero-pads a PJ number so that pieces sort: 1 → "01" below 100 pieces, "001" beyond. */
export function formatPj(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The next free PJ number after those used ("07", "08" → "09"; "099" → "100"). */
export function nextPj(used: Iterable<string>): string {
  let max = 0;
  let width = 2;
  for (const pj of used) {
    const m = /^\s*0*(\d+)\s*$/.exec(pj);
    if (!m) continue;
    max = Math.max(max, Number(m[1]));
    width = Math.max(width, pj.trim().length);
  }
  const next = max + 1;
  return formatPj(next, Math.max(width, next > 99 ? 3 : 2));
}
