/** The arrêté de caisse as pure rules: what a count may hold, its figures, the closure's checks. */
import {
  caisseBalanceOn,
  caisseProblems,
  cashCountFigures,
  countedTotal,
  validateCashCount,
  type LiveLine,
} from '../../templates/definition';

const euro = (n: string) => n.replace(/ €/g, '\u00a0€');

let n = 0;
function line(extra: Partial<LiveLine>): LiveLine {
  n += 1;
  const amount = extra.amount ?? 1000;
  return {
    id: `l${n}`,
    pj: String(n).padStart(3, '0'),
    date: '2025-10-01',
    libelle: `Ligne ${n}`,
    kind: 'recette',
    account: 'caisse',
    mode: 'especes',
    amount,
    ventilation: [{ chapter: '7080', amount }],
    status: 'validated',
    ...extra,
  };
}

describe('ce qu’un arrêté de caisse peut contenir', () => {
  test('notes and coins in cents, whole numbers: the total in cents, zeros left out', () => {
    const r = validateCashCount({ '5000': 1, '2000': 2, '50': 3, '1': 0 });
    expect(r).toEqual({ ok: true, counts: { '5000': 1, '2000': 2, '50': 3 }, total: 9150 });
    expect(validateCashCount({})).toEqual({ ok: true, counts: {}, total: 0 });
    expect(countedTotal({ '50000': 2, '1': 7 })).toBe(100_007);
  });

  test('a value that is no note nor coin is refused, naming the field', () => {
    const r = validateCashCount({ '3000': 1, abc: 2, '05000': 1, '5000': 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { field: 'counts.3000', message: euro('counts.3000 : 30,00 € n’est pas un billet ni une pièce') },
      {
        field: 'counts.abc',
        message:
          'counts.abc : « abc » n’est pas une valeur en centimes (« 5000 » pour un billet de 50 €, « 50 » pour une pièce de 50 c)',
      },
      { field: 'counts.05000', message: 'counts.05000 : écrivez la valeur en centimes sans zéro devant (« 5000 »)' },
    ]);
  });

  test('how many: a whole number, not negative, within reason', () => {
    const r = validateCashCount({ '5000': -2, '50': 1.5, '200': '3', '1': 100_001, '10': null });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.fromEntries(r.errors.map((e) => [e.field, e.message]))).toEqual({
      'counts.5000': 'counts.5000 : le nombre de billets ne peut pas être négatif (-2)',
      'counts.50': 'counts.50 : nombre entier de pièces attendu (pas 1,5)',
      'counts.200': 'counts.200 : nombre de pièces attendu (un entier, 0 ou plus)',
      'counts.1': 'counts.1 : 100\u202f000 pièces au plus',
      'counts.10': 'counts.10 : nombre de pièces attendu (un entier, 0 ou plus)',
    });
  });

  test('counts must be an object', () => {
    expect(validateCashCount(undefined)).toEqual({
      ok: false,
      errors: [{ field: 'counts', message: 'counts : champ obligatoire' }],
    });
    for (const bad of [null, [1, 2], 12, 'beaucoup']) {
      const r = validateCashCount(bad);
      expect(r.ok ? null : r.errors.map((e) => e.field)).toEqual(['counts']);
    }
  });
});

describe('le solde de la caisse à la fin d’un jour', () => {
  const lines = [
    line({ date: '2025-09-10', amount: 3000 }), // recette caisse
    line({ date: '2025-09-10', kind: 'depense', amount: 500, ventilation: [{ chapter: '6180', amount: 500 }] }),
    line({ date: '2025-09-12', kind: 'depot', account: 'banque', amount: 2000, ventilation: [] }),
    line({ date: '2025-09-14', kind: 'retrait', account: 'banque', amount: 1000, ventilation: [] }),
    line({ date: '2025-09-15', kind: 'regie_versee', amount: 800, ventilation: [], holder: 'Mme Martin' }),
    line({ date: '2025-09-20', kind: 'regie_remboursee', amount: 300, ventilation: [], holder: 'Mme Martin' }),
    line({ date: '2025-09-20', account: 'banque', amount: 9999 }), // banque: not the caisse
    line({ date: '2025-09-20', amount: 4444, status: 'draft' }), // a draft is not counted
    line({ date: '2025-09-21', amount: 7777 }), // the day after
  ];

  test('report à nouveau + caisse movements of the validated lines up to that day', () => {
    expect(caisseBalanceOn(lines, 5000, '2025-09-09')).toBe(5000);
    expect(caisseBalanceOn(lines, 5000, '2025-09-10')).toBe(7500);
    expect(caisseBalanceOn(lines, 5000, '2025-09-12')).toBe(5500);
    expect(caisseBalanceOn(lines, 5000, '2025-09-14')).toBe(6500);
    expect(caisseBalanceOn(lines, 5000, '2025-09-15')).toBe(5700);
    expect(caisseBalanceOn(lines, 5000, '2025-09-20')).toBe(6000);
    expect(caisseBalanceOn(lines, 5000, '2025-09-21')).toBe(13_777);
  });

  test('figures: gap = total − balance, ok when nil', () => {
    expect(cashCountFigures(9150, 9150)).toEqual({ total: 9150, balance: 9150, gap: 0, ok: true });
    expect(cashCountFigures(9000, 9150)).toEqual({ total: 9000, balance: 9150, gap: -150, ok: false });
  });
});

