import {
  DEFAULT_CHART,
  PROBLEMS,
  cahierLayout,
  hasErrors,
  unreadableValue,
  lineToRow,
  problemColumns,
  rowToLine,
  validateLine,
  type LineInput,
  type Problem,
  type ProblemCode,
} from '../../templates/definition';

const ctx = { exercise: 2025 };
const base: LineInput = {
  pj: '001',
  date: '2025-09-15',
  libelle: 'Librairie Martin – albums',
  mode: 'cheque',
  cheque: '4500123',
  action: 'Bibliothèque',
  kind: 'depense',
  account: 'banque',
  amount: 4590,
  ventilation: [{ chapter: '6180', amount: 4590 }],
};

const seen = new Set<ProblemCode>();
function check(line: LineInput, c = ctx): Problem[] {
  const problems = validateLine(line, c);
  for (const p of problems) seen.add(p.code);
  return problems;
}
function codes(line: Partial<LineInput>, c = ctx): ProblemCode[] {
  return check({ ...base, ...line }, c).map((p) => p.code);
}
function only(line: Partial<LineInput>, code: ProblemCode, c = ctx): Problem {
  const problems = check({ ...base, ...line }, c);
  expect(problems.map((p) => p.code)).toEqual([code]);
  return problems[0]!;
}

describe('une ligne valide', () => {
  test('has no problem', () => expect(check(base)).toEqual([]));
  test('every kind of line can be valid', () => {
    const lines: Partial<LineInput>[] = [
      {
        kind: 'recette',
        account: 'caisse',
        mode: 'especes',
        cheque: null,
        ventilation: [{ chapter: '7560', amount: 4590 }],
      },
      { kind: 'depense', account: 'regie', mode: null, cheque: null, holder: 'Mme Martin' },
      { kind: 'depot', account: 'banque', mode: 'especes', cheque: null, ventilation: [] },
      { kind: 'retrait', account: 'banque', mode: null, cheque: null, ventilation: [] },
      { kind: 'regie_versee', account: 'banque', ventilation: [], holder: 'Mme Martin' },
      {
        kind: 'regie_remboursee',
        account: 'caisse',
        mode: 'especes',
        cheque: null,
        ventilation: [],
        holder: 'Mme Martin',
      },
    ];
    for (const l of lines) expect(codes(l)).toEqual([]);
  });
  test('the first and last days of the exercise are inside it', () => {
    expect(codes({ date: '2025-09-01' })).toEqual([]);
    expect(codes({ date: '2026-08-31' })).toEqual([]);
  });
});

describe('champs obligatoires', () => {
  test('PJ', () => {
    const p = only({ pj: '  ' }, 'pj_manquant');
    expect(p).toMatchObject({
      severity: 'error',
      field: 'pj',
      message: 'Le N° de pièce justificative est obligatoire.',
    });
  });
  test('PJ already used in the exercise', () => {
    const p = only({}, 'pj_deja_utilise', { ...ctx, pjTaken: (pj: string) => pj === '001' } as typeof ctx);
    expect(p.message).toBe('La pièce N° 001 est déjà utilisée dans cet exercice.');
  });
  test('date', () => {
    expect(only({ date: '' }, 'date_manquante').field).toBe('date');
    expect(only({ date: '2025-02-30' }, 'date_invalide').message).toContain('2025-02-30');
    expect(only({ date: '15/09/2025' }, 'date_invalide').severity).toBe('error');
  });
  test('date outside the exercise names the exercise and its bounds', () => {
    const p = only({ date: '2025-08-31' }, 'date_hors_exercice');
    expect(p.message).toBe('La date 31/08/2025 est hors de l’exercice 2025-2026 (du 01/09/2025 au 31/08/2026).');
    expect(codes({ date: '2026-09-01' })).toEqual(['date_hors_exercice']);
  });
  test('libellé', () => {
    expect(only({ libelle: '' }, 'libelle_manquant').message).toBe('Le libellé est obligatoire : « qui – quoi ».');
  });
});

