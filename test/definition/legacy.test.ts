/**
 * The pure reading of legacy cahiers, on grids written here: the header found wherever it stands
 * (two-row or single headers, under title rows, on another sheet), values as legacy sheets hold
 * them, rows classified (blank, totals, repeated headers, report à nouveau, headings), lines read
 * and checked with the cahier's rules (problems by row and column letter), new chapters, the
 * exercise and the coop; the workbook this product writes read back; a saved mapping; the error
 * when there is no table; and, over generated lines, write → read gives the same lines.
 */
import fc from 'fast-check';
import {
  DEFAULT_CHART,
  LegacyReadError,
  cahierLayout,
  coopFromText,
  dateToSerial,
  detectMapping,
  emptyRow,
  formatPj,
  lineToRow,
  parseLegacyAmount,
  parseLegacyCheque,
  parseLegacyDate,
  parseLegacyMark,
  readLegacy,
  touchesBank,
  yearFromText,
  type CahierLine,
  type LegacyMapping,
  type LegacyReading,
  type LegacyValue,
  type LineInput,
  type VentilationPart,
} from '../../templates/definition';

type Row = LegacyValue[];

const book = (rows: Row[], file = 'cahier.xlsx', name = 'Feuil1') => ({ file, sheets: [{ name, rows }] });
const read = (rows: Row[], options: { year?: number; mapping?: LegacyMapping } = {}) =>
  readLegacy(book(rows), { chart: DEFAULT_CHART, ...options });
const serial = dateToSerial;
const at = (reading: LegacyReading, row: number) => {
  const l = reading.lines.find((x) => x.row === row);
  if (!l) throw new Error(`pas de ligne ${row}`);
  return l;
};
const codes = (reading: LegacyReading, row: number) => at(reading, row).problems.map((p) => `${p.code}@${p.column}`);

/** A line as the reading gives it, optional fields null. */
const expected = (
  l: Partial<LineInput> & Pick<LineInput, 'pj' | 'date' | 'libelle' | 'kind' | 'amount'>,
): LineInput => ({
  mode: null,
  cheque: null,
  action: null,
  account: 'banque',
  ventilation: [],
  holder: null,
  ...l,
});

// The OCCE workbook as many coops keep it: two title rows, « Banque » and « Caisse » merged over
// « Recettes | Dépenses », chapter codes over the same two rows.
const OCCE: Row[] = [
  ['Coopérative scolaire École Jules Ferry – n° 087-0123'],
  ['Cahier de comptabilité – Exercice 2024-2025'],
  [],
  [
    'N° pièce',
    'Date',
    'Libellé',
    'N° chèque',
    'Action',
    'Banque',
    null,
    'Caisse',
    null,
    'Relevé',
    '6070',
    '6181 Activités éducatives',
    '6281',
    '6282',
    '7080',
    '7600 - Produits financiers',
  ],
  [null, null, null, null, null, 'Recettes', 'Dépenses', 'Recettes', 'Dépenses'],
  [null, { date: '2024-09-01' }, 'Report à nouveau', null, null, 1523.45, null, 80],
  // row 7: the OCCE membership cheque, split over three chapters, pointed
  [
    '01',
    serial('2024-09-10'),
    'OCCE – cotisation 2024',
    'n°1234567',
    null,
    null,
    250.5,
    null,
    null,
    'X',
    null,
    20,
    200,
    30.5,
  ],
  // row 8: photos sold, the amount as French text
  [
    '02',
    '12/09/2024',
    'Parents – photos de classe',
    null,
    'Photos',
    '1 234,56 €',
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    1234.56,
  ],
  // row 9: cash deposited at the bank (one line, no ventilation)
  ['03', '15/09/24', 'Dépôt des espèces de la kermesse', null, null, 80, null, null, 80],
  [],
  [null, null, 'Total septembre', null, null, 1314.56, 250.5, 0, 80],
  // row 12: a float with noise, pointed with a lower-case x
  [
    '04',
    '01.10.2024',
    'Banque – intérêts',
    null,
    null,
    0.1 + 0.2,
    null,
    null,
    null,
    'x',
    null,
    null,
    null,
    null,
    null,
    0.3,
  ],
  // row 13: cash withdrawn for the caisse
  ['05', '03-10-2024', 'Retrait pour la caisse', null, null, null, 50, 50],
  // row 14: a purchase paid in cash
  ['06', '4/10/2024', 'Librairie – albums', null, 'Bibliothèque', null, null, null, '12,90', null, null, 12.9],
  ['N° pièce', 'Date', 'Libellé', 'N° chèque', 'Action', 'Banque', null, 'Caisse', null, 'Relevé'],
  [null, null, null, null, null, 1314.86, 300.5, 50, 92.9],
];

