/** The cahier d'inventaire: an item checked field by field, its lines, the items of an exercise and its check. */
import {
  DEFAULT_CHART,
  checkInventoryLines,
  inventoryBook,
  inventoryCheck,
  validateInventoryItem,
  type InventoryBookLine,
  type InventoryItemInput,
  type InventoryRecord,
  type LiveLine,
} from '../../templates/definition';

const item = (extra: Partial<InventoryItemInput> = {}): InventoryItemInput => ({
  designation: 'Vidéoprojecteur Epson',
  acquiredOn: '2025-10-14',
  value: 45_000,
  lines: [],
  location: 'Salle 2',
  disposedOn: null,
  disposalReason: null,
  ...extra,
});
const record = (id: number, extra: Partial<InventoryItemInput> = {}): InventoryRecord => ({
  id,
  version: 1,
  ...item(extra),
});

let n = 0;
function purchase(amount: number, extra: Partial<InventoryBookLine> = {}): InventoryBookLine {
  n += 1;
  return {
    id: `l${n}`,
    pj: String(n).padStart(3, '0'),
    date: '2025-10-14',
    libelle: `Achat ${n}`,
    kind: 'depense',
    account: 'banque',
    amount,
    ventilation: [{ chapter: '6800', amount }],
    exercise: 2025,
    ...extra,
  };
}
const byId = (lines: InventoryBookLine[]) => new Map(lines.map((l) => [l.id, l]));

describe('un bien de l’inventaire, champ par champ', () => {
  test('a complete item has no error; disposed of, it needs the date and the reason', () => {
    expect(validateInventoryItem(item())).toEqual([]);
    expect(validateInventoryItem(item({ disposedOn: '2027-01-05', disposalReason: 'Hors d’usage' }))).toEqual([]);
    expect(validateInventoryItem(item({ disposedOn: '2027-01-05' }))).toEqual([
      {
        field: 'disposalReason',
        message: 'disposalReason : indiquez pourquoi le bien sort de l’inventaire (hors d’usage, volé, donné, vendu…)',
      },
    ]);
    expect(validateInventoryItem(item({ disposalReason: 'Volé' }))).toEqual([
      {
        field: 'disposedOn',
        message: 'disposedOn : indiquez la date de sortie du bien (un motif de sortie est donné)',
      },
    ]);
  });

  test('each refused field is named, in French', () => {
    expect(
      validateInventoryItem(
        item({
          designation: ' ',
          acquiredOn: '2025-13-01',
          value: 0,
          lines: ['a', 'b', 'a'],
          location: 'x'.repeat(201),
        }),
      ),
    ).toEqual([
      { field: 'designation', message: 'designation : indiquez le bien (ex. « Vidéoprojecteur Epson, salle 2 »)' },
      { field: 'acquiredOn', message: 'acquiredOn : date réelle attendue au format AAAA-MM-JJ' },
      { field: 'value', message: 'value : la valeur d’un bien est positive (en centimes)' },
      { field: 'lines[2]', message: 'lines[2] : ligne déjà citée' },
      { field: 'location', message: 'location : 200 caractères au plus' },
    ]);
    expect(validateInventoryItem(item({ disposedOn: '2025-10-01', disposalReason: 'Cassé' }))).toEqual([
      {
        field: 'disposedOn',
        message: 'disposedOn : la sortie (01/10/2025) ne peut précéder l’acquisition (14/10/2025)',
      },
    ]);
  });

  test('its lines are live lines of the coop with a part in 6800', () => {
    const ok = purchase(45_000);
    const gone = purchase(1_000, { deleted: true, pj: '007' });
    const books = purchase(2_000, { pj: '008', ventilation: [{ chapter: '6180', amount: 2_000 }], exercise: 2024 });
    const found = byId([ok, gone, books]);
    expect(checkInventoryLines([ok.id], found, DEFAULT_CHART)).toEqual([]);
    expect(checkInventoryLines(['x', gone.id, books.id], found, DEFAULT_CHART)).toEqual([
      { field: 'lines[0]', message: 'lines[0] : aucune ligne de la coopérative n’a l’identifiant x' },
      { field: 'lines[1]', message: 'lines[1] : la ligne PJ 007 de l’exercice 2025-2026 a été supprimée' },
      {
        field: 'lines[2]',
        message:
          'lines[2] : la ligne PJ 008 de l’exercice 2024-2025 n’a pas de part en 6800 (Biens durables) : seules ces dépenses vont au cahier d’inventaire',
      },
    ]);
  });
});

