import fc from 'fast-check';
import {
  bankAmount,
  cleanBankLabel,
  hasErrors,
  labelSimilarity,
  labelWords,
  matchStatement,
  modeFromBankLabel,
  rapprochement,
  reconciliation,
  validateLine,
  type MatchableLine,
  type StatementLine,
} from '../../templates/definition';
import { generateQuarter, randomCahierAndStatement, type QuarterLine } from '../fixtures/quarter';

const st = (date: string, amount: number, label: string, cheque: string | null = null): StatementLine => ({
  date,
  amount,
  label,
  cheque,
  bankRef: null,
});

let nextId = 0;
const line = (over: Partial<MatchableLine> & Pick<MatchableLine, 'date' | 'amount' | 'kind'>): MatchableLine => {
  nextId++;
  return {
    id: `x-${nextId}`,
    pj: String(nextId).padStart(3, '0'),
    libelle: 'Ligne',
    account: 'banque',
    mode: null,
    cheque: null,
    status: 'validated',
    pointed: false,
    ...over,
  };
};

const idsOf = (p: { lines: { id: string }[] }) => p.lines.map((l) => l.id).sort();

describe('a quarter of a coop against its bank statement', () => {
  const q = generateQuarter(1);
  const result = matchStatement(q.statement, q.lines, { history: q.history });
  const byLabel = (label: string) => result.proposals.filter((p) => p.statementLine.label === label);
  const lineNamed = (libelle: string) => q.lines.find((l) => l.libelle === libelle)!;

  test('every statement line is proposed with the lines it comes from, the rest as new lines', () => {
    expect(result.proposals.map((p) => ({ statementIndex: p.statementIndex, lineIds: idsOf(p) }))).toEqual(
      q.expected.matches.map((m) => ({ statementIndex: m.statementIndex, lineIds: [...m.lineIds].sort() })),
    );
    expect(result.unmatched.map((u) => u.statementIndex)).toEqual(q.expected.unmatched.map((u) => u.statementIndex));
    expect(result.ignored).toEqual([]);
  });

  test.each([2, 3, 4, 5, 6])('the same holds for the quarter of seed %i (random delays and amounts)', (seed) => {
    const other = generateQuarter(seed);
    const r = matchStatement(other.statement, other.lines, { history: other.history });
    expect(r.proposals.map((p) => ({ statementIndex: p.statementIndex, lineIds: idsOf(p) }))).toEqual(
      other.expected.matches.map((m) => ({ statementIndex: m.statementIndex, lineIds: [...m.lineIds].sort() })),
    );
    expect(
      r.unmatched.map((u) => ({ statementIndex: u.statementIndex, chapter: u.suggestion?.chapter ?? null })),
    ).toEqual(other.expected.unmatched);
  });

  test('a late cheque is certain by its number, with the delay in French', () => {
    const [p] = byLabel('CHEQUE 4500201');
    expect(p!.lines).toEqual([
      { id: lineNamed('Autocars Martin – sortie ferme').id, pj: lineNamed('Autocars Martin – sortie ferme').pj },
    ]);
    expect(p!.certain).toBe(true);
    expect(p!.reasons).toEqual(['même montant', 'chèque n° 4500201', 'débité 19 jours après', 'même mode (chèque)']);
    expect(p!.score).toBeGreaterThan(0.8);
    expect(p!.score).toBeLessThanOrEqual(1);
  });

  test('a cheque the bank shows without its number is proposed, but not certain', () => {
    const plain = byLabel('CHEQUE');
    expect(plain.length).toBeGreaterThan(0);
    for (const p of plain) {
      expect(p.certain).toBe(false);
      expect(p.reasons[0]).toBe('même montant');
      expect(p.reasons[1]).toMatch(/^débité \d+ jours? après$/);
    }
  });

  test('one credit for four families’ cheques is proposed as a remise, never certain', () => {
    const [p] = byLabel('REMISE CHEQUES 0004512');
    const families = q.lines.filter((l) => l.libelle.endsWith('participation sortie ferme'));
    expect(families).toHaveLength(4);
    expect(p!.type).toBe('remise');
    expect(idsOf(p!)).toEqual(families.map((l) => l.id).sort());
    expect(families.reduce((s, l) => s + l.amount, 0)).toBe(p!.statementLine.amount);
    expect(p!.certain).toBe(false);
    expect(p!.reasons).toEqual([
      'remise de 4 chèques',
      'somme exacte (82,50\u00a0€)',
      'chèques du 01/10/2025 au 03/10/2025',
      'crédité 4 jours après le dernier chèque',
      'libellé de remise',
    ]);
  });

  test('two identical card payments on one day take one line each, neither certain', () => {
    const pair = byLabel('CB SUPER U 14/10 X4971');
    expect(pair).toHaveLength(2);
    const gouters = q.lines.filter((l) => l.libelle === 'Super U – goûter').map((l) => l.id);
    expect(pair.flatMap(idsOf).sort()).toEqual([...gouters].sort());
    expect(pair.map((p) => p.certain)).toEqual([false, false]);
  });

  test('a direct debit alone of its amount within days is certain', () => {
    const [p] = byLabel('PRLV SEPA MAIF ASSURANCE ECH 05/10');
    expect(p!.lines[0]!.id).toBe(lineNamed('MAIF – assurance multirisque').id);
    expect(p!.certain).toBe(true);
    expect(p!.reasons).toEqual([
      'même montant',
      'débité 1 jour après',
      'même mode (prélèvement)',
      'libellé proche',
      'seule ligne de ce montant à 3 jours près',
    ]);
  });

  test('a cash deposit (dépôt d’espèces) is found on the bank side', () => {
    const [p] = byLabel('VERSEMENT ESPECES');
    expect(p!.lines[0]!.id).toBe(lineNamed('Dépôt espèces kermesse').id);
    expect(p!.reasons).toContain('crédité 1 jour après');
  });

  test('lines pointed earlier, drafts and caisse lines are never proposed', () => {
    const excluded = q.lines.filter((l) => l.pointed || l.status === 'draft' || l.account === 'caisse');
    expect(excluded.map((l) => l.libelle).sort()).toEqual(
      [
        'Boulangerie Moreau – galettes',
        'Librairie Durand – livres bibliothèque',
        'Transdev – transport piscine',
      ].sort(),
    );
    const proposed = new Set(result.proposals.flatMap(idsOf));
    for (const l of excluded) expect(proposed.has(l.id)).toBe(false);
    // Their amounts are on the statement: those operations come back as new lines.
    const newAmounts = result.unmatched.map((u) => u.statementLine.amount);
    for (const l of excluded) expect(newAmounts).toContain(-l.amount);
  });

  test('the cheque never cashed stays out of every proposal', () => {
    const musee = lineNamed('Musée des Confluences – entrées');
    expect(q.expected.outstanding).toEqual([musee.id]);
    expect(result.proposals.flatMap(idsOf)).not.toContain(musee.id);
  });

  test('unmatched statement lines come back as lines to enter, with the chapter the coop used before', () => {
    const seen = result.unmatched.map((u) => ({
      label: u.statementLine.label,
      libelle: u.proposed.libelle,
      kind: u.proposed.kind,
      mode: u.proposed.mode,
      amount: u.proposed.amount,
      chapter: u.suggestion?.chapter ?? null,
    }));
    expect(seen).toEqual([
      {
        label: 'CB LIBRAIRIE DURAND 09/09 X4971',
        libelle: 'LIBRAIRIE DURAND',
        kind: 'depense',
        mode: 'carte',
        amount: 3450,
        chapter: '6180',
      },
      {
        label: 'FRAIS TENUE DE COMPTE',
        libelle: 'FRAIS TENUE DE COMPTE',
        kind: 'depense',
        mode: null,
        amount: 900,
        chapter: '6500',
      },
      {
        label: 'CB BOULANGERIE MOREAU 05/10 X4971',
        libelle: 'BOULANGERIE MOREAU',
        kind: 'depense',
        mode: 'carte',
        amount: 1250,
        chapter: '6500',
      },
      {
        label: 'PRLV TRANSDEV',
        libelle: 'TRANSDEV',
        kind: 'depense',
        mode: 'prelevement',
        amount: 18_000,
        chapter: '6180',
      },
      {
        label: 'VIR SEPA RECU /DE MAIRIE DE LYON /MOTIF SUBVENTION SORTIE',
        libelle: 'MAIRIE DE LYON SUBVENTION SORTIE',
        kind: 'recette',
        mode: 'virement',
        amount: 50_000,
        chapter: '7410',
      },
      {
        label: 'FRAIS TENUE DE COMPTE',
        libelle: 'FRAIS TENUE DE COMPTE',
        kind: 'depense',
        mode: null,
        amount: 900,
        chapter: '6500',
      },
      {
        label: 'INTERETS CREDITEURS 2025',
        libelle: 'INTERETS CREDITEURS',
        kind: 'recette',
        mode: null,
        amount: 312,
        chapter: null,
      },
    ]);
    // The most frequent chapter among the most similar lines: 3 × 6500 against 1 × 6700.
    const frais = result.unmatched.find((u) => u.statementLine.label === 'FRAIS TENUE DE COMPTE')!;
    expect(frais.suggestion).toMatchObject({
      support: 3,
      among: 4,
      reason: 'comme « Frais de tenue de compte » (3 lignes sur 4)',
    });
    expect(result.unmatched.find((u) => u.proposed.amount === 312)!.suggestion).toBeNull();
  });

  test('a proposed line with a chapter passes the cahier’s rules once the PJ is given', () => {
    const withChapter = result.unmatched.filter((u) => u.suggestion !== null);
    expect(withChapter.length).toBe(6);
    for (const u of withChapter) {
      expect(u.proposed.pj).toBe('');
      expect(validateLine(u.proposed, { exercise: q.exercise }).map((p) => p.code)).toContain('pj_manquant');
      const problems = validateLine({ ...u.proposed, pj: '901' }, { exercise: q.exercise });
      expect(hasErrors(problems)).toBe(false);
      expect(u.proposed).toMatchObject({
        account: 'banque',
        date: u.statementLine.date,
        amount: Math.abs(u.statementLine.amount),
      });
    }
  });

  test('the état de rapprochement after the treasurer accepts everything: nothing left but the cheque not cashed', () => {
    const accepted = new Set(result.proposals.flatMap(idsOf));
    const lines = [
      ...q.lines.map((l) => ({ ...l, pointed: l.pointed || accepted.has(l.id) })),
      ...result.unmatched.map((u, i) => ({
        ...u.proposed,
        id: `new-${i}`,
        pj: `9${i}`,
        status: 'validated' as const,
        pointed: true,
      })),
    ];
    const rec = reconciliation({ date: q.to, statementBalance: q.statementBalance, lines, opening: q.opening });
    const musee = lines.find((l) => l.libelle === 'Musée des Confluences – entrées')!;
    expect(rec.outstanding.payments.lines.map((l) => l.id)).toEqual([musee.id]);
    expect(rec.outstanding.payments.total).toBe(6500);
    expect(rec.outstanding.receipts).toEqual({ lines: [], total: 0 });
    expect(rec.expectedStatementBalance).toBe(rec.cahierBalance + 6500);
    expect(rec.gap).toBe(0);
    // Before pointing anything, the same balance is explained by many outstanding lines.
    const before = reconciliation({
      date: q.to,
      statementBalance: q.statementBalance,
      lines: q.lines,
      opening: q.opening,
    });
    expect(before.outstanding.payments.lines.length).toBeGreaterThan(10);
    expect(before.gap).not.toBe(0);
  });
});