describe('reading the OCCE workbook (two-row header, title rows)', () => {
  const r = read(OCCE);

  it('finds the table, the coop, the exercise and the opening balances', () => {
    expect(r.sheet).toBe('Feuil1');
    expect(r.mapping).toEqual({
      sheet: 'Feuil1',
      headerRow: 5,
      columns: {
        pj: 'A',
        date: 'B',
        libelle: 'C',
        cheque: 'D',
        action: 'E',
        banqueRecettes: 'F',
        banqueDepenses: 'G',
        caisseRecettes: 'H',
        caisseDepenses: 'I',
        pointage: 'J',
        chapters: { '6070': 'K', '6181': 'L', '6281': 'M', '6282': 'N', '7080': 'O', '7600': 'P' },
      },
    });
    expect(r.coop).toBe('087-0123');
    expect(r.year).toBe(2024);
    expect(r.openingBalances).toEqual({ banque: 152345, caisse: 8000 });
    expect(r.newChapters).toEqual([
      { code: '6181', label: 'Activités éducatives' },
      { code: '7600', label: 'Produits financiers' },
    ]);
  });

  it('reads every line with its figures', () => {
    expect(r.lines.map((l) => l.row)).toEqual([7, 8, 9, 12, 13, 14]);
    expect(r.lines.map((l) => l.line)).toEqual([
      expected({
        pj: '01',
        date: '2024-09-10',
        libelle: 'OCCE – cotisation 2024',
        mode: 'cheque',
        cheque: '1234567',
        kind: 'depense',
        amount: 25050,
        ventilation: [
          { chapter: '6181', amount: 2000 },
          { chapter: '6281', amount: 20000 },
          { chapter: '6282', amount: 3050 },
        ],
      }),
      expected({
        pj: '02',
        date: '2024-09-12',
        libelle: 'Parents – photos de classe',
        action: 'Photos',
        kind: 'recette',
        amount: 123456,
        ventilation: [{ chapter: '7080', amount: 123456 }],
      }),
      expected({
        pj: '03',
        date: '2024-09-15',
        libelle: 'Dépôt des espèces de la kermesse',
        kind: 'depot',
        amount: 8000,
      }),
      expected({
        pj: '04',
        date: '2024-10-01',
        libelle: 'Banque – intérêts',
        kind: 'recette',
        amount: 30,
        ventilation: [{ chapter: '7600', amount: 30 }],
      }),
      expected({ pj: '05', date: '2024-10-03', libelle: 'Retrait pour la caisse', kind: 'retrait', amount: 5000 }),
      expected({
        pj: '06',
        date: '2024-10-04',
        libelle: 'Librairie – albums',
        action: 'Bibliothèque',
        kind: 'depense',
        account: 'caisse',
        amount: 1290,
        ventilation: [{ chapter: '6181', amount: 1290 }],
      }),
    ]);
    expect(r.lines.map((l) => l.pointed)).toEqual([true, false, false, true, false, false]);
    expect(r.lines.flatMap((l) => l.problems)).toEqual([]);
  });

  it('skips what is not a line, each with its reason', () => {
    expect(r.skippedRows).toEqual([
      { row: 6, reason: 'report à nouveau' },
      { row: 10, reason: 'ligne vide' },
      { row: 11, reason: 'ligne de total' },
      { row: 15, reason: 'en-tête répété' },
      { row: 16, reason: 'ligne de total' },
    ]);
  });
});

describe('finding the header', () => {
  const lineRow = ['1', '15/09/2025', 'Mairie – subvention', 1500, null];

  it('reads single headers in any order, with accents, case and spaces of their own', () => {
    const r = read([
      ['  DATE ', 'DÉSIGNATION', 'Entrées  banque', 'Sorties banque', 'Crédit caisse', 'Débit caisse', 'Pièce', 'P'],
      ['15/09/2025', 'Fournitures', null, 45.9, null, null, 'A1', 'oui'],
    ]);
    expect(r.mapping.columns).toEqual({
      date: 'A',
      libelle: 'B',
      banqueRecettes: 'C',
      banqueDepenses: 'D',
      caisseRecettes: 'E',
      caisseDepenses: 'F',
      pj: 'G',
      pointage: 'H',
      chapters: {},
    });
    expect(r.lines[0]!.line).toMatchObject({ pj: 'A1', kind: 'depense', account: 'banque', amount: 4590 });
    expect(r.lines[0]!.pointed).toBe(true);
  });

  it('takes the account from the group row when the header only says « Recettes | Dépenses »', () => {
    const r = read([
      ['Cahier 2025-2026'],
      ['PJ', 'Date', 'Opération', 'Chèque', 'Projet', 'Caisse', null, 'Banque', null, 'Pointé', '7410 Subventions'],
      [null, null, null, null, null, 'Entrées', 'Sorties', 'Crédit', 'Débit'],
      ['1', '15/09/2025', 'Mairie – subvention', null, null, null, null, 1500, null, null, 1500],
    ]);
    expect(r.mapping.headerRow).toBe(3);
    expect(r.mapping.columns).toMatchObject({
      pj: 'A',
      date: 'B',
      libelle: 'C',
      cheque: 'D',
      action: 'E',
      caisseRecettes: 'F',
      caisseDepenses: 'G',
      banqueRecettes: 'H',
      banqueDepenses: 'I',
      pointage: 'J',
      chapters: { '7410': 'K' },
    });
    expect(r.lines[0]!.line).toMatchObject({ kind: 'recette', account: 'banque', amount: 150000 });
    // 7410 is in the chart with its subvention reminder
    expect(codes(r, 4)).toEqual(['rappel_subvention@K']);
  });

  it('reads « Recettes » and « Dépenses » over « Banque | Caisse » too', () => {
    const r = read([
      ['Date', 'Libellé', 'Recettes', null, 'Dépenses', null],
      [null, null, 'Banque', 'Caisse', 'Banque', 'Caisse'],
      ['15/09/2025', 'Achat timbres', null, null, null, 12],
    ]);
    expect(r.mapping.columns).toMatchObject({
      banqueRecettes: 'C',
      caisseRecettes: 'D',
      banqueDepenses: 'E',
      caisseDepenses: 'F',
    });
    expect(r.lines[0]!.line).toMatchObject({ kind: 'depense', account: 'caisse', amount: 1200 });
  });

  it('reads bare « Recettes | Dépenses » as the bank, and says so', () => {
    const r = read([
      ['Date', 'Libellé', 'Recettes', 'Dépenses', '6180'],
      ['15/09/2025', 'Car – sortie', null, 300, 300],
    ]);
    expect(r.mapping.columns).toMatchObject({ banqueRecettes: 'C', banqueDepenses: 'D' });
    expect(r.lines[0]!.line).toMatchObject({ kind: 'depense', account: 'banque', amount: 30000 });
    expect(r.problems).toContainEqual(expect.objectContaining({ code: 'colonnes_sans_compte', row: 0, column: 'C' }));
  });

  it('finds the table on whichever sheet holds it, below title rows', () => {
    const r = readLegacy(
      {
        file: 'vieux.xls',
        sheets: [
          { name: 'Notice', rows: [['Mode d’emploi du cahier'], ['Remplir les cases jaunes.']] },
          {
            name: 'Compta 2025',
            rows: [
              [],
              [null, null, 'COOPÉRATIVE SCOLAIRE'],
              [null, null, 'École du Bourg'],
              [],
              [null, 'N°', 'Date', 'Libellé', 'Banque recettes', 'Banque dépenses', '7410'],
              [null, ...lineRow],
            ],
          },
        ],
      },
      { chart: DEFAULT_CHART },
    );
    expect(r.sheet).toBe('Compta 2025');
    expect(r.mapping).toMatchObject({ sheet: 'Compta 2025', headerRow: 5 });
    expect(r.lines[0]).toMatchObject({ row: 6, line: { pj: '1', date: '2025-09-15', amount: 150000 } });
    expect(r.coop).toBeNull();
  });

  it('says when other sheets hold a table too (one sheet a month)', () => {
    const month = (name: string, date: string): { name: string; rows: Row[] } => ({
      name,
      rows: [HEAD, ['1', date, 'Familles', null, 10, null, null, null, null, null, 10]],
    });
    const r = readLegacy(
      {
        file: 'mois.xlsx',
        sheets: [month('Septembre', '02/09/2025'), month('Octobre', '02/10/2025'), month('Novembre', '03/11/2025')],
      },
      { chart: DEFAULT_CHART },
    );
    expect(r.sheet).toBe('Septembre');
    expect(r.lines).toHaveLength(1);
    expect(r.problems).toEqual([
      {
        row: 0,
        column: null,
        code: 'autres_feuilles',
        severity: 'warning',
        message: expect.stringContaining('(« Octobre », « Novembre ») : seule la feuille « Septembre » est lue'),
      },
    ]);
  });

  it('reads a chapter’s code from the row above when its label stands below it', () => {
    const r = read([
      ['Date', 'Libellé', 'Banque', null, '7080'],
      [null, null, 'Recettes', 'Dépenses', 'Participation sorties'],
      ['15/09/2025', 'Familles – sortie', 25, null, 25],
    ]);
    expect(r.mapping.columns.chapters).toEqual({ '7080': 'E' });
    expect(r.lines[0]!.line.ventilation).toEqual([{ chapter: '7080', amount: 2500 }]);
  });

  it('refuses a workbook with no table, naming the file and its sheets', () => {
    const wb = {
      file: 'liste-eleves.xlsx',
      sheets: [
        {
          name: 'Élèves',
          rows: [
            ['Nom', 'Prénom', 'Classe'],
            ['Martin', 'Léa', 'CE1'],
          ] as Row[],
        },
      ],
    };
    expect(detectMapping(wb)).toBeNull();
    let error: unknown;
    try {
      readLegacy(wb, { chart: DEFAULT_CHART });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LegacyReadError);
    expect((error as LegacyReadError).code).toBe('entete_introuvable');
    expect((error as LegacyReadError).message).toMatch(/« liste-eleves\.xlsx ».*« Élèves »/);
    expect(() => readLegacy({ file: 'vide.xlsx', sheets: [] }, { chart: DEFAULT_CHART })).toThrow(/vide\.xlsx/);
  });
});

