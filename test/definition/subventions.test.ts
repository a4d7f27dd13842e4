/** The tableau des subventions: a subsidy checked field by field, its figures, what the closure blocks on. */
import {
  DEFAULT_CHART,
  subsidiesBook,
  validateSubsidy,
  type Chart,
  type LiveLine,
  type SubsidyInput,
  type SubsidyLink,
  type SubsidyRecord,
} from '../../templates/definition';

const subsidy = (extra: Partial<SubsidyInput> = {}): SubsidyInput => ({
  financeur: 'Mairie de Limoges',
  objet: 'Classe découverte CM2',
  chapter: '7410',
  granted: 120_000,
  decisionDate: '2025-10-02',
  actions: [],
  state: 'a_justifier',
  justifiedOn: null,
  note: null,
  ...extra,
});

const record = (id: number, extra: Partial<SubsidyInput> = {}): SubsidyRecord => ({
  id,
  version: 1,
  ...subsidy(extra),
});

let n = 0;
function line(extra: Partial<LiveLine>): LiveLine {
  n += 1;
  return {
    id: `l${n}`,
    pj: String(n).padStart(3, '0'),
    date: '2025-10-10',
    libelle: `Ligne ${n}`,
    kind: 'recette',
    account: 'banque',
    amount: 0,
    ventilation: [],
    ...extra,
  };
}
const receipt = (amount: number, chapter = '7410', extra: Partial<LiveLine> = {}) =>
  line({ kind: 'recette', amount, ventilation: [{ chapter, amount }], ...extra });
const expense = (amount: number, extra: Partial<LiveLine> = {}) =>
  line({ kind: 'depense', amount, ventilation: [{ chapter: '6180', amount }], ...extra });

describe('une subvention, champ par champ', () => {
  test('a complete subsidy has no error, justified or not', () => {
    expect(validateSubsidy(subsidy(), DEFAULT_CHART)).toEqual([]);
    expect(
      validateSubsidy(subsidy({ state: 'justifiee', justifiedOn: '2026-06-30', chapter: '7420' }), DEFAULT_CHART),
    ).toEqual([]);
  });

  test('each refused field is named, in French, with what to do', () => {
    const errors = validateSubsidy(
      subsidy({
        financeur: '  ',
        objet: '',
        chapter: '6180',
        granted: -1,
        decisionDate: '2025-02-30',
        actions: ['Voyage', ' ', 'Voyage '],
      }),
      DEFAULT_CHART,
    );
    expect(errors).toEqual([
      {
        field: 'financeur',
        message: 'financeur : indiquez qui verse la subvention (commune, département, association de parents…)',
      },
      { field: 'objet', message: 'objet : indiquez ce que la subvention finance (ex. « classe découverte »)' },
      {
        field: 'chapter',
        message:
          'chapter : « 6180 » n’est pas un chapitre de subvention ; choisissez 7410 (Subventions des collectivités) ou 7420 (Subventions des associations)',
      },
      { field: 'granted', message: 'granted : le montant accordé ne peut pas être négatif' },
      { field: 'decisionDate', message: 'decisionDate : date réelle attendue au format AAAA-MM-JJ' },
      { field: 'actions[1]', message: 'actions[1] : nom d’action vide' },
      { field: 'actions[2]', message: 'actions[2] : l’action « Voyage » est déjà citée' },
    ]);
    expect(validateSubsidy(subsidy({ granted: 12.5 }), DEFAULT_CHART)).toEqual([
      { field: 'granted', message: 'granted : montant en centimes entiers attendu (120000 pour 1 200,00 €)' },
    ]);
  });

  test('a justified subsidy needs its date, not before the decision; one to justify has none', () => {
    expect(validateSubsidy(subsidy({ state: 'justifiee' }), DEFAULT_CHART)).toEqual([
      {
        field: 'justifiedOn',
        message:
          'justifiedOn : indiquez la date à laquelle l’emploi de la subvention a été justifié auprès du financeur',
      },
    ]);
    expect(validateSubsidy(subsidy({ justifiedOn: '2026-06-30' }), DEFAULT_CHART)[0]).toEqual({
      field: 'justifiedOn',
      message: 'justifiedOn : une subvention à justifier n’a pas de date de justification (passez-la à « justifiée »)',
    });
    expect(validateSubsidy(subsidy({ state: 'justifiee', justifiedOn: '2025-09-30' }), DEFAULT_CHART)).toEqual([
      {
        field: 'justifiedOn',
        message: 'justifiedOn : la justification (30/09/2025) ne peut précéder la décision (02/10/2025)',
      },
    ]);
  });

  test('the subsidy chapters are the chart’s: a department may add one', () => {
    const chart: Chart = [
      ...DEFAULT_CHART,
      { code: '7440', side: 'produit', label: 'Subventions État', description: '', reminder: 'subvention' },
    ];
    expect(validateSubsidy(subsidy({ chapter: '7440' }), chart)).toEqual([]);
    expect(validateSubsidy(subsidy({ chapter: '7440' }), DEFAULT_CHART)[0]!.field).toBe('chapter');
  });
});

