/** The closure checks: one test per code, on small hand-built exercises. */
import {
  DEFAULT_CHART,
  closureCheck,
  inventoryCheck,
  subsidiesBook,
  type ClosureInput,
  type ClosureLine,
} from '../../templates/definition';

let n = 0;
function line(partial: Partial<ClosureLine> & Pick<ClosureLine, 'kind' | 'amount'>): ClosureLine {
  n += 1;
  const chapter = partial.kind === 'recette' ? '7560' : '6180';
  return {
    id: `l${n}`,
    pj: String(n).padStart(3, '0'),
    date: '2025-10-01',
    libelle: `Ligne ${n}`,
    account: 'banque',
    ventilation: partial.kind === 'recette' || partial.kind === 'depense' ? [{ chapter, amount: partial.amount }] : [],
    status: 'validated',
    pointed: true,
    ...partial,
  };
}

/** A clean exercise 2025-2026: a receipt and an expense, both pointed, the statement at 31/08 agrees. */
function clean(over: Partial<ClosureInput> = {}): ClosureInput {
  const lines = over.lines ?? [line({ kind: 'recette', amount: 50000 }), line({ kind: 'depense', amount: 20000 })];
  return {
    year: 2025,
    date: '2026-09-05',
    opening: { banque: 100000, caisse: 0 },
    chart: DEFAULT_CHART,
    statement: { date: '2026-08-31', balance: 130000, source: 'import' },
    cashCounts: [],
    subsidies: subsidiesBook([], [], lines, DEFAULT_CHART),
    inventory: inventoryCheck(2025, [], lines, new Map(), DEFAULT_CHART),
    ...over,
    lines,
  };
}

const codes = (input: ClosureInput) => closureCheck(input).problems.map((p) => p.code);
const problem = (input: ClosureInput, code: string) => closureCheck(input).problems.find((p) => p.code === code);