describe('values as legacy sheets hold them', () => {
  it('reads dates', () => {
    const cases: [LegacyValue, string | null][] = [
      [{ date: '2025-09-15' }, '2025-09-15'],
      [45915, '2025-09-15'],
      [45915.75, '2025-09-15'],
      ['15/09/2025', '2025-09-15'],
      ['5/9/25', '2025-09-05'],
      ['15.09.2025', '2025-09-15'],
      ['15-09-2025', '2025-09-15'],
      [' 15/09/2025 ', '2025-09-15'],
      ['15/09/2025 00:00:00', '2025-09-15'],
      ['2025-09-15', '2025-09-15'],
      ['45915', '2025-09-15'],
      ['1er septembre 2025', '2025-09-01'],
      ['15 sept. 2025', '2025-09-15'],
      ['31/09/2025', null],
      ['29/02/2025', null],
      ['septembre', null],
      [12, null],
      ['', null],
      [null, null],
      [true, null],
    ];
    for (const [value, date] of cases) expect([value, parseLegacyDate(value)]).toEqual([value, date]);
  });

  it('reads amounts to the exact cent', () => {
    const cases: [LegacyValue, number | null][] = [
      [12.5, 1250],
      [0.1 + 0.2, 30],
      [45.9, 4590],
      [1234.56, 123456],
      [-20, -2000],
      ['1 234,56 €', 123456],
      ['1\u00a0234,56\u00a0€', 123456],
      ['1\u202f234,56\u202f€', 123456],
      ['1234.56', 123456],
      ['1234,5', 123450],
      ['1.234,56', 123456],
      ['1,234.56', 123456],
      ['-12,30', -1230],
      ['(12,30)', -1230],
      ['12,30-', -1230],
      ['−12,30 €', -1230],
      ['+5', 500],
      ['12 EUR', 1200],
      ['-', null],
      ['', null],
      [null, null],
    ];
    for (const [value, cents] of cases) {
      const a = parseLegacyAmount(value);
      expect([value, a === null ? null : 'cents' in a ? a.cents : a.error]).toEqual([value, cents]);
    }
    expect(parseLegacyAmount(33.333333)).toEqual({ cents: 3333, rounded: true });
    expect(parseLegacyAmount(0.1 + 0.2)).toEqual({ cents: 30, rounded: false });
    expect(parseLegacyAmount('douze')).toEqual({ error: '« douze » n’est pas un montant.' });
    expect(parseLegacyAmount(true)).toHaveProperty('error');
  });

  it('reads cheque numbers, and a mode written in their column', () => {
    expect(parseLegacyCheque(1234567)).toEqual({ cheque: '1234567' });
    expect(parseLegacyCheque('n°1234567')).toEqual({ cheque: '1234567' });
    expect(parseLegacyCheque('N° 1234567')).toEqual({ cheque: '1234567' });
    expect(parseLegacyCheque('chq 123')).toEqual({ cheque: '123' });
    expect(parseLegacyCheque('Chèque n° 0012345')).toEqual({ cheque: '0012345' });
    expect(parseLegacyCheque('CB')).toEqual({ mode: 'carte' });
    expect(parseLegacyCheque('Vir.')).toEqual({ mode: 'virement' });
    expect(parseLegacyCheque('Prlv')).toEqual({ mode: 'prelevement' });
    expect(parseLegacyCheque('voir Marie')).toEqual({ text: 'voir Marie' });
    expect(parseLegacyCheque(null)).toBeNull();
  });

  it('reads pointage marks', () => {
    for (const v of ['X', 'x', 'p', 'P', '✓', '✔', 'oui', 'OUI', '1', 1, true, 'R3', { date: '2025-10-02' }]) {
      expect([v, parseLegacyMark(v as LegacyValue)]).toEqual([v, true]);
    }
    for (const v of [null, '', ' ', 'non', '0', 0, false, '-']) expect([v, parseLegacyMark(v)]).toEqual([v, false]);
    expect(parseLegacyMark('?')).toBeNull();
  });

  it('finds a coop number and an exercise in a text', () => {
    expect(coopFromText('Coopérative n° 087-0123 – École Jules Ferry')).toBe('087-0123');
    expect(coopFromText('0870123_cahier_2024-2025.xlsx')).toBe('087-0123');
    expect(coopFromText('coop 02A-0042.ods')).toBe('02A-0042');
    expect(coopFromText('cahier 2024-2025.xlsx')).toBeNull();
    expect(coopFromText('tél. 0555123456')).toBeNull();
    expect(yearFromText('Exercice 2024-2025')).toBe(2024);
    expect(yearFromText('Année scolaire 2024/2025')).toBe(2024);
    expect(yearFromText('Compta 2023-24')).toBe(2023);
    expect(yearFromText('Exercice 2022')).toBe(2022);
    expect(yearFromText('2024-2026')).toBeNull();
  });
});

