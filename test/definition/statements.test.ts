/** A statement line is recognised on re-import: by the bank's reference, else by its content and occurrence. */
import { statementLineKeys, type StatementLine } from '../../templates/definition';

const card = (label = 'CB BOULANGERIE DUPONT 12/09'): StatementLine => ({
  date: '2025-09-12',
  amount: -1840,
  label,
  cheque: null,
  bankRef: null,
});

describe('les lignes d’un relevé reconnues d’un import à l’autre', () => {
  test('two identical card payments on one day are two lines, recognised again in the next file', () => {
    const first = statementLineKeys([card(), card()]);
    expect(new Set(first).size).toBe(2);
    // The next statement repeats both, with a third the same day and another line before them.
    const next = statementLineKeys([{ ...card(), amount: -500 }, card(), card(), card()]);
    expect(next.slice(1, 3)).toEqual(first);
    expect(first).not.toContain(next[3]);
  });

  test('case, accents and punctuation of the label do not matter; the amount and date do', () => {
    const [a] = statementLineKeys([card('CB Boulangerie Dupont – 12/09')]);
    const [b] = statementLineKeys([card('cb boulangerie dupont 12 09')]);
    expect(a).toBe(b);
    expect(statementLineKeys([{ ...card(), amount: -1841 }])[0]).not.toBe(a);
    expect(statementLineKeys([{ ...card(), date: '2025-09-13' }])[0]).not.toBe(a);
  });

  test('with a bank reference, the reference alone recognises the line', () => {
    const [a] = statementLineKeys([{ ...card(), bankRef: 'FIT-0042' }]);
    const [b] = statementLineKeys([{ ...card('PAIEMENT CB 12/09 BOULANGERIE'), bankRef: 'FIT-0042' }]);
    expect(a).toBe(b);
  });
});
