/** A statement line is recognised on re-import: by the bank's reference, else by its content and occurrence. */
import fc from 'fast-check';
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

describe('un relevé réimporté', () => {
  test('property: whatever the overlap, the lines of the earlier file are all recognised in the later one', () => {
    const day = fc.integer({ min: 1, max: 20 }).map((d) => `2025-10-${String(d).padStart(2, '0')}`);
    const line = fc.record({
      date: day,
      amount: fc.constantFrom(-1840, -500, 2000, -1840),
      label: fc.constantFrom('CB BOULANGERIE', 'cb boulangerie', 'PRLV EDF', 'VIR MAIRIE'),
      cheque: fc.constant(null),
      bankRef: fc.constant(null),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.integer({ min: 1, max: 20 }), (lines, cut) => {
        const sorted = [...lines].sort((a, b) => a.date.localeCompare(b.date));
        // The earlier file ends with day `cut`; the later one starts on that day (the overlap).
        const cutDate = `2025-10-${String(cut).padStart(2, '0')}`;
        const earlier = sorted.filter((l) => l.date <= cutDate);
        const later = sorted.filter((l) => l.date >= cutDate);
        const known = new Set(statementLineKeys(earlier));
        const again = statementLineKeys(later);
        // Every line of the later file dated in the overlap is recognised; the rest is new.
        later.forEach((l, i) => expect(known.has(again[i]!)).toBe(l.date === cutDate));
        // And the whole history is stored once: no line lost, none twice.
        expect(new Set([...known, ...again]).size).toBe(sorted.length);
      }),
      { numRuns: 300, seed: 20251123 },
    );
  });
});