const HEAD: Row = [
  'PJ',
  'Date',
  'Libellé',
  'N° chèque',
  'Banque recettes',
  'Banque dépenses',
  'Caisse recettes',
  'Caisse dépenses',
  'Pointage',
  '6180',
  '7080',
];

describe('the rows of the sheet', () => {
  it('reads « solde au 1er septembre » as the opening balances, never as a receipt', () => {
    const r = read([
      HEAD,
      [null, '01/09/2025', 'Solde au 1er septembre', null, '2 300,00', null, 45.2],
      ['1', '02/09/2025', 'Familles – sortie', null, 120, null, null, null, null, null, 120],
      [null, null, 'Solde initial', null, 999],
    ]);
    expect(r.openingBalances).toEqual({ banque: 230000, caisse: 4520 });
    expect(r.lines.map((l) => l.row)).toEqual([3]);
    expect(r.skippedRows).toEqual([
      { row: 2, reason: 'report à nouveau' },
      { row: 4, reason: 'report à nouveau en double' },
    ]);
    expect(r.problems).toContainEqual(expect.objectContaining({ row: 4, code: 'report_en_double', column: 'C' }));
  });

  it('reads the report à nouveau from solde columns, and an overdraft as negative', () => {
    const r = read([
      [
        'Date',
        'Libellé',
        'Entrées banque',
        'Sorties banque',
        'Solde banque',
        'Entrées caisse',
        'Sorties caisse',
        'Solde caisse',
      ],
      [null, 'Reprise des soldes', null, 12.5, null, null, null, 30],
      ['02/09/2025', 'Familles', 120, null, 107.5],
    ]);
    expect(r.openingBalances).toEqual({ banque: -1250, caisse: 3000 });
  });

  it('skips totals, sub-totals, reports and headings, written in the libellé or the first cell', () => {
    const r = read([
      HEAD,
      ['1', '02/09/2025', 'Familles – sortie', null, 120, null, null, null, null, null, 120],
      [null, null, 'Sous-total', null, 120],
      ['Total septembre', null, null, null, 120],
      [null, null, 'Report', null, 120],
      [null, null, 'À reporter', null, 120],
      [null, null, 'TOTAUX', null, 120],
      [null, null, 'Cumul', null, 120],
      [null, null, null, null, 120, 0],
      [null, null, 'OCTOBRE 2025'],
      ['2', '03/10/2025', 'Total Énergies – carburant sortie', null, null, 40, null, null, null, 40],
      [null, '31/10/2025', 'Solde fin octobre'],
      ['3', '04/10/2025', 'Solde facture Autocars', null, null, 60, null, null, null, 60],
    ]);
    expect(r.lines.map((l) => [l.row, l.line.libelle])).toEqual([
      [2, 'Familles – sortie'],
      [11, 'Total Énergies – carburant sortie'],
      [13, 'Solde facture Autocars'],
    ]);
    expect(r.skippedRows).toEqual([
      { row: 3, reason: 'ligne de total' },
      { row: 4, reason: 'ligne de total' },
      { row: 5, reason: 'ligne de total' },
      { row: 6, reason: 'ligne de total' },
      { row: 7, reason: 'ligne de total' },
      { row: 8, reason: 'ligne de total' },
      { row: 9, reason: 'ligne de total' },
      { row: 10, reason: 'intertitre (ni date ni montant)' },
      { row: 12, reason: 'ligne de total' },
    ]);
  });

  it('reports blank rows between lines, not the empty rows after the last one', () => {
    const rows: Row[] = [
      HEAD,
      ['1', '02/09/2025', 'A', null, 1, null, null, null, null, null, 1],
      [],
      [null, null, '  '],
    ];
    rows.push(
      ['2', '03/09/2025', 'B', null, 1, null, null, null, null, null, 1],
      [],
      [],
      [null, null, null, null, 2],
      [],
    );
    const r = read(rows);
    expect(r.skippedRows).toEqual([
      { row: 3, reason: 'ligne vide' },
      { row: 4, reason: 'ligne vide' },
      { row: 8, reason: 'ligne de total' },
    ]);
  });

  it('reads deposits and withdrawals as internal operations, and a ventilated one as a draft', () => {
    const r = read([
      HEAD,
      ['1', '02/09/2025', 'Dépôt', null, 80, null, null, 80],
      ['2', '03/09/2025', 'Retrait', null, null, 40, 40],
      ['3', '04/09/2025', 'Dépôt ventilé', null, 10, null, null, 10, null, null, 10],
      ['4', '05/09/2025', 'Dépôt inégal', null, 10, null, null, 12],
    ]);
    expect(r.lines.map((l) => [l.line.kind, l.line.account, l.line.amount])).toEqual([
      ['depot', 'banque', 8000],
      ['retrait', 'banque', 4000],
      ['depot', 'banque', 1000],
      ['depot', 'banque', 1000],
    ]);
    expect(codes(r, 2)).toEqual([]);
    expect(codes(r, 3)).toEqual([]);
    expect(codes(r, 4)).toEqual(['operation_interne_ventilee@K']);
    expect(codes(r, 5)).toEqual(['mouvement_multiple@E']);
  });
});