describe('le tableau des subventions', () => {
  test('received is the 7410/7420 part of the receipts attached; spent the expenses attached and those of its actions', () => {
    const mixed = line({
      kind: 'recette',
      amount: 82_000,
      ventilation: [
        { chapter: '7410', amount: 80_000 },
        { chapter: '7560', amount: 2_000 },
      ],
    });
    const refund = line({ kind: 'depense', amount: 5_000, ventilation: [{ chapter: '7410', amount: -5_000 }] });
    const bus = expense(45_000);
    const tickets = expense(12_550, { action: ' Classe découverte ' });
    const other = expense(9_900, { action: 'Kermesse' });
    const lines = [mixed, refund, bus, tickets, other];
    const links: SubsidyLink[] = [
      { subsidyId: 1, lineId: mixed.id, role: 'receipt' },
      { subsidyId: 1, lineId: refund.id, role: 'receipt' },
      { subsidyId: 1, lineId: bus.id, role: 'use' },
      // Attached and tagged with the action: counted once.
      { subsidyId: 1, lineId: tickets.id, role: 'use' },
      // A line deleted since it was attached counts no more.
      { subsidyId: 1, lineId: 'gone', role: 'use' },
    ];
    const book = subsidiesBook([record(1, { actions: ['Classe découverte'] })], links, lines, DEFAULT_CHART);
    const s = book.subsidies[0]!;
    expect(s.received).toBe(75_000);
    expect(s.receipts.map((r) => [r.pj, r.amount])).toEqual([
      [mixed.pj, 80_000],
      [refund.pj, -5_000],
    ]);
    expect(s.spent).toBe(57_550);
    expect(s.uses.map((u) => u.amount)).toEqual([45_000, 12_550]);
    expect(book.totals).toEqual({ granted: 120_000, received: 75_000, spent: 57_550 });
    expect(book.unattached).toEqual([]);
    expect(book.problems.map((p) => p.code)).toEqual(['subvention_a_justifier']);
    expect(book.problems[0]).toEqual({
      code: 'subvention_a_justifier',
      severity: 'error',
      message:
        'La subvention « Mairie de Limoges – Classe découverte CM2 » a reçu 750,00\u00a0€ et n’est pas justifiée : une fois son emploi justifié auprès du financeur, passez-la à « justifiée » avec la date.',
      lines: [mixed.id, refund.id],
    });
  });

  test('a draft counts nowhere until it is validated: not received, not spent, not reported as unattached', () => {
    const attached = receipt(50_000, '7410', { status: 'draft' });
    const loose = receipt(20_000, '7420', { status: 'draft' });
    const use = expense(8_000, { status: 'draft' });
    const tagged = expense(3_000, { status: 'draft', action: 'Classe découverte' });
    const links: SubsidyLink[] = [
      { subsidyId: 1, lineId: attached.id, role: 'receipt' },
      { subsidyId: 1, lineId: use.id, role: 'use' },
    ];
    const lines = [attached, loose, use, tagged];
    const book = subsidiesBook([record(1, { actions: ['Classe découverte'] })], links, lines, DEFAULT_CHART);
    const s = book.subsidies[0]!;
    expect([s.received, s.receipts, s.spent, s.uses]).toEqual([0, [], 0, []]);
    expect(book.unattached).toEqual([]);
    expect(book.problems).toEqual([]);

    // Validated, the same lines count: received, spent, and the loose receipt is reported.
    const validated = lines.map((l) => ({ ...l, status: 'validated' as const }));
    const after = subsidiesBook([record(1, { actions: ['Classe découverte'] })], links, validated, DEFAULT_CHART);
    expect([after.subsidies[0]!.received, after.subsidies[0]!.spent]).toEqual([50_000, 11_000]);
    expect(after.unattached.map((l) => l.id)).toEqual([loose.id]);
    expect(after.problems.map((p) => p.code)).toEqual(['subvention_non_rattachee', 'subvention_a_justifier']);
  });

  test('a 7410/7420 receipt attached to no subsidy is an error listing the lines', () => {
    const a = receipt(30_000, '7420', { pj: '004' });
    const b = receipt(12_345, '7410', { pj: '009' });
    const c = receipt(10_000, '7080');
    const book = subsidiesBook([], [], [a, b, c], DEFAULT_CHART);
    expect(book.unattached.map((l) => [l.pj, l.amount])).toEqual([
      ['004', 30_000],
      ['009', 12_345],
    ]);
    expect(book.problems).toEqual([
      {
        code: 'subvention_non_rattachee',
        severity: 'error',
        message:
          '2 recettes de subvention (PJ 004 et 009, 423,45\u00a0€ en tout) ne sont rattachées à aucune subvention : rattachez chacune à sa subvention dans le tableau des subventions (ou créez celle-ci).',
        lines: [a.id, b.id],
      },
    ]);
    const single = subsidiesBook([], [], [a], DEFAULT_CHART).problems[0]!;
    expect(single.message).toBe(
      'La recette de subvention PJ 004 (300,00\u00a0€) n’est rattachée à aucune subvention : rattachez-la à sa subvention dans le tableau des subventions (ou créez celle-ci).',
    );
  });

  test('a justified subsidy blocks nothing; a subsidy with nothing received neither; more than granted is a warning', () => {
    const r = receipt(150_000);
    const justified = record(1, { state: 'justifiee', justifiedOn: '2026-06-30' });
    const book = subsidiesBook(
      [justified, record(2)],
      [{ subsidyId: 1, lineId: r.id, role: 'receipt' }],
      [r],
      DEFAULT_CHART,
    );
    expect(book.problems).toEqual([
      {
        code: 'subvention_depassee',
        severity: 'warning',
        message:
          'La subvention « Mairie de Limoges – Classe découverte CM2 » a reçu 1\u202f500,00\u00a0€ pour 1\u202f200,00\u00a0€ accordés : vérifiez le montant accordé et les recettes rattachées.',
        lines: [r.id],
      },
    ]);
    expect(book.totals).toEqual({ granted: 240_000, received: 150_000, spent: 0 });
  });
});