describe('assignment is decided over the whole statement, not in file order', () => {
  test('two cheques of the same amount, written on different dates and cashed in reverse order', () => {
    // Written on 1 and 15 October; the second is cashed first (17/10), the first later (25/10).
    const early = line({ date: '2025-10-01', amount: 4000, kind: 'depense', mode: 'cheque', libelle: 'Cheque A' });
    const late = line({ date: '2025-10-15', amount: 4000, kind: 'depense', mode: 'cheque', libelle: 'Cheque B' });
    // The bank lists newest first: taken in file order, the 25/10 line would grab the nearest
    // cheque (15/10, 10 days) and leave the 17/10 line the older one.
    const statement = [st('2025-10-25', -4000, 'CHEQUE'), st('2025-10-17', -4000, 'CHEQUE')];
    const r = matchStatement(statement, [early, late]);
    expect(r.proposals.map((p) => [p.statementIndex, p.lines[0]!.id])).toEqual([
      [0, early.id],
      [1, late.id],
    ]);
    expect(r.proposals.map((p) => p.reasons[1])).toEqual(['débité 24 jours après', 'débité 2 jours après']);
    expect(r.proposals.every((p) => !p.certain)).toBe(true);
  });

  test('an equal cheque number wins over a nearer date', () => {
    const a = line({ date: '2025-10-01', amount: 4000, kind: 'depense', mode: 'cheque', cheque: '111' });
    const b = line({ date: '2025-10-14', amount: 4000, kind: 'depense', mode: 'cheque', cheque: '222' });
    const r = matchStatement([st('2025-10-15', -4000, 'CHQ 0000111', '0000111')], [b, a]);
    expect(r.proposals).toHaveLength(1);
    expect(r.proposals[0]!.lines[0]!.id).toBe(a.id);
    expect(r.proposals[0]!.certain).toBe(true);
    expect(r.proposals[0]!.reasons).toContain('chèque n° 111');
  });

  test('a card payment competed for by two bank lines goes to the nearest, and is not certain', () => {
    const card = line({
      date: '2025-10-10',
      amount: 1999,
      kind: 'depense',
      mode: 'carte',
      libelle: 'Cultura – feutres',
    });
    const r = matchStatement([st('2025-10-14', -1999, 'CB CULTURA'), st('2025-10-11', -1999, 'CB CULTURA')], [card]);
    expect(r.proposals.map((p) => [p.statementIndex, p.certain])).toEqual([[1, false]]);
    expect(r.unmatched.map((u) => u.statementIndex)).toEqual([0]);
  });

  test('the closer label breaks a tie of dates', () => {
    const poste = line({
      date: '2025-10-10',
      amount: 1290,
      kind: 'depense',
      mode: 'carte',
      libelle: 'La Poste – timbres',
    });
    const picard = line({
      date: '2025-10-10',
      amount: 1290,
      kind: 'depense',
      mode: 'carte',
      libelle: 'Picard – glaces',
    });
    const r = matchStatement([st('2025-10-11', -1290, 'CB PICARD 10/10')], [poste, picard]);
    expect(r.proposals[0]!.lines[0]!.id).toBe(picard.id);
    expect(r.proposals[0]!.reasons).toContain('libellé proche');
  });
});