describe('template rows, modes and marks', () => {
  it('takes rows of formulas showing 0 for empty rows', () => {
    const zeros: Row = [null, null, null, null, 0, 0, 0, 0, null, 0, 0];
    const r = read([
      HEAD,
      ['1', '02/09/2025', 'A', null, 10, 0, 0, 0, null, 0, 10],
      zeros,
      ['2', '03/09/2025', 'B', null, 10, 0, 0, 0, null, 0, 10],
      zeros,
      zeros,
      [null, null, 'Total', null, 20, 0, 0, 0, null, 0, 20],
    ]);
    expect(r.lines.map((l) => [l.row, l.line.amount, l.problems])).toEqual([
      [2, 1000, []],
      [4, 1000, []],
    ]);
    expect(r.skippedRows).toEqual([
      { row: 3, reason: 'ligne vide' },
      { row: 7, reason: 'ligne de total' },
    ]);
  });

  it('reads the report à nouveau even with a PJ, and from labelled title cells', () => {
    expect(read([HEAD, ['00', '01/09/2025', 'Report à nouveau', null, 15, null, 2]]).openingBalances).toEqual({
      banque: 1500,
      caisse: 200,
    });
    const r = read([
      ['Coopérative de l’école du Bourg'],
      ['Solde au 1er septembre – banque', null, '1 523,45 €', null, 'Solde au 1er septembre – caisse', 80],
      HEAD,
      ['1', '02/09/2025', 'A', null, 10, null, null, null, null, null, 10],
    ]);
    expect(r.openingBalances).toEqual({ banque: 152345, caisse: 8000 });
    expect(r.mapping.headerRow).toBe(3);
  });

  it('reads a column of chapter codes, one chapter per line', () => {
    const r = read([
      ['Date', 'Libellé', 'Recettes', 'Dépenses', 'Compte'],
      ['02/09/2025', 'Car', null, 300, 6180],
      ['03/09/2025', 'Familles', 120, null, '7080 – Participation'],
      ['04/09/2025', 'Avoir librairie', 15, null, '6180'],
      ['05/09/2025', 'Inconnu', null, 5, '6999'],
    ]);
    expect(r.mapping.columns).toMatchObject({ chapterChoice: 'E', chapters: {} });
    expect(r.lines.map((l) => l.line.ventilation)).toEqual([
      [{ chapter: '6180', amount: 30000 }],
      [{ chapter: '7080', amount: 12000 }],
      [{ chapter: '6180', amount: -1500 }],
      [{ chapter: '6999', amount: 500 }],
    ]);
    expect(r.lines.map((l) => l.problems.map((p) => `${p.code}@${p.column}`))).toEqual([
      [],
      [],
      ['avoir@E'],
      ['chapitre_inconnu@E'],
    ]);
  });

  it('reads a mode column, and says what it cannot read', () => {
    const r = read([
      [
        'PJ',
        'Date',
        'Libellé',
        'N° chèque',
        'Mode de règlement',
        'Banque recettes',
        'Banque dépenses',
        'Relevé',
        '6180',
      ],
      ['1', '02/09/2025', 'Virement', null, 'Virement', null, 10, '?', 10],
      ['2', '02/09/2025', 'Carte', null, 'CB', null, 10, null, 10],
      ['3', '02/09/2025', 'Inconnu', 'voir Marie', 'Bitcoin', null, 10, null, 10],
      ['4', '02/09/2025', 'Chèque', 'Chq n° 7654321', null, null, 10, 'R12', 10],
    ]);
    expect(r.mapping.columns.mode).toBe('E');
    expect(r.lines.map((l) => [l.line.mode, l.line.cheque, l.pointed])).toEqual([
      ['virement', null, false],
      ['carte', null, false],
      [null, null, false],
      ['cheque', '7654321', true],
    ]);
    expect(codes(r, 2)).toEqual(['pointage_illisible@H']);
    expect(codes(r, 4)).toEqual(['mode_illisible@E', 'cheque_illisible@D']);
    expect(at(r, 4).problems.map((p) => p.severity)).toEqual(['warning', 'warning']);
  });
});

describe('lines checked with the cahier’s rules', () => {
  const r = read(
    [
      ['Exercice 2025-2026'],
      HEAD,
      ['1', '31/09/2025', 'Date impossible', null, 10, null, null, null, null, null, 10],
      ['2', null, 'Sans date', null, 10, null, null, null, null, null, 10],
      ['3', '05/09/2025', null, null, 10, null, null, null, null, null, 10],
      ['4', '05/09/2025', 'Déséquilibrée', null, null, 50, null, null, null, 45],
      ['5', '05/09/2024', 'Hors exercice', null, null, 50, null, null, null, 50],
      ['5', '06/09/2025', 'PJ en double', null, null, 50, null, null, null, 50],
      ['7', '06/09/2025', 'Montant illisible', null, 'douze', null, null, null, null, null, 12],
      ['8', '06/09/2025', 'Recette sur une charge', null, 20, null, null, null, null, 20],
      ['9', '06/09/2025', 'Sans ventilation', 'CB', null, 20],
      [null, '06/09/2025', 'Sans PJ', null, null, 20, null, null, null, 20],
      ['11', '07/09/2025', 'Arrondi', null, null, 33.333333, null, null, null, 33.333333],
      ['12', '07/09/2025', 'Avoir', null, -15, null, null, null, null, -15],
      ['13', '07/09/2025', 'Caisse cochée', null, null, null, null, 5, 'X', 5],
      ['14', '07/09/2025', 'Sans montant', null, null, null, null, null, null, 5],
    ],
    { year: 2025 },
  );

  it('names each problem by its row and the column of its field', () => {
    expect(codes(r, 3)).toEqual(['date_invalide@B']);
    expect(at(r, 3).line.date).toBe('31/09/2025');
    expect(codes(r, 4)).toEqual(['date_manquante@B']);
    expect(codes(r, 5)).toEqual(['libelle_manquant@C']);
    expect(codes(r, 6)).toEqual(['ventilation_desequilibree@J']);
    expect(codes(r, 7)).toEqual(['date_hors_exercice@B']);
    expect(codes(r, 8)).toEqual(['pj_deja_utilise@A']);
    expect(codes(r, 9)).toEqual(['montant_invalide@E']);
    // A recette written positive in a charge column is an avoir (the chapter's side gives the sign).
    expect(at(r, 10).line.ventilation).toEqual([{ chapter: '6180', amount: -2000 }]);
    expect(codes(r, 10)).toEqual(['avoir@J']);
    expect(at(r, 11).line).toMatchObject({ mode: 'carte', cheque: null });
    expect(codes(r, 11)).toEqual(['ventilation_manquante@J']);
    expect(codes(r, 12)).toEqual(['pj_manquant@A']);
    expect(codes(r, 13)).toEqual(['montant_arrondi@F', 'montant_arrondi@J']);
    expect(at(r, 13).line.amount).toBe(3333);
    expect(at(r, 14).line).toMatchObject({
      kind: 'depense',
      amount: 1500,
      ventilation: [{ chapter: '6180', amount: 1500 }],
    });
    expect(codes(r, 14)).toEqual(['montant_negatif_inverse@E']);
    expect(at(r, 15).pointed).toBe(false);
    expect(codes(r, 15)).toEqual(['pointage_hors_banque@I']);
    expect(codes(r, 16)).toEqual(['mouvement_absent@E']);
  });

  it('returns every line, drafts included, with French messages', () => {
    expect(r.lines).toHaveLength(14);
    const p = at(r, 6).problems[0]!;
    expect(p).toEqual({
      row: 6,
      column: 'J',
      code: 'ventilation_desequilibree',
      severity: 'error',
      message: expect.stringMatching(/il manque 5,00/),
    });
    expect(at(r, 9).problems[0]!.message).toBe('« douze » n’est pas un montant.');
  });
});