describe('closure checks', () => {
  it('a clean exercise can close, with its figures', () => {
    const r = closureCheck(clean());
    expect(r.problems).toEqual([]);
    expect(r.canClose).toBe(true);
    expect(r.date).toBe('2026-09-05');
    expect(r.figures).toMatchObject({
      balances: { banque: 130000, caisse: 0, regie: 0 },
      totalProduits: 50000,
      totalCharges: 20000,
      result: 30000,
      reconciliationGap: 0,
      counts: { lines: 2, validated: 2, drafts: 0, bankLines: 2, unpointedBankLines: 0, errors: 0, warnings: 0 },
    });
  });

  it('date_trop_tot before 31 August of the end year, not from that day', () => {
    expect(problem(clean({ date: '2026-08-30' }), 'date_trop_tot')).toMatchObject({ severity: 'error' });
    expect(problem(clean({ date: '2026-08-30' }), 'date_trop_tot')!.message).toContain('31/08/2026');
    expect(closureCheck(clean({ date: '2026-08-31' })).canClose).toBe(true);
  });

  it('lignes_brouillon lists the drafts, which count in no figure', () => {
    const draft = line({ kind: 'depense', amount: 999, status: 'draft', pointed: false });
    const input = clean();
    const r = closureCheck({ ...input, lines: [...input.lines, draft] });
    expect(r.canClose).toBe(false);
    expect(r.problems.map((p) => p.code)).toEqual(['lignes_brouillon']);
    expect(r.problems[0]!.lines).toEqual([draft.id]);
    expect(r.problems[0]!.message).toContain(`PJ ${draft.pj}`);
    expect(r.figures.balances.banque).toBe(130000);
  });

  it('file_attente when the workbook still has lines to send', () => {
    expect(codes(clean({ pending: 2 }))).toEqual(['file_attente']);
    expect(problem(clean({ pending: 2 }), 'file_attente')!.message).toMatch(/^2 lignes du classeur/);
    expect(codes(clean({ pending: 0 }))).toEqual([]);
  });

  it('releve_manquant without a statement of the exercise', () => {
    expect(codes(clean({ statement: null }))).toEqual(['releve_manquant']);
    expect(codes(clean({ statement: { date: '2025-08-31', balance: 100000, source: 'saisie' } }))).toEqual([
      'releve_manquant',
    ]);
    // A balance entered by hand does as well as an import.
    expect(codes(clean({ statement: { date: '2026-08-31', balance: 130000, source: 'saisie' } }))).toEqual([]);
  });

  it('rapprochement_ecart when the statement is not explained, with the outstanding lines', () => {
    const cheque = line({ kind: 'depense', amount: 7000, pointed: false, date: '2026-08-20', mode: 'cheque' });
    const base = clean();
    const lines = [...base.lines, cheque];
    // The cheque not cashed explains 7000: the statement still shows 130000.
    expect(codes({ ...base, lines })).toEqual([]);
    const wrong = closureCheck({
      ...base,
      lines,
      statement: { date: '2026-08-31', balance: 125000, source: 'import' },
    });
    expect(wrong.problems.map((p) => p.code)).toEqual(['rapprochement_ecart']);
    expect(wrong.problems[0]!.lines).toEqual([cheque.id]);
    expect(wrong.figures.reconciliationGap).toBe(-5000);
  });

  it('pointage_ancien for unpointed bank lines before 1 June (or the given threshold)', () => {
    const old = line({ kind: 'depense', amount: 3000, pointed: false, date: '2026-05-31' });
    const recent = line({ kind: 'depense', amount: 2000, pointed: false, date: '2026-06-01' });
    const base = clean();
    const input = {
      ...base,
      lines: [...base.lines, old, recent],
      // Both cheques still outstanding: the statement shows what it showed without them.
      statement: { date: '2026-08-31', balance: 130000, source: 'import' as const },
    };
    expect(problem(input, 'pointage_ancien')!.lines).toEqual([old.id]);
    expect(codes(input)).toEqual(['pointage_ancien']);
    expect(problem({ ...input, pointageThreshold: '2026-07-01' }, 'pointage_ancien')!.lines).toEqual([
      old.id,
      recent.id,
    ]);
  });

  it('reuses the caisse check (caisse_non_comptee, caisse_ecart)', () => {
    const cash = line({ kind: 'recette', amount: 4000, account: 'caisse', pointed: false });
    const base = clean();
    const lines = [...base.lines, cash];
    expect(codes({ ...base, lines })).toEqual(['caisse_non_comptee']);
    expect(codes({ ...base, lines, cashCounts: [{ date: '2026-08-31', total: 3900 }] })).toEqual(['caisse_ecart']);
    expect(codes({ ...base, lines, cashCounts: [{ date: '2026-08-31', total: 4000 }] })).toEqual([]);
  });

  it('reuses the subsidies book (subvention_non_rattachee)', () => {
    const grant = line({ kind: 'recette', amount: 30000, ventilation: [{ chapter: '7410', amount: 30000 }] });
    const base = clean();
    const lines = [...base.lines, grant];
    const input = clean({
      lines,
      statement: { date: '2026-08-31', balance: 160000, source: 'import' },
      subsidies: subsidiesBook([], [], lines, DEFAULT_CHART),
    });
    expect(problem(input, 'subvention_non_rattachee')!.lines).toEqual([grant.id]);
  });

  it('reuses the inventory check (inventaire_manquant)', () => {
    const board = line({ kind: 'depense', amount: 10000, ventilation: [{ chapter: '6800', amount: 10000 }] });
    const base = clean();
    const lines = [...base.lines, board];
    const input = clean({
      lines,
      statement: { date: '2026-08-31', balance: 120000, source: 'import' },
      inventory: inventoryCheck(2025, [], lines, new Map(), DEFAULT_CHART),
    });
    expect(codes(input)).toEqual(['inventaire_manquant']);
  });

  it('reuses the régies (regie_non_soldee)', () => {
    const given = line({ kind: 'regie_versee', amount: 5000, holder: 'Mme Martin', pointed: true });
    const spent = line({ kind: 'depense', amount: 3000, account: 'regie', holder: 'Mme Martin', pointed: false });
    const base = clean();
    const input = {
      ...base,
      lines: [...base.lines, given, spent],
      statement: { date: '2026-08-31', balance: 125000, source: 'import' as const },
    };
    expect(codes(input)).toEqual(['regie_non_soldee']);
  });

  it('avoirs_a_verifier and lignes_sans_action warn without blocking, after the errors', () => {
    const refund = line({
      kind: 'recette',
      amount: 1500,
      action: 'Classe verte',
      ventilation: [
        { chapter: '7560', amount: 2000 },
        { chapter: '6180', amount: -500 },
      ],
    });
    const base = clean();
    const input = {
      ...base,
      pending: 1,
      lines: [...base.lines, refund],
      statement: { date: '2026-08-31', balance: 131500, source: 'import' as const },
    };
    const r = closureCheck(input);
    expect(r.problems.map((p) => [p.code, p.severity])).toEqual([
      ['file_attente', 'error'],
      ['avoirs_a_verifier', 'warning'],
      ['lignes_sans_action', 'warning'],
    ]);
    expect(r.problems[1]!.lines).toEqual([refund.id]);
    expect(r.problems[2]!.lines).toEqual(base.lines.map((l) => l.id));
    expect(closureCheck({ ...input, pending: 0 }).canClose).toBe(true);
    expect(r.figures.counts).toMatchObject({ errors: 1, warnings: 2 });
  });
});