describe('le montant', () => {
  test('must be a number', () => {
    expect(only({ amount: Number.NaN }, 'montant_invalide').field).toBe('amount');
  });
  test('at most two decimals (integer cents)', () => {
    const p = check({ ...base, amount: 4590.5 });
    expect(p.map((x) => x.code)).toEqual(['montant_decimales']);
    expect(p[0]!.message).toBe('Le montant 45.905 € a plus de deux décimales.');
  });
  test('positive', () => {
    expect(codes({ amount: 0, ventilation: [] })).toEqual(['montant_nul', 'ventilation_manquante']);
    expect(codes({ amount: -4590, ventilation: [{ chapter: '6180', amount: -4590 }] })).toEqual([
      'montant_negatif',
      'ventilation_negative',
    ]);
  });
});

describe('le mouvement', () => {
  test('an unknown kind', () => {
    expect(codes({ kind: 'virement' as never })).toEqual(['type_inconnu']);
  });
  test('one account compatible with the kind', () => {
    const p = only(
      { kind: 'recette', account: 'regie', ventilation: [{ chapter: '7560', amount: 4590 }] },
      'compte_incompatible',
    );
    expect(p.message).toBe('Une ligne « Recette » se porte sur : Banque (512) ou Caisse (530).');
    expect(codes({ kind: 'depot', account: 'caisse', ventilation: [] })).toEqual(['compte_incompatible']);
  });
  test('a régie d’avance above 150 € is a warning', () => {
    const p = only({ kind: 'regie_versee', amount: 20000, ventilation: [], holder: 'M. Petit' }, 'regie_plafond');
    expect(p.severity).toBe('warning');
    expect(p.message).toBe('Une régie d’avance ne dépasse pas 150,00\u00a0€ (ici 200,00\u00a0€).');
  });
  test('every line of a régie names its holder: given, spent from it, returned', () => {
    for (const l of [
      { kind: 'regie_versee', account: 'banque', ventilation: [] },
      { kind: 'depense', account: 'regie', holder: '  ' },
      { kind: 'regie_remboursee', account: 'caisse', mode: 'especes', cheque: null, ventilation: [] },
    ] as Partial<LineInput>[]) {
      const p = only(l, 'regie_sans_titulaire');
      expect([p.severity, p.field]).toEqual(['error', 'holder']);
      expect(p.message).toBe('Ligne de régie d’avance : indiquez son titulaire (l’enseignant qui tient la régie).');
    }
  });
  test('a holder on a line that touches no régie is a warning', () => {
    const p = only({ holder: 'Mme Martin' }, 'titulaire_hors_regie');
    expect(p.severity).toBe('warning');
    expect(p.message).toBe(
      '« Mme Martin » est indiqué comme titulaire de régie, mais la ligne ne touche pas de régie d’avance.',
    );
  });
  test('the mode must be known', () => {
    // An unknown mode is one problem, not a second one about the cheque number.
    expect(codes({ mode: 'bitcoin' as never })).toEqual(['mode_inconnu']);
  });
  test('cheque number and mode', () => {
    expect(only({ cheque: '' }, 'cheque_sans_numero').severity).toBe('warning');
    expect(only({ mode: 'virement' }, 'numero_sans_cheque').field).toBe('cheque');
  });
});