describe('PJ numbers, exercise, coop', () => {
  it('numbers the lines in order when the sheet has no PJ, and says so', () => {
    const r = read([
      ['Date', 'Libellé', 'Banque recettes', 'Banque dépenses', '7080'],
      ['02/09/2025', 'A', 1, null, 1],
      ['03/09/2025', 'B', 2, null, 2],
    ]);
    expect(r.lines.map((l) => l.line.pj)).toEqual(['01', '02']);
    expect(r.problems).toEqual([
      {
        row: 0,
        column: null,
        code: 'pj_numerotees',
        severity: 'warning',
        message: 'La feuille n’a pas de N° de pièce : les lignes sont numérotées dans l’ordre (01 à 02).',
      },
    ]);
  });

  it('finds the exercise from most lines’ dates, else from the title, and takes the one given first', () => {
    const rows: Row[] = [
      ['Cahier 2023-2024'],
      ['Date', 'Libellé', 'Banque recettes', 'Banque dépenses', '7080'],
      ['30/08/2025', 'Fin d’année', 1, null, 1],
      ['02/09/2025', 'A', 1, null, 1],
      ['03/09/2025', 'B', 1, null, 1],
    ];
    expect(read(rows).year).toBe(2025);
    const given = read(rows, { year: 2024 });
    expect(given.year).toBe(2024);
    expect(given.lines.map((l) => l.problems.map((p) => p.code))).toEqual([
      [],
      ['date_hors_exercice'],
      ['date_hors_exercice'],
    ]);
    expect(read([rows[0]!, rows[1]!, [null, 'Sans date', 1, null, 1]]).year).toBe(2023);
    expect(read([rows[1]!, [null, 'Sans date', 1, null, 1]]).year).toBeNull();
  });

  it('finds the coop in the title cells only', () => {
    expect(read([['Coop 0870123'], HEAD]).coop).toBe('087-0123');
    expect(
      read([HEAD, ['1', '02/09/2025', 'Facture 087-0123', null, 1, null, null, null, null, null, 1]]).coop,
    ).toBeNull();
  });
});

describe('a saved mapping', () => {
  // A layout the detector cannot read: headers in English abbreviations.
  const rows: Row[] = [
    ['Ref', 'When', 'What', 'In', 'Out', 'Ck', 'Chg', 'Prd'],
    ['A1', '02/09/2025', 'Sortie – car', null, 300, 'X', 300, null],
    ['A2', '03/09/2025', 'Familles', 120, null, null, null, 120],
  ];
  const mapping: LegacyMapping = {
    sheet: 'Feuil1',
    headerRow: 1,
    columns: {
      pj: 'A',
      date: 'B',
      libelle: 'C',
      banqueRecettes: 'D',
      banqueDepenses: 'E',
      pointage: 'F',
      chapters: { '6180': 'G', '7080': 'H' },
    },
  };

  it('is used instead of the detection', () => {
    expect(() => read(rows)).toThrow(LegacyReadError);
    const r = read(rows, { mapping });
    expect(r.mapping).toBe(mapping);
    expect(r.lines.map((l) => [l.line.pj, l.line.kind, l.line.amount, l.pointed, l.line.ventilation])).toEqual([
      ['A1', 'depense', 30000, true, [{ chapter: '6180', amount: 30000 }]],
      ['A2', 'recette', 12000, false, [{ chapter: '7080', amount: 12000 }]],
    ]);
    expect(r.lines.flatMap((l) => l.problems)).toEqual([]);
  });

  it('is refused clearly when it does not fit the file', () => {
    expect(() => read(rows, { mapping: { ...mapping, sheet: 'Cahier' } })).toThrow(
      /La feuille « Cahier » de la correspondance de colonnes n’existe pas dans « cahier\.xlsx »/,
    );
    const bad = { ...mapping, columns: { ...mapping.columns, date: '2' } };
    expect(() => read(rows, { mapping: bad })).toThrow(expect.objectContaining({ code: 'correspondance_invalide' }));
  });

  it('names new chapters from its header cells', () => {
    const r = read(
      [
        ['Date', 'Libellé', 'Recettes', '7600 – Intérêts'],
        ['02/09/2025', 'Intérêts', 1.5, 1.5],
      ],
      {
        mapping: { headerRow: 1, columns: { date: 'A', libelle: 'B', banqueRecettes: 'C', chapters: { '7600': 'D' } } },
      },
    );
    expect(r.newChapters).toEqual([{ code: '7600', label: 'Intérêts' }]);
    expect(r.lines[0]!.problems).toEqual([]);
  });
});

