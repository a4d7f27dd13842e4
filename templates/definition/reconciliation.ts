/**
 * The état de rapprochement at a date: the balance printed on the bank statement against the
 * cahier's bank balance, explained by the outstanding items (cheques not yet cashed, receipts not
 * yet credited). It extends the compute's `rapprochement` (the workbook's tableau de
 * rapprochement, same figures and same sign of the gap) with the date, the lines themselves and
 * last year's uncleared items.
 */
import { rapprochement } from './compute';
import type { IsoDate } from './dates';
import { bankAmount, type MatchableLine } from './matching';
import type { Cents } from './money';
import { compareNumeric } from './order';

/** A line as the état de rapprochement needs it. */
export type ReconcilableLine = Pick<MatchableLine, 'id' | 'pj' | 'date' | 'libelle' | 'amount' | 'kind' | 'account'> &
  Partial<Pick<MatchableLine, 'mode' | 'cheque'>> & {
    status: MatchableLine['status'];
    pointed?: boolean;
  };

export interface ReconciliationInput {
  /** The statement's date: lines after it are ignored. */
  date: IsoDate;
  /** The balance printed on the statement at that date. */
  statementBalance: Cents;
  /** The exercise's lines (drafts, caisse and régie lines are ignored). */
  lines: readonly ReconcilableLine[];
  /** The bank's report à nouveau (opening balance of the exercise). */
  opening: { banque: Cents };
  /**
   * Last exercise's bank lines still unpointed at its closure (already in the report à nouveau):
   * outstanding until pointed, never counted again in the balance.
   */
  carriedOver?: readonly ReconcilableLine[];
}

export interface OutstandingItem {
  id: string;
  pj: string;
  date: IsoDate;
  libelle: string;
  /** Positive cents. */
  amount: Cents;
  cheque: string | null;
  /** From the previous exercise. */
  carriedOver: boolean;
}

export interface Outstanding {
  lines: OutstandingItem[];
  total: Cents;
}

export interface Reconciliation {
  date: IsoDate;
  statementBalance: Cents;
  outstanding: {
    /** Expenses not yet seen on a statement: cheques not cashed… */
    payments: Outstanding;
    /** Receipts not yet seen on a statement: cheques deposited but not credited… */
    receipts: Outstanding;
  };
  /** Report à nouveau + validated bank movements up to the date. */
  cahierBalance: Cents;
  /** What the statement should show: cahier balance − outstanding receipts + outstanding payments. */
  expectedStatementBalance: Cents;
  /** Statement balance − expected: 0 when everything is explained. */
  gap: Cents;
}

function item(line: ReconcilableLine, carriedOver: boolean): OutstandingItem {
  return {
    id: line.id,
    pj: line.pj,
    date: line.date,
    libelle: line.libelle,
    amount: Math.abs(bankAmount(line)),
    cheque: line.cheque ?? null,
    carriedOver,
  };
}

function byDate(a: OutstandingItem, b: OutstandingItem): number {
  return a.date.localeCompare(b.date) || compareNumeric(a.pj, b.pj);
}

export function reconciliation(input: ReconciliationInput): Reconciliation {
  const counted = (l: ReconcilableLine) => l.status === 'validated' && l.date <= input.date;
  const current = input.lines.filter(counted).map((l) => ({ ...l, ventilation: [], pointed: !!l.pointed }));
  const rap = rapprochement(current, { banque: input.opening.banque, caisse: 0 }, input.statementBalance);

  const payments: OutstandingItem[] = [];
  const receipts: OutstandingItem[] = [];
  const sort = (line: ReconcilableLine, carried: boolean) => {
    if (line.pointed) return;
    const bank = bankAmount(line);
    if (bank > 0) receipts.push(item(line, carried));
    if (bank < 0) payments.push(item(line, carried));
  };
  for (const line of current) sort(line, false);
  for (const line of (input.carriedOver ?? []).filter(counted)) sort(line, true);
  payments.sort(byDate);
  receipts.sort(byDate);
  const carried = (list: OutstandingItem[]) => list.filter((i) => i.carriedOver).reduce((s, i) => s + i.amount, 0);

  // The same figures as the workbook's tableau de rapprochement, plus last year's items.
  const outstandingReceipts = rap.recettesNonPointees + carried(receipts);
  const outstandingPayments = rap.depensesNonPointees + carried(payments);
  const expectedStatementBalance = rap.soldeCahier - outstandingReceipts + outstandingPayments;
  return {
    date: input.date,
    statementBalance: input.statementBalance,
    outstanding: {
      payments: { lines: payments, total: outstandingPayments },
      receipts: { lines: receipts, total: outstandingReceipts },
    },
    cahierBalance: rap.soldeCahier,
    expectedStatementBalance,
    gap: input.statementBalance - expectedStatementBalance,
  };
}