describe('la ventilation', () => {
  test('a ventilated line needs at least one chapter', () => {
    expect(only({ ventilation: [] }, 'ventilation_manquante').message).toBe(
      'Ventilez la dépense sur un chapitre de charges (6…).',
    );
  });
  test('parts must add up to the amount, the gap is given', () => {
    const p = only(
      {
        ventilation: [
          { chapter: '6180', amount: 4000 },
          { chapter: '6500', amount: 500 },
        ],
      },
      'ventilation_desequilibree',
    );
    expect(p.message).toBe(
      'La ventilation (45,00\u00a0€) ne correspond pas au montant (45,90\u00a0€) : il manque 0,90\u00a0€.',
    );
    expect(only({ ventilation: [{ chapter: '6180', amount: 5000 }] }, 'ventilation_desequilibree').message).toContain(
      '4,10\u00a0€ de trop',
    );
  });
  test('a split over three chapters (the OCCE membership)', () => {
    expect(
      codes({
        amount: 48230,
        ventilation: [
          { chapter: '6281', amount: 31200 },
          { chapter: '6282', amount: 12430 },
          { chapter: '6180', amount: 4600 },
        ],
      }),
    ).toEqual([]);
  });
  test('unknown or repeated chapters', () => {
    expect(only({ ventilation: [{ chapter: '6999', amount: 4590 }] }, 'chapitre_inconnu').chapter).toBe('6999');
    expect(
      codes({
        ventilation: [
          { chapter: '6180', amount: 2000 },
          { chapter: '6180', amount: 2590 },
        ],
      }),
    ).toEqual(['chapitre_double']);
    expect(codes({ ventilation: [{ chapter: '6180', amount: 45.9 }] })).toEqual(['ventilation_decimales']);
  });
  test('a dépense goes to charges, a recette to produits', () => {
    expect(only({ ventilation: [{ chapter: '7560', amount: 4590 }] }, 'sens_chapitre').message).toContain(
      'Une dépense ne se ventile pas sur le chapitre de produits 7560',
    );
    expect(codes({ kind: 'recette', ventilation: [{ chapter: '6180', amount: 4590 }] })).toEqual(['sens_chapitre']);
  });
  test('a refund (avoir) of an expense: negative on a charge chapter, allowed with a warning', () => {
    const p = only(
      { kind: 'recette', mode: 'virement', cheque: null, ventilation: [{ chapter: '6180', amount: -4590 }] },
      'avoir',
    );
    expect(p.severity).toBe('warning');
    expect(p.message).toBe('Avoir : 45,90\u00a0€ viennent en déduction du chapitre 6180 (Activités éducatives).');
    expect(hasErrors([p])).toBe(false);
  });
  test('a negative part on its own side is refused', () => {
    expect(
      codes({
        ventilation: [
          { chapter: '6180', amount: 5000 },
          { chapter: '6500', amount: -410 },
        ],
      }),
    ).toEqual(['ventilation_negative']);
  });
  test('transfers and régies are not ventilated', () => {
    const p = only({ kind: 'depot', mode: 'especes', cheque: null }, 'operation_interne_ventilee');
    expect(p.message).toBe('Une ligne « Dépôt d’espèces » est une opération interne : ne la ventilez pas.');
  });
  test('6800 reminds of the inventory, 7410/7420 of the subsidies table', () => {
    expect(only({ ventilation: [{ chapter: '6800', amount: 4590 }] }, 'rappel_inventaire')).toMatchObject({
      severity: 'warning',
      message: 'Bien durable (6800) : inscrivez-le au cahier d’inventaire.',
    });
    for (const chapter of ['7410', '7420']) {
      expect(
        only(
          { kind: 'recette', mode: 'virement', cheque: null, ventilation: [{ chapter, amount: 4590 }] },
          'rappel_subvention',
        ).message,
      ).toBe(`Subvention (${chapter}) : renseignez-la dans le tableau des subventions.`);
    }
  });
  test('a department’s chart: a chapter added there is accepted', () => {
    const chart = [...DEFAULT_CHART, { code: '6181', side: 'charge' as const, label: 'Abonnements', description: '' }];
    expect(codes({ ventilation: [{ chapter: '6181', amount: 4590 }] }, { ...ctx, chart } as typeof ctx)).toEqual([]);
  });
});

