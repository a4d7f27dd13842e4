/**
 * A bank statement (relevé de compte) as every reader returns it, whatever its format: plain
 * values, amounts in signed cents (a credit on the coop's account is positive), dates
 * "YYYY-MM-DD". Readers live at the edge (server/formats/statements/); matching and the état de
 * rapprochement work on this shape.
 */
import type { Cents } from './money';
import type { IsoDate } from './dates';

export const STATEMENT_FORMATS = ['csv', 'ofx', 'cfonb120', 'camt053'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export const STATEMENT_FORMAT_LABELS: Record<StatementFormat, string> = {
  csv: 'CSV (export du site de la banque)',
  ofx: 'OFX (1.x ou 2.x)',
  cfonb120: 'CFONB 120 caractères',
  camt053: 'camt.053 (ISO 20022)',
};

export interface StatementLine {
  /** Date of the operation as the bank books it. */
  date: IsoDate;
  /** Signed cents: a credit (money received) is positive, a debit negative. */
  amount: Cents;
  /** The bank's label, one line, spaces folded. */
  label: string;
  /** Cheque number when the format or the label gives one. */
  cheque: string | null;
  /** The bank's own reference of the operation (FITID, AcctSvcrRef…), when the format has one. */
  bankRef: string | null;
}

export interface Statement {
  format: StatementFormat;
  /** Account number or IBAN as the file gives it. */
  account: string | null;
  /** First and last dates covered (from the file's own period, else from its lines). */
  period: { from: IsoDate; to: IsoDate } | null;
  openingBalance: Cents | null;
  closingBalance: Cents | null;
  lines: StatementLine[];
}

/** A label compared across imports: lower case, accents and punctuation dropped, spaces folded. */
export function normalLabel(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * What recognises each statement line on a later import of an overlapping statement: the bank's
 * reference when the format has one, else date, amount and label with the line's occurrence
 * among identical ones in the file — two genuine identical card payments on one day are both
 * kept, and both recognised when the next statement repeats them.
 */
export function statementLineKeys(lines: readonly StatementLine[]): string[] {
  const seen = new Map<string, number>();
  return lines.map((l) => {
    if (l.bankRef) return `ref|${l.bankRef}`;
    const base = `${l.date}|${l.amount}|${normalLabel(l.label)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return `op|${base}|${n}`;
  });
}