describe('the workbook this product writes', () => {
  const layout = cahierLayout(DEFAULT_CHART);
  const lines: CahierLine[] = [
    {
      pj: '01',
      date: '2025-09-05',
      libelle: 'Mairie – subvention sortie',
      mode: 'virement',
      kind: 'recette',
      account: 'banque',
      amount: 50000,
      ventilation: [{ chapter: '7080', amount: 50000 }],
      pointed: true,
    },
    {
      pj: '02',
      date: '2025-09-10',
      libelle: 'OCCE – cotisation',
      mode: 'cheque',
      cheque: '1234567',
      kind: 'depense',
      account: 'banque',
      amount: 25050,
      ventilation: [
        { chapter: '6281', amount: 22000 },
        { chapter: '6282', amount: 3050 },
      ],
    },
    {
      pj: '03',
      date: '2025-09-12',
      libelle: 'Dépôt',
      mode: 'especes',
      kind: 'depot',
      account: 'banque',
      amount: 8000,
      ventilation: [],
    },
    {
      pj: '04',
      date: '2025-09-13',
      libelle: 'Retrait',
      kind: 'retrait',
      account: 'banque',
      amount: 3000,
      ventilation: [],
    },
    {
      pj: '05',
      date: '2025-09-14',
      libelle: 'Régie – Mme Martin',
      kind: 'regie_versee',
      account: 'banque',
      amount: 10000,
      ventilation: [],
      holder: 'Mme Martin',
      action: 'Classe verte',
    },
    {
      pj: '06',
      date: '2025-09-20',
      libelle: 'Boulangerie – goûter',
      kind: 'depense',
      account: 'regie',
      amount: 4550,
      ventilation: [{ chapter: '6180', amount: 4550 }],
      holder: 'Mme Martin',
      action: 'Classe verte',
    },
    {
      pj: '07',
      date: '2025-09-21',
      libelle: 'Régie – reliquat',
      mode: 'especes',
      kind: 'regie_remboursee',
      account: 'caisse',
      amount: 5450,
      ventilation: [],
      holder: 'Mme Martin',
    },
    {
      pj: '08',
      date: '2025-09-22',
      libelle: 'Avoir librairie',
      kind: 'recette',
      account: 'banque',
      amount: 1200,
      ventilation: [{ chapter: '6180', amount: -1200 }],
    },
  ];
  const FIRST = 5;
  const cells = (values: unknown[]): Row =>
    values.map((v) => (v !== null && typeof v === 'object' ? null : (v as LegacyValue)));
  const grid = (title: string | null): Row[] => {
    const top: Row[] = [[title], [], []];
    for (const c of layout.columns) {
      if (c.group && layout.columns.find((x) => x.group === c.group) === c) top[2]![c.index] = c.group;
    }
    top[1]![0] = 'Page de gauche – opérations financières';
    const rows: Row[] = [...top, layout.columns.map((c) => c.header)];
    lines.forEach((l, i) =>
      rows.push(cells(lineToRow(layout, l, FIRST + i, { status: '✓', id: `id-${i}`, version: 1 }))),
    );
    for (let i = 0; i < 20; i++) rows.push(cells(emptyRow(layout, FIRST + lines.length + i)));
    const totals: Row = layout.columns.map(() => null);
    totals[0] = 'Totaux';
    totals[layout.byKey.get('banque_recettes')!.index] = 512;
    rows.push(totals);
    return rows;
  };
  const expectLines = lines.map(({ pointed: _pointed, ...l }) => ({
    mode: null,
    cheque: null,
    action: null,
    holder: null,
    ...l,
  }));

  it('reads its lines back, régies, modes and ventilation automatique included', () => {
    const r = readLegacy(
      {
        file: 'Cahier-087-0123-2025.xlsx',
        sheets: [
          { name: 'Cahier', rows: grid(null) },
          {
            name: 'Coopérative',
            rows: [
              ['Coopérative scolaire'],
              [],
              ['Nom de la coopérative', 'École du Bourg'],
              ['N° d’affiliation OCCE', '087-0123'],
              ...Array.from({ length: 8 }, () => [] as Row),
              ['Report à nouveau – banque', 1200],
              ['Report à nouveau – caisse', 35.5],
              ['Report à nouveau – total', 1235.5],
            ],
          },
        ],
      },
      { chart: DEFAULT_CHART },
    );
    expect(r.sheet).toBe('Cahier');
    expect(r.mapping.headerRow).toBe(4);
    expect(r.mapping.columns).toMatchObject({
      pj: 'B',
      date: 'D',
      libelle: 'E',
      cheque: 'F',
      action: 'G',
      mode: 'H',
      banqueRecettes: 'I',
      regieRecettes: 'M',
      regieDepenses: 'N',
      holder: 'O',
      pointage: 'P',
      chapterChoice: 'Q',
    });
    expect(r.lines.map((l) => l.line)).toEqual(expectLines);
    expect(r.lines.map((l) => l.pointed)).toEqual([true, false, false, false, false, false, false, false]);
    expect(r.lines.map((l) => l.problems.map((p) => p.code))).toEqual([[], [], [], [], [], [], [], ['avoir']]);
    expect(r.skippedRows).toEqual([{ row: FIRST + lines.length + 20, reason: 'ligne de total' }]);
    expect(r.newChapters).toEqual([]);
    expect(r.coop).toBe('087-0123');
    expect(r.year).toBe(2025);
    expect(r.openingBalances).toEqual({ banque: 120000, caisse: 3550 });
  });

  it('reads the opening balances from its title when the Coopérative sheet is not there', () => {
    const title =
      'Cahier de comptabilité – École du Bourg – exercice 2025-2026 – report à nouveau : banque 1200.00 €, caisse -3.50 €';
    const r = readLegacy({ file: 'c.xlsx', sheets: [{ name: 'Cahier', rows: grid(title) }] }, { chart: DEFAULT_CHART });
    expect(r.openingBalances).toEqual({ banque: 120000, caisse: -350 });
    expect(r.lines.map((l) => l.line)).toEqual(expectLines);
  });
});