describe('ce que la clôture vérifie de la caisse', () => {
  test('an unused caisse at 0 needs no count', () => {
    expect(caisseProblems({ year: 2025, openingCaisse: 0, lines: [line({ account: 'banque' })], counts: [] })).toEqual(
      [],
    );
  });

  test('a caisse used, or holding money, must be counted', () => {
    const p = caisseProblems({ year: 2025, openingCaisse: 4250, lines: [], counts: [] });
    expect(p).toEqual([
      {
        code: 'caisse_non_comptee',
        severity: 'error',
        message: euro(
          'Aucun arrêté de caisse : comptez les billets et les pièces de la caisse au 31/08/2026 et saisissez l’arrêté (solde de la caisse au cahier : 42,50 €).',
        ),
        lines: [],
      },
    ]);
    const used = caisseProblems({ year: 2025, openingCaisse: 0, lines: [line({})], counts: [] });
    expect(used.map((x) => x.code)).toEqual(['caisse_non_comptee']);
  });

  test('the last count closes the caisse when no caisse movement follows it', () => {
    const lines = [line({ date: '2026-06-10', amount: 1200 })];
    expect(
      caisseProblems({ year: 2025, openingCaisse: 0, lines, counts: [{ date: '2026-06-30', total: 1200 }] }),
    ).toEqual([]);
    const later = line({
      date: '2026-07-02',
      kind: 'depense',
      amount: 200,
      ventilation: [{ chapter: '6180', amount: 200 }],
    });
    const p = caisseProblems({
      year: 2025,
      openingCaisse: 0,
      lines: [...lines, later, line({ date: '2026-07-03', account: 'banque' })],
      counts: [{ date: '2026-06-30', total: 1200 }],
    });
    expect(p).toEqual([
      {
        code: 'caisse_non_comptee',
        severity: 'error',
        message: euro(
          'Le dernier arrêté de caisse (30/06/2026) est suivi de 1 mouvement de caisse : comptez à nouveau la caisse au 31/08/2026 et saisissez l’arrêté (solde de la caisse au cahier : 10,00 €).',
        ),
        lines: [later.id],
      },
    ]);
  });

  test('a gap: an error on the last count, a warning on earlier ones, with the lines to look at', () => {
    const a = line({ date: '2025-10-01', amount: 1000 });
    const b = line({ date: '2025-11-05', amount: 2000 });
    const draft = line({ date: '2025-11-06', amount: 700, status: 'draft' });
    const c = line({
      date: '2026-03-01',
      kind: 'depense',
      amount: 500,
      ventilation: [{ chapter: '6180', amount: 500 }],
    });
    const p = caisseProblems({
      year: 2025,
      openingCaisse: 0,
      lines: [c, b, draft, a],
      counts: [
        { date: '2026-08-31', total: 2600 }, // cahier: 2500
        { date: '2025-10-31', total: 900 }, // cahier: 1000
        { date: '2025-12-01', total: 3000 }, // cahier: 3000
      ],
    });
    expect(p).toEqual([
      {
        code: 'caisse_ecart',
        severity: 'warning',
        message: euro(
          'Arrêté de caisse du 31/10/2025 : la caisse compte 1,00 € de moins que le cahier (compté 9,00 €, solde du cahier 10,00 €). Cherchez une dépense en espèces non saisie (ou une recette saisie en trop), ou recomptez. Si l’écart a été régularisé depuis, rien d’autre à faire.',
        ),
        lines: [a.id],
      },
      {
        code: 'caisse_ecart',
        severity: 'error',
        message: euro(
          'Arrêté de caisse du 31/08/2026 : la caisse compte 1,00 € de plus que le cahier (compté 26,00 €, solde du cahier 25,00 €). Cherchez une recette en espèces non saisie (ou une dépense saisie en trop), ou recomptez. 1 ligne de caisse est en brouillon et n’est pas comptée : corrigez-la d’abord.',
        ),
        lines: [c.id, draft.id],
      },
    ]);
  });
});
