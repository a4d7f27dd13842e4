/**
 * The compte rendu financier built from plain values: totals per chapter equal the lines'
 * ventilation, drafts are left out, the bilan balances (or shows its gap), the rapprochement is
 * the état de rapprochement's, the side books are carried over as they are; and, over generated
 * years, totals equal the sum of the lines and the bilan balances.
 */
import {
  DEFAULT_CHART,
  buildCrf,
  chapterTotals,
  reconciliation,
  type CrfInput,
  type CrfLine,
  type LineInput,
} from '../../templates/definition';
import { generateYear } from '../../server/demo/year';

let seq = 0;
function line(
  kind: LineInput['kind'],
  amount: number,
  chapters: Record<string, number>,
  extra: Partial<CrfLine> = {},
): CrfLine {
  seq += 1;
  return {
    id: `l${seq}`,
    pj: String(seq).padStart(3, '0'),
    date: '2025-10-01',
    libelle: `Ligne ${seq}`,
    kind,
    account: 'banque',
    amount,
    ventilation: Object.entries(chapters).map(([chapter, a]) => ({ chapter, amount: a })),
    status: 'validated',
    ...extra,
  };
}

const base = (lines: CrfLine[], extra: Partial<CrfInput> = {}): CrfInput => ({
  coop: {
    number: '087-0001',
    name: 'Coopérative de l’école Jules Ferry',
    school: 'École Jules Ferry',
    department: '87',
  },
  exercise: { year: 2025, status: 'open' },
  date: '2026-03-15',
  chart: DEFAULT_CHART,
  opening: { banque: 120_000, caisse: 5_000 },
  lines,
  statement: { date: '2026-02-28', balance: 0 },
  cashCounts: [],
  subsidies: [],
  inventory: [],
  ...extra,
});