describe('written in a legacy layout, read back the same (property)', () => {
  const CHARGES = ['6070', '6180', '6181', '6281', '6282', '6500'];
  const PRODUITS = ['7070', '7080', '7500', '7560', '7600'];
  const CHAPTERS = [...CHARGES, ...PRODUITS];
  const NBSP = '\u202f';

  const frenchText = (cents: number) => {
    const s = (cents / 100).toFixed(2).replace('.', ',');
    const [units, dec] = s.split(',') as [string, string];
    return `${units.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP)},${dec}${NBSP}€`;
  };

  const parts = (codes: readonly string[]) =>
    fc
      .shuffledSubarray([...codes], { minLength: 1, maxLength: 3 })
      .chain((chosen) =>
        fc
          .array(fc.integer({ min: 1, max: 2_000_000 }), { minLength: chosen.length, maxLength: chosen.length })
          .map((amounts): VentilationPart[] => chosen.map((chapter, i) => ({ chapter, amount: amounts[i]! }))),
      );
  const word = fc.stringMatching(/^[A-Za-zéèàç]{1,10}$/);
  const lineArb = fc
    .record({
      kind: fc.constantFrom('recette', 'depense', 'depense', 'depot', 'retrait') as fc.Arbitrary<LineInput['kind']>,
      caisse: fc.boolean(),
      day: fc.integer({ min: 0, max: 364 }),
      words: fc.array(word, { minLength: 1, maxLength: 4 }),
      cheque: fc.option(fc.integer({ min: 1_000_000, max: 9_999_999 }), { nil: null }),
      action: fc.option(fc.constantFrom('Photos', 'Classe verte', 'Kermesse'), { nil: null }),
      recette: parts(PRODUITS),
      depense: parts(CHARGES),
      transfer: fc.integer({ min: 1, max: 500_000 }),
      pointed: fc.boolean(),
    })
    .map((g) => {
      const ventilated = g.kind === 'recette' || g.kind === 'depense';
      const ventilation = g.kind === 'recette' ? g.recette : g.kind === 'depense' ? g.depense : [];
      const amount = ventilated ? ventilation.reduce((s, p) => s + p.amount, 0) : g.transfer;
      const account: LineInput['account'] = ventilated && g.caisse ? 'caisse' : 'banque';
      const line: LineInput = {
        pj: '',
        date: new Date(Date.UTC(2025, 8, 1 + g.day)).toISOString().slice(0, 10),
        libelle: `Achat ${g.words.join(' ')}`,
        mode: g.cheque === null ? null : 'cheque',
        cheque: g.cheque === null ? null : String(g.cheque),
        action: g.action,
        kind: g.kind,
        account,
        amount,
        ventilation,
        holder: null,
      };
      return { line, pointed: g.pointed && touchesBank(line) };
    });

  type Style = 'twoRows' | 'single' | 'crossed';
  const write = (
    style: Style,
    titleRows: number,
    textValues: boolean,
    opening: { banque: number; caisse: number },
    generated: { line: LineInput; pointed: boolean }[],
  ): Row[] => {
    // Column order: PJ, date, libellé, chèque, action, 4 movements, pointage, chapters.
    const money = (cents: number | undefined): LegacyValue =>
      cents === undefined ? null : textValues ? frenchText(cents) : cents / 100;
    const date = (iso: string, i: number): LegacyValue =>
      textValues ? iso.split('-').reverse().join('/') : i % 2 ? serial(iso) : { date: iso };
    const rows: Row[] = [];
    for (let i = 0; i < titleRows; i++) rows.push(i === 0 ? ['Cahier de la coopérative – 2025-2026'] : []);
    const left = ['N° PJ', 'Date', 'Désignation', 'Chèque', 'Projet'];
    if (style === 'twoRows') {
      rows.push([...left, 'BANQUE', null, 'CAISSE', null, 'Relevé', ...CHAPTERS]);
      rows.push([null, null, null, null, null, 'Recettes', 'Dépenses', 'Recettes', 'Dépenses']);
    } else if (style === 'single') {
      rows.push([...left, 'Entrées banque', 'Sorties banque', 'Entrées caisse', 'Sorties caisse', 'P', ...CHAPTERS]);
    } else {
      rows.push([null, null, null, null, null, 'Banque', null, 'Caisse', null]);
      rows.push([...left, 'Crédit', 'Débit', 'Crédit', 'Débit', 'Pointé', ...CHAPTERS.map((c) => `${c} – Chapitre`)]);
    }
    rows.push([null, null, 'Report à nouveau', null, null, money(opening.banque), null, money(opening.caisse)]);
    generated.forEach(({ line, pointed }, i) => {
      const moves: Record<string, number> = {};
      if (line.kind === 'depot') Object.assign(moves, { banque_recettes: line.amount, caisse_depenses: line.amount });
      else if (line.kind === 'retrait')
        Object.assign(moves, { banque_depenses: line.amount, caisse_recettes: line.amount });
      else moves[`${line.account}_${line.kind === 'recette' ? 'recettes' : 'depenses'}`] = line.amount;
      const chapters = CHAPTERS.map((c) => money(line.ventilation.find((p) => p.chapter === c)?.amount));
      rows.push([
        formatPj(i + 1),
        date(line.date, i),
        line.libelle,
        line.cheque === null ? null : textValues ? `n°${line.cheque}` : Number(line.cheque),
        line.action ?? null,
        money(moves.banque_recettes),
        money(moves.banque_depenses),
        money(moves.caisse_recettes),
        money(moves.caisse_depenses),
        pointed ? (textValues ? '✓' : 'X') : null,
        ...chapters,
      ]);
      if (i % 10 === 9) rows.push([null, null, `Total ${i}`, null, null, 1, 1, 1, 1]);
    });
    return rows;
  };

  it('gives the same lines, to the cent', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Style>('twoRows', 'single', 'crossed'),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.record({ banque: fc.integer({ min: 1, max: 10_000_000 }), caisse: fc.integer({ min: 1, max: 100_000 }) }),
        fc.array(lineArb, { minLength: 1, maxLength: 40 }),
        (style, titleRows, textValues, opening, generated) => {
          const r = read(write(style, titleRows, textValues, opening, generated));
          const sortParts = (v: VentilationPart[]) => [...v].sort((a, b) => a.chapter.localeCompare(b.chapter));
          expect(r.lines.map((l) => ({ ...l.line, ventilation: sortParts(l.line.ventilation) }))).toEqual(
            generated.map((g, i) => ({ ...g.line, pj: formatPj(i + 1), ventilation: sortParts(g.line.ventilation) })),
          );
          expect(r.lines.map((l) => l.pointed)).toEqual(generated.map((g) => g.pointed));
          expect(r.lines.flatMap((l) => l.problems)).toEqual([]);
          expect(r.openingBalances).toEqual(opening);
          expect(r.year).toBe(2025);
          expect(r.newChapters.map((c) => c.code)).toEqual(['6181', '7600']);
          expect(r.skippedRows.map((s) => s.reason)).toEqual([
            'report à nouveau',
            ...Array.from({ length: Math.floor(generated.length / 10) }, () => 'ligne de total'),
          ]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