describe('windows', () => {
  const card = line({ date: '2025-10-10', amount: 2500, kind: 'depense', mode: 'carte' });
  const cheque = line({ date: '2025-10-10', amount: 2500, kind: 'depense', mode: 'cheque', cheque: '77' });
  const matched = (l: MatchableLine, date: string, label: string, options = {}) =>
    matchStatement([st(date, -2500, label)], [l], options).proposals.length === 1;

  test('a card payment reaches the bank within a few days, never long before', () => {
    expect(matched(card, '2025-10-15', 'CB X')).toBe(true);
    expect(matched(card, '2025-10-16', 'CB X')).toBe(false);
    expect(matched(card, '2025-10-08', 'CB X')).toBe(true);
    expect(matched(card, '2025-10-07', 'CB X')).toBe(false);
    expect(matched(card, '2025-10-20', 'CB X', { otherWindowDays: 10 })).toBe(true);
  });

  test('a cheque may be cashed up to two months later', () => {
    expect(matched(cheque, '2025-12-09', 'CHEQUE')).toBe(true);
    expect(matched(cheque, '2025-12-10', 'CHEQUE')).toBe(false);
    expect(matched(cheque, '2025-10-07', 'CHEQUE')).toBe(false);
    expect(matched(cheque, '2025-12-20', 'CHEQUE', { chequeWindowDays: 90 })).toBe(true);
  });

  test('a receipt never matches a debit of the same amount', () => {
    const receipt = line({ date: '2025-10-10', amount: 2500, kind: 'recette', mode: 'virement' });
    expect(matched(receipt, '2025-10-10', 'VIR X')).toBe(false);
  });

  test('a nil statement line is neither matched nor proposed', () => {
    const r = matchStatement([st('2025-10-10', 0, 'INFO')], [card]);
    expect(r).toEqual({ proposals: [], unmatched: [], ignored: [0] });
  });
});