describe('l’inventaire d’un exercice', () => {
  test('a 6800 amount with no item is an error; the items held during the exercise are listed, from any year', () => {
    const projector = purchase(45_000, { pj: '012' });
    const tablets = purchase(60_000, { pj: '015', date: '2026-03-02' });
    const refund = purchase(-5_000, {
      pj: '016',
      kind: 'recette',
      amount: 5_000,
      ventilation: [{ chapter: '6800', amount: -5_000 }],
    });
    const oldLine = purchase(30_000, { pj: '040', date: '2024-11-03', exercise: 2024 });
    const items = [
      record(1, { designation: 'Vidéoprojecteur', lines: [projector.id], acquiredOn: '2025-10-14' }),
      record(2, { designation: 'Appareil photo', acquiredOn: '2024-11-03', value: 30_000, lines: [oldLine.id] }),
      record(3, {
        designation: 'Lecteur CD',
        acquiredOn: '2019-05-01',
        value: 8_000,
        disposedOn: '2025-06-30',
        disposalReason: 'Hors d’usage',
      }),
    ];
    const exerciseLines: LiveLine[] = [projector, tablets, refund];
    const check = inventoryCheck(2025, items, exerciseLines, byId([projector, oldLine]), DEFAULT_CHART);
    expect(check.items.map((i) => i.designation)).toEqual(['Appareil photo', 'Vidéoprojecteur']);
    expect(check.items[0]!.lines).toEqual([
      {
        id: oldLine.id,
        pj: '040',
        date: '2024-11-03',
        libelle: oldLine.libelle,
        kind: 'depense',
        amount: 30_000,
        exercise: 2024,
      },
    ]);
    expect(check.unlisted.map((l) => [l.pj, l.amount])).toEqual([
      ['016', -5_000],
      ['015', 60_000],
    ]);
    expect(check.totals).toEqual({ purchases: 100_000, listed: 45_000 });
    expect(check.problems).toEqual([
      {
        code: 'inventaire_manquant',
        severity: 'error',
        message:
          '2 dépenses de biens durables (PJ 016 et 015, 550,00\u00a0€ en 6800) ne sont inscrites à aucun bien du cahier d’inventaire : créez un bien à partir de chacune (ou rattachez-la au bien qu’elle concerne).',
        lines: [refund.id, tablets.id],
      },
    ]);
  });

  test('a draft 6800 line counts once validated: no purchase of the exercise, not unlisted; an item may name it', () => {
    const loose: LiveLine = { ...purchase(30_000, { pj: '031' }), status: 'draft' };
    const named: LiveLine = { ...purchase(45_000, { pj: '032' }), status: 'draft' };
    const items = [record(1, { lines: [named.id] })];
    const check = inventoryCheck(2025, items, [loose, named], byId([named as InventoryBookLine]), DEFAULT_CHART);
    expect(check.unlisted).toEqual([]);
    expect(check.totals).toEqual({ purchases: 0, listed: 45_000 });
    expect(check.items.map((i) => i.lines.map((l) => l.pj))).toEqual([['032']]);
    // No inventaire_manquant: the only problem is the gap of a warning, with no validated purchase.
    expect(check.problems.map((p) => [p.code, p.severity, p.lines])).toEqual([['inventaire_ecart', 'warning', []]]);

    // Validated, the loose one is reported and the named one is the item's purchase.
    const validated = [loose, named].map((l) => ({ ...l, status: 'validated' as const }));
    const after = inventoryCheck(2025, items, validated, byId([named as InventoryBookLine]), DEFAULT_CHART);
    expect(after.unlisted.map((l) => l.pj)).toEqual(['031']);
    expect(after.totals).toEqual({ purchases: 75_000, listed: 45_000 });
    expect(after.problems.map((p) => p.code)).toEqual(['inventaire_manquant']);
  });

  test('every 6800 line listed but values that differ: a warning; equal: nothing', () => {
    const p = purchase(45_000, { pj: '021' });
    const listed = [record(1, { lines: [p.id], value: 44_000 })];
    const check = inventoryCheck(2025, listed, [p], byId([p]), DEFAULT_CHART);
    expect(check.unlisted).toEqual([]);
    expect(check.problems).toEqual([
      {
        code: 'inventaire_ecart',
        severity: 'warning',
        message:
          'Les biens acquis pendant l’exercice 2025-2026 valent 440,00\u00a0€ au cahier d’inventaire, les achats de biens durables (6800) 450,00\u00a0€ : écart de -10,00\u00a0€. Vérifiez la valeur et la date d’acquisition des biens (un bien reçu en don n’a pas de dépense : l’écart est alors normal).',
        lines: [p.id],
      },
    ]);
    expect(inventoryCheck(2025, [record(1, { lines: [p.id] })], [p], byId([p]), DEFAULT_CHART).problems).toEqual([]);
    // No 6800 line and no item: nothing to say.
    expect(inventoryCheck(2025, [], [], new Map(), DEFAULT_CHART)).toEqual({
      items: [],
      unlisted: [],
      totals: { purchases: 0, listed: 0 },
      problems: [],
    });
  });

  test('the coop’s inventory: items by date of acquisition, value held and disposed of', () => {
    const book = inventoryBook(
      [
        record(2, { acquiredOn: '2026-01-10', value: 10_000 }),
        record(1, { disposedOn: '2026-02-01', disposalReason: 'Volé' }),
      ],
      new Map(),
      DEFAULT_CHART,
    );
    expect(book.items.map((i) => i.id)).toEqual([1, 2]);
    expect(book.totals).toEqual({ held: 10_000, disposed: 45_000 });
  });
});