describe('une ligne lue dans le tableau', () => {
  const layout = cahierLayout();
  const row = (line: LineInput) => lineToRow(layout, line, 5).map((c) => (c && typeof c === 'object' ? '' : c));
  test('two unrelated amounts are not one movement', () => {
    const values = row(base);
    values[layout.byKey.get('caisse_recettes')!.index] = 12;
    const read = rowToLine(layout, values);
    expect(read.line).toBeNull();
    expect(read.problems.map((p) => p.code)).toEqual(['mouvement_multiple']);
    for (const p of read.problems) seen.add(p.code);
  });
  test('a line with no amount', () => {
    const values = row(base);
    values[layout.byKey.get('banque_depenses')!.index] = null;
    const read = rowToLine(layout, values);
    expect(read.problems.map((p) => p.code)).toEqual(['mouvement_absent']);
    for (const p of read.problems) seen.add(p.code);
  });
  test('a dépôt whose two amounts differ', () => {
    const values = row({ ...base, kind: 'depot', ventilation: [] });
    values[layout.byKey.get('banque_recettes')!.index] = 40;
    const read = rowToLine(layout, values);
    expect(read.problems[0]!.message).toBe(
      'Les deux montants d’une ligne « Dépôt d’espèces » doivent être égaux (40,00\u00a0€ et 45,90\u00a0€).',
    );
  });
  test('a libellé typed on two lines in its cell (Alt+Entrée) reads as one line', () => {
    const values = row(base);
    values[layout.byKey.get('libelle')!.index] = 'Librairie Martin –\r\n  facture 45\tcahiers ';
    values[layout.byKey.get('action')!.index] = 'Classe\nverte';
    const read = rowToLine(layout, values);
    expect(read.line?.libelle).toBe('Librairie Martin – facture 45 cahiers');
    expect(read.line?.action).toBe('Classe verte');
  });
  test('an amount with three decimals typed in a chapter', () => {
    const values = row(base);
    values[layout.byKey.get('ch_6180')!.index] = 45.905;
    const read = rowToLine(layout, values);
    expect(read.problems.map((p) => p.code)).toEqual(['ventilation_decimales']);
  });
});

describe('la colonne concernée par un problème', () => {
  const layout = cahierLayout();
  const letters = (line: Partial<LineInput>) =>
    check({ ...base, ...line }).map((p) => [
      p.code,
      problemColumns(layout, p, { ...base, ...line }).map((c) => c.letter),
    ]);
  test('each problem names the columns of the sheet the treasurer must fix', () => {
    expect(letters({ pj: '' })).toEqual([['pj_manquant', ['B']]]);
    expect(letters({ date: '2024-05-02' })).toEqual([['date_hors_exercice', ['D']]]);
    expect(letters({ libelle: ' ' })).toEqual([['libelle_manquant', ['E']]]);
    expect(letters({ cheque: '' })).toEqual([['cheque_sans_numero', ['F']]]);
    expect(letters({ mode: 'troc' as never })).toEqual([['mode_inconnu', ['H']]]);
    // The amount of a bank expense is in Banque dépenses; a chapter's problem is in its column.
    expect(letters({ amount: 0 })).toEqual([['montant_nul', ['J']]]);
    expect(letters({ ventilation: [{ chapter: '6800', amount: 4590 }] })).toEqual([['rappel_inventaire', ['X']]]);
    const gap = letters({ ventilation: [{ chapter: '6180', amount: 4000 }] });
    expect(gap[0]![0]).toBe('ventilation_desequilibree');
    expect(gap[0]![1]).toEqual(layout.columns.filter((c) => c.page === 'droite').map((c) => c.letter));
  });
});

test('a value an import could not read makes a draft of an otherwise valid line', () => {
  const p = unreadableValue('amount', 'Ligne 14, colonne G : « 12,3,4 » n’est pas un montant.');
  seen.add(p.code);
  expect(p).toEqual({
    code: 'valeur_illisible',
    severity: 'error',
    field: 'amount',
    message: 'Ligne 14, colonne G : « 12,3,4 » n’est pas un montant.',
  });
  expect(hasErrors([...check(base), p])).toBe(true);
});

test('every problem code is produced by at least one test above', () => {
  expect([...seen].sort()).toEqual(Object.keys(PROBLEMS).sort());
});