describe('remises de chèques', () => {
  const receipt = (date: string, amount: number) =>
    line({ date, amount, kind: 'recette', mode: 'cheque', cheque: String(amount), libelle: 'Famille' });

  test('the smallest set is preferred, then the nearest in date', () => {
    const old = [receipt('2025-09-20', 1500), receipt('2025-09-21', 1500)];
    const recent = [receipt('2025-10-05', 1500), receipt('2025-10-06', 1500)];
    const three = [receipt('2025-10-06', 1000), receipt('2025-10-06', 1000), receipt('2025-10-06', 1000)];
    const r = matchStatement([st('2025-10-08', 3000, 'REMISE CHEQUES')], [...old, ...three, ...recent]);
    expect(r.proposals).toHaveLength(1);
    expect(r.proposals[0]!.type).toBe('remise');
    expect(idsOf(r.proposals[0]!)).toEqual(recent.map((l) => l.id).sort());
    expect(r.proposals[0]!.reasons[0]).toBe('remise de 2 chèques');
  });

  test('a single line of the amount is preferred to a remise', () => {
    const single = receipt('2025-10-01', 3000);
    const parts = [receipt('2025-10-05', 1000), receipt('2025-10-05', 2000)];
    const r = matchStatement([st('2025-10-08', 3000, 'REMISE CHEQUE')], [...parts, single]);
    expect(r.proposals.map((p) => [p.type, idsOf(p)])).toEqual([['ligne', [single.id]]]);
  });

  test('no remise when no set sums exactly to the credit, nor from a transfer', () => {
    const pool = [receipt('2025-10-01', 1000), receipt('2025-10-02', 2500)];
    expect(matchStatement([st('2025-10-08', 3000, 'REMISE CHEQUES')], pool).proposals).toEqual([]);
    expect(matchStatement([st('2025-10-08', 3500, 'VIR SEPA RECU')], pool).proposals).toEqual([]);
    expect(matchStatement([st('2025-10-08', 3500, 'REMISE CHEQUES')], pool).proposals).toHaveLength(1);
  });

  test('two remises never share a cheque', () => {
    const pool = [1000, 2000, 1000, 2000].map((a, i) => receipt(`2025-10-0${i + 1}`, a));
    const r = matchStatement([st('2025-10-08', 3000, 'REMISE'), st('2025-10-09', 3000, 'REMISE')], pool);
    expect(r.proposals).toHaveLength(2);
    const ids = r.proposals.flatMap(idsOf);
    expect(new Set(ids).size).toBe(4);
  });

  test('the search is bounded: 40 cheques and a sum no set can make answer quickly', () => {
    // Every amount is 1 000 + a multiple of 7: six cheques never make 6 003.
    const pool = Array.from({ length: 40 }, (_, i) =>
      receipt(`2025-10-${String((i % 28) + 1).padStart(2, '0')}`, 1000 + 7 * i),
    );
    const started = Date.now();
    const r = matchStatement([st('2025-10-30', 6003, 'REMISE')], pool);
    expect(r.proposals).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('labels', () => {
  test('words are normalised: case, accents, bank prefixes, dates and card numbers dropped', () => {
    expect(labelWords('CB PÉPINIÈRES DUPO 12/10 X4971')).toEqual(['pepinieres', 'dupo']);
    expect(labelWords('PRLV SEPA MAIF ASSURANCE ECH 05/10')).toEqual(['maif', 'assurance']);
    expect(labelWords('Pépinières Dupont – Facture n°45899 – fleurs')).toEqual([
      'pepinieres',
      'dupont',
      'facture',
      'fleurs',
    ]);
    expect(labelSimilarity(labelWords('CB PEPINIERES DUPO'), labelWords('Pépinières Dupont – fleurs'))).toBeCloseTo(
      0.8,
    );
    expect(labelSimilarity([], ['x'])).toBe(0);
  });

  test('the mode is read from the prefix', () => {
    expect(modeFromBankLabel('CB SUPER U')).toBe('carte');
    expect(modeFromBankLabel('PAIEMENT PAR CARTE X1234 SUPER U')).toBe('carte');
    expect(modeFromBankLabel('PRLV SEPA MAIF')).toBe('prelevement');
    expect(modeFromBankLabel('VIR SEPA RECU /DE MAIRIE')).toBe('virement');
    expect(modeFromBankLabel('CHQ 4500201')).toBe('cheque');
    expect(modeFromBankLabel('REMISE CHEQUES 0004512')).toBe('cheque');
    expect(modeFromBankLabel('FRAIS TENUE DE COMPTE')).toBeNull();
    expect(modeFromBankLabel('OPERATION', '4500201')).toBe('cheque');
  });

  test('the cleaned label keeps who and what', () => {
    expect(cleanBankLabel('CB BOULANGERIE MOREAU 05/10 X4971')).toBe('BOULANGERIE MOREAU');
    expect(cleanBankLabel('VIR SEPA RECU /DE MAIRIE DE LYON /MOTIF SUBVENTION')).toBe('MAIRIE DE LYON SUBVENTION');
    expect(cleanBankLabel('CHQ 4500201')).toBe('CHQ 4500201');
  });
});

describe('bank amounts', () => {
  test('receipts are positive, expenses negative, caisse and régie lines nothing', () => {
    const l = (kind: QuarterLine['kind'], account: QuarterLine['account']) =>
      bankAmount({ kind, account, amount: 100 });
    expect([l('recette', 'banque'), l('depense', 'banque'), l('depot', 'banque'), l('retrait', 'banque')]).toEqual([
      100, -100, 100, -100,
    ]);
    expect([l('regie_versee', 'banque'), l('regie_remboursee', 'banque')]).toEqual([-100, 100]);
    expect([l('recette', 'caisse'), l('depense', 'regie'), l('regie_versee', 'caisse')]).toEqual([0, 0, 0]);
  });
});

describe('état de rapprochement', () => {
  const opening = { banque: 100_000 };
  const lines = [
    line({ date: '2025-09-05', amount: 20_000, kind: 'recette', mode: 'virement', pointed: true }),
    line({ date: '2025-09-10', amount: 5_000, kind: 'depense', mode: 'cheque', cheque: '1' }),
    line({ date: '2025-09-20', amount: 3_000, kind: 'recette', mode: 'cheque' }),
    line({ date: '2025-09-25', amount: 1_000, kind: 'depense', mode: 'carte', pointed: true }),
    line({ date: '2025-10-05', amount: 7_000, kind: 'depense', mode: 'cheque', cheque: '2' }),
    line({ date: '2025-09-12', amount: 9_999, kind: 'depense', status: 'draft' }),
    line({ date: '2025-09-12', amount: 8_888, kind: 'depense', account: 'caisse' }),
  ];

  test('at a date: the cahier balance, the items outstanding and the gap', () => {
    // The bank saw the opening, +200 and −10: 1 190,00 €.
    const rec = reconciliation({ date: '2025-09-30', statementBalance: 119_000, lines, opening });
    expect(rec.cahierBalance).toBe(100_000 + 20_000 - 5_000 + 3_000 - 1_000);
    expect(rec.outstanding.payments).toEqual({
      lines: [
        {
          id: lines[1]!.id,
          pj: lines[1]!.pj,
          date: '2025-09-10',
          libelle: 'Ligne',
          amount: 5_000,
          cheque: '1',
          carriedOver: false,
        },
      ],
      total: 5_000,
    });
    expect(rec.outstanding.receipts.total).toBe(3_000);
    expect(rec.expectedStatementBalance).toBe(rec.cahierBalance - 3_000 + 5_000);
    expect(rec.gap).toBe(0);
    expect(reconciliation({ date: '2025-09-30', statementBalance: 118_500, lines, opening }).gap).toBe(-500);
  });

  test('agrees with the workbook’s tableau de rapprochement when every line is dated before', () => {
    const all = reconciliation({ date: '2025-12-31', statementBalance: 110_000, lines, opening });
    const validated = lines.filter((l) => l.status === 'validated').map((l) => ({ ...l, ventilation: [] }));
    const rap = rapprochement(validated, { banque: 100_000, caisse: 0 }, 110_000);
    expect(all.gap).toBe(rap.ecart);
    expect(all.cahierBalance).toBe(rap.soldeCahier);
    expect(all.outstanding.payments.total).toBe(rap.depensesNonPointees);
    expect(all.outstanding.receipts.total).toBe(rap.recettesNonPointees);
  });

  test('last year’s uncleared cheque is outstanding without counting twice in the balance', () => {
    const carried = line({ date: '2025-08-20', amount: 4_000, kind: 'depense', mode: 'cheque', cheque: '99' });
    const rec = reconciliation({
      date: '2025-09-30',
      statementBalance: 115_000,
      lines,
      opening,
      carriedOver: [carried],
    });
    expect(rec.cahierBalance).toBe(117_000);
    expect(rec.outstanding.payments.lines.map((l) => [l.id, l.carriedOver])).toEqual([
      [carried.id, true],
      [lines[1]!.id, false],
    ]);
    expect(rec.outstanding.payments.total).toBe(9_000);
    expect(rec.gap).toBe(115_000 - (117_000 - 3_000 + 9_000));
  });
});

describe('properties of the matching', () => {
  test('on random cahiers: no line used twice, sums exact, every certain proposal right', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 5, max: 120 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 3, max: 40 }),
        (seed, lines, noise, amounts) => {
          const c = randomCahierAndStatement(seed, { lines, noise, amounts });
          const r = matchStatement(c.statement, c.lines);
          const byId = new Map(c.lines.map((l) => [l.id, l]));
          const statementUsed = new Set<number>();
          const linesUsed = new Set<string>();
          for (const p of r.proposals) {
            expect(statementUsed.has(p.statementIndex)).toBe(false);
            statementUsed.add(p.statementIndex);
            for (const { id } of p.lines) {
              expect(linesUsed.has(id)).toBe(false);
              linesUsed.add(id);
              const l = byId.get(id)!;
              expect(l.status === 'validated' && !l.pointed && bankAmount(l) !== 0).toBe(true);
            }
            expect(p.lines.reduce((s, { id }) => s + bankAmount(byId.get(id)!), 0)).toBe(p.statementLine.amount);
            expect(p.score).toBeGreaterThanOrEqual(0);
            expect(p.score).toBeLessThanOrEqual(1);
            if (p.certain) expect(idsOf(p)).toEqual([...c.origin[p.statementIndex]!].sort());
          }
          for (const u of r.unmatched) expect(statementUsed.has(u.statementIndex)).toBe(false);
          expect(r.proposals.length + r.unmatched.length + r.ignored.length).toBe(c.statement.length);
        },
      ),
      { seed: 20251, numRuns: 300 },
    );
  });
});
