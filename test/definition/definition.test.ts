import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_CHART,
  KINDS,
  LINE_KINDS,
  PROBLEMS,
  SIGNATURES,
  cahierLayout,
  chapterCodeFromChoice,
  chartProblems,
  dateToSerial,
  eurosToCents,
  exerciseBounds,
  exerciseOf,
  formatDateFr,
  formatEuros,
  movementCells,
  nextPj,
  orderChart,
  parseDateFr,
  parseEuros,
  serialToDate,
  signatureOf,
  rowFormulas,
} from '../../templates/definition';

describe('la définition du cahier', () => {
  const layout = cahierLayout();

  test('keeps the OCCE cahier letters: B PJ, D date, E libellé, F chèque, G action', () => {
    const letter = (k: string) => layout.byKey.get(k)!.letter;
    expect([letter('pj'), letter('date'), letter('libelle'), letter('cheque'), letter('action')]).toEqual([
      'B',
      'D',
      'E',
      'F',
      'G',
    ]);
  });

  test('left page: mode, banque/caisse/régie movements, pointage; right page: one column per chapter', () => {
    const left = layout.columns.filter((c) => c.page === 'gauche').map((c) => c.header);
    expect(left).toEqual([
      'Statut',
      'N° PJ',
      'Nature',
      'Date',
      'Libellé',
      'N° chèque',
      'Action',
      'Mode',
      'Banque recettes',
      'Banque dépenses',
      'Caisse recettes',
      'Caisse dépenses',
      'Régie avances',
      'Régie dépenses',
      'Titulaire régie',
      'Pointage',
    ]);
    expect(layout.chapterColumns.map((c) => c.chapter!.code)).toEqual([
      '6070',
      '6180',
      '6281',
      '6282',
      '6500',
      '6700',
      '6800',
      '7070',
      '7080',
      '7410',
      '7420',
      '7500',
      '7560',
      '7700',
    ]);
    expect(new Set(layout.columns.map((c) => c.header)).size).toBe(layout.columns.length);
    for (const c of layout.columns) expect(c.header).not.toMatch(/[[\]#']/);
  });

  test('a chapter added to the chart is one more column, in code order among its side', () => {
    const chart = [...DEFAULT_CHART, { code: '6181', side: 'charge' as const, label: 'Abonnements', description: '' }];
    const l = cahierLayout(chart);
    expect(l.columns.length).toBe(layout.columns.length + 1);
    expect(l.chapterColumns.map((c) => c.chapter!.code).slice(0, 3)).toEqual(['6070', '6180', '6181']);
    expect(rowFormulas(l, 5).ch_6181).toBe('IF(LEFT($Q5&" ",5)="6181 ",-(SUM($I5,$K5,$M5)-SUM($J5,$L5,$N5)),"")');
  });

  test('the default chart: 14 chapters, 7 charges and 7 produits, and it is consistent', () => {
    expect(DEFAULT_CHART).toHaveLength(14);
    expect(orderChart(DEFAULT_CHART).filter((c) => c.side === 'charge')).toHaveLength(7);
    expect(chartProblems(DEFAULT_CHART)).toEqual([]);
    expect(chartProblems([...DEFAULT_CHART, { code: '7410', side: 'charge', label: 'x', description: '' }])).toEqual([
      'Le chapitre 7410 est déclaré deux fois.',
      'Le chapitre 7410 est déclaré comme charge : son code devrait commencer par 6.',
    ]);
  });

  test('chapter list entries read back as codes', () => {
    expect(chapterCodeFromChoice('6180 – Activités éducatives')).toBe('6180');
    expect(chapterCodeFromChoice(6180)).toBe('6180');
    expect(chapterCodeFromChoice('')).toBeNull();
  });

  test('each kind fills its movement columns and is read back from them', () => {
    for (const s of SIGNATURES) {
      const cells = movementCells(s.kind, s.account, 1000);
      expect(signatureOf(cells)).toEqual(s);
    }
    expect(LINE_KINDS.filter((k) => !KINDS[k].ventilated)).toEqual([
      'depot',
      'retrait',
      'regie_versee',
      'regie_remboursee',
    ]);
    expect(movementCells('depot', 'banque', 500)).toEqual({ caisse_depenses: 500, banque_recettes: 500 });
    expect(signatureOf({ banque_recettes: 1, caisse_recettes: 1 })).toBeNull();
  });
});

describe('montants et dates', () => {
  test('euros ↔ cents, exact', () => {
    expect(eurosToCents(45.9)).toBe(4590);
    expect(eurosToCents(0.1 + 0.2)).toBe(30);
    expect(eurosToCents(1234567.89)).toBe(123456789);
    expect(eurosToCents(45.905)).toBeNull();
    expect(formatEuros(123456)).toBe('1\u202f234,56\u00a0€');
    expect(formatEuros(-5)).toBe('-0,05\u00a0€');
    expect(parseEuros('1 234,5 €')).toEqual({ cents: 123450 });
    expect(parseEuros('12,345')).toEqual({ error: 'Le montant « 12,345 » a plus de deux décimales.' });
    expect(parseEuros('abc')).toEqual({ error: "« abc » n'est pas un montant." });
  });

  test('the exercise runs from 1 September to 31 August', () => {
    expect(exerciseBounds(2025)).toEqual({ year: 2025, start: '2025-09-01', end: '2026-08-31' });
    expect(exerciseOf('2025-09-01')).toBe(2025);
    expect(exerciseOf('2026-08-31')).toBe(2025);
    expect(exerciseOf('2025-08-31')).toBe(2024);
  });

  test('jj/mm/aaaa and spreadsheet serials', () => {
    expect(parseDateFr('07/05/2021')).toBe('2021-05-07');
    expect(parseDateFr('31/02/2021')).toBeNull();
    expect(formatDateFr('2021-05-07')).toBe('07/05/2021');
    expect(dateToSerial('2025-09-01')).toBe(45901);
    expect(serialToDate(45901.75)).toBe('2025-09-01');
    expect(serialToDate(dateToSerial('2028-02-29'))).toBe('2028-02-29');
  });

  test('PJ numbers are zero-padded and the next one is proposed', () => {
    expect(nextPj([])).toBe('01');
    expect(nextPj(['01', '02', '07'])).toBe('08');
    expect(nextPj(['98', '99'])).toBe('100');
    expect(nextPj(['001', '002'])).toBe('003');
  });
});

describe('la documentation', () => {
  test('the README lists every problem code and every kind of line', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const row = (first: string, second: string) => new RegExp(`\\|\\s*\`${first}\`\\s*\\|\\s*${second}`);
    for (const [code, def] of Object.entries(PROBLEMS)) {
      expect(readme).toMatch(row(code, def.severity === 'error' ? 'error' : 'warning'));
    }
    for (const kind of LINE_KINDS) expect(readme).toMatch(row(kind, KINDS[kind].label));
  });
});