describe('the compte rendu financier of a small exercise', () => {
  const lines: CrfLine[] = [
    line('recette', 45_000, { '7560': 45_000 }, { action: 'Kermesse', pointed: true }),
    line('recette', 12_345, { '7410': 12_345 }, { date: '2025-11-05', pointed: true }),
    line(
      'depense',
      23_456,
      { '6180': 20_000, '6070': 3_456 },
      { action: 'Kermesse', cheque: '1234567', mode: 'cheque' },
    ),
    line('depense', 1_999, { '6281': 1_999 }, { account: 'caisse', mode: 'especes' }),
    line('depense', 9_999, { '6180': 9_999 }, { status: 'draft' }),
    line('regie_versee', 10_000, {}, { holder: 'Mme Martin', pointed: true }),
    line('depense', 7_000, { '6070': 7_000 }, { account: 'regie', holder: 'Mme Martin' }),
  ];
  const crf = buildCrf(base(lines, { statement: { date: '2026-02-28', balance: 120_000 + 45_000 + 12_345 - 10_000 } }));
  const cf = crf.compteDeFonctionnement;
  const total = (list: typeof cf.charges, code: string) => list.find((c) => c.chapter === code)!.total;

  test('identity, exercise, provisional before the closure', () => {
    expect(crf.coop).toEqual({
      number: '087-0001',
      name: 'Coopérative de l’école Jules Ferry',
      school: 'École Jules Ferry',
      department: '87',
    });
    expect(crf.exercise).toEqual({
      year: 2025,
      label: '2025-2026',
      start: '2025-09-01',
      end: '2026-08-31',
      status: 'open',
    });
    expect([crf.provisional, crf.date]).toEqual([true, '2026-03-15']);
    expect(buildCrf(base(lines, { exercise: { year: 2025, status: 'closed' } })).provisional).toBe(false);
  });

  test('compte de fonctionnement per chapter, to the cent, drafts left out', () => {
    expect(total(cf.charges, '6180')).toBe(20_000);
    expect(total(cf.charges, '6070')).toBe(3_456 + 7_000);
    expect(total(cf.charges, '6281')).toBe(1_999);
    expect(total(cf.produits, '7560')).toBe(45_000);
    expect(total(cf.produits, '7410')).toBe(12_345);
    expect(cf.totalCharges).toBe(20_000 + 10_456 + 1_999);
    expect(cf.totalProduits).toBe(57_345);
    expect(cf.totalCharges).toBe(cf.charges.reduce((s, c) => s + c.total, 0));
    expect(cf.resultat).toBe(57_345 - 32_455);
    expect([cf.excedent, cf.deficit]).toEqual([24_890, 0]);
    expect(cf.charges[0]).toEqual({ chapter: '6070', label: expect.any(String), total: 10_456 });
  });

  test('the bilan balances: disponible = report à nouveau + résultat', () => {
    expect(crf.bilan).toEqual({
      banque: 120_000 + 45_000 + 12_345 - 23_456 - 10_000,
      caisse: 5_000 - 1_999,
      regies: 10_000 - 7_000,
      disponible: 120_000 + 45_000 + 12_345 - 23_456 - 10_000 + 3_001 + 3_000,
      reportANouveau: 125_000,
      resultat: 24_890,
      fondsPropres: 125_000 + 24_890,
      ecart: 0,
      equilibre: true,
    });
  });

  test('an unbalanced line shows its gap in the bilan', () => {
    const odd = line('depense', 5_000, { '6180': 4_550 });
    const b = buildCrf(base([...lines, odd])).bilan;
    expect([b.ecart, b.equilibre]).toEqual([-450, false]);
  });

  test('a déficit is shown as a positive amount', () => {
    const c = buildCrf(base([line('depense', 3_000, { '6180': 3_000 })])).compteDeFonctionnement;
    expect([c.resultat, c.excedent, c.deficit]).toEqual([-3_000, 0, 3_000]);
  });

  test('the rapprochement is the état de rapprochement at the exercise’s end', () => {
    const r = crf.rapprochement;
    expect(r.statement).toEqual({ date: '2026-02-28', balance: 167_345 });
    expect(r.outstanding.payments.lines.map((l) => [l.pj, l.amount, l.cheque])).toEqual([['003', 23_456, '1234567']]);
    expect(r.outstanding.receipts.total).toBe(0);
    expect(r.cahierBalance).toBe(crf.bilan.banque);
    expect(r.gap).toBe(0);
    const same = reconciliation({
      date: '2026-08-31',
      statementBalance: 167_345,
      lines: lines.filter((l) => l.status !== 'draft').map((l) => ({ ...l, status: 'validated' as const })),
      opening: { banque: 120_000 },
    });
    expect(r.expectedStatementBalance).toBe(same.expectedStatementBalance);
    const none = buildCrf(base(lines, { statement: null })).rapprochement;
    expect([none.statement, none.statementBalance, none.gap]).toEqual([null, null, null]);
  });

  test('régies and actions from the validated lines; the last arrêté de caisse', () => {
    expect(crf.regies).toEqual([{ holder: 'Mme Martin', given: 10_000, spent: 7_000, returned: 0, balance: 3_000 }]);
    expect(crf.actions).toEqual([{ action: 'Kermesse', receipts: 45_000, expenses: 23_456, result: 21_544, lines: 2 }]);
    const counts: CrfInput['cashCounts'] = [
      { date: '2025-10-31', counts: { '500': 6 }, total: 3_000, balance: 3_001, gap: -1, ok: false },
      { date: '2026-01-31', counts: { '1000': 3, '1': 1 }, total: 3_001, balance: 3_001, gap: 0, ok: true },
    ];
    const c = buildCrf(base(lines, { cashCounts: counts })).caisse;
    expect(c).toEqual({ soldeCahier: 3_001, dernierArrete: counts[1]!, arretes: 2 });
    expect(crf.caisse).toEqual({ soldeCahier: 3_001, dernierArrete: null, arretes: 0 });
  });
});

describe('over generated years', () => {
  test.each([1, 2, 3, 2025, 4242])(
    'seed %i: totals equal the sum of the lines’ chapters, the bilan balances',
    (seed) => {
      const year = generateYear({ exercise: 2025, seed });
      const lines = year.lines.map((l, i) => ({ ...l, id: `g${i}`, status: 'validated' as const }));
      const crf = buildCrf(
        base(lines, { opening: year.opening, statement: { date: year.releve.date, balance: year.releve.solde } }),
      );
      const cf = crf.compteDeFonctionnement;
      const totals = chapterTotals(lines, DEFAULT_CHART);
      for (const c of [...cf.charges, ...cf.produits]) expect(c.total).toBe(totals.get(c.chapter));
      const sumSide = (side: 'charge' | 'produit') =>
        lines
          .flatMap((l) => l.ventilation)
          .filter((p) => DEFAULT_CHART.find((c) => c.code === p.chapter)?.side === side)
          .reduce((s, p) => s + p.amount, 0);
      expect(cf.totalCharges).toBe(sumSide('charge'));
      expect(cf.totalProduits).toBe(sumSide('produit'));
      expect(cf.resultat).toBe(cf.totalProduits - cf.totalCharges);
      expect(crf.bilan.ecart).toBe(0);
      expect(crf.bilan.disponible).toBe(crf.bilan.reportANouveau + crf.bilan.resultat);
      expect(Number.isInteger(crf.bilan.disponible)).toBe(true);
    },
  );
});
