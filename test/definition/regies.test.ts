/** The régies d'avance and the synthèse des actions as pure rules. */
import { actionsSummary, regiesBook, type LiveLine } from '../../templates/definition';

const euro = (n: string) => n.replace(/ €/g, '\u00a0€');

let n = 0;
function line(extra: Partial<LiveLine>): LiveLine {
  n += 1;
  return {
    id: `l${n}`,
    pj: String(n).padStart(3, '0'),
    date: '2025-10-01',
    libelle: `Ligne ${n}`,
    kind: 'regie_versee',
    account: 'banque',
    mode: 'cheque',
    amount: 15_000,
    ventilation: [],
    status: 'validated',
    ...extra,
  };
}
const spend = (holder: string, amount: number, chapters: Record<string, number>, extra: Partial<LiveLine> = {}) =>
  line({
    kind: 'depense',
    account: 'regie',
    mode: 'especes',
    holder,
    amount,
    ventilation: Object.entries(chapters).map(([chapter, a]) => ({ chapter, amount: a })),
    date: '2025-10-15',
    ...extra,
  });

describe('les régies d’avance', () => {
  test('per holder: given, spent by chapter, returned, balance; one not back to zero is reported with its lines', () => {
    const martin = [
      line({ holder: 'Mme Martin', amount: 15_000, date: '2025-10-01' }),
      spend('Mme Martin', 9_000, { '6180': 7_000, '6070': 2_000 }, { date: '2025-10-20' }),
      spend('mme  martin', 4_000, { '6180': 4_000 }, { date: '2025-10-10' }),
      line({
        kind: 'regie_remboursee',
        account: 'caisse',
        mode: 'especes',
        holder: 'Mme Martin',
        amount: 2_000,
        date: '2025-11-02',
      }),
    ];
    const durand = [
      line({ holder: 'M. Durand', amount: 10_000, date: '2025-12-01' }),
      spend('M. Durand', 6_000, { '6180': 6_000 }, { date: '2025-12-05' }),
    ];
    const others = [line({ kind: 'depense', account: 'banque', ventilation: [{ chapter: '6180', amount: 15_000 }] })];
    const book = regiesBook([...durand, ...others, ...martin]);
    expect(book.regies).toEqual([
      {
        holder: 'M. Durand',
        given: 10_000,
        spent: 6_000,
        spentByChapter: [{ chapter: '6180', amount: 6_000 }],
        returned: 0,
        balance: 4_000,
        lines: durand.map((l) => ({
          id: l.id,
          pj: l.pj,
          date: l.date,
          libelle: l.libelle,
          kind: l.kind,
          amount: l.amount,
        })),
      },
      {
        holder: 'Mme Martin',
        given: 15_000,
        spent: 13_000,
        spentByChapter: [
          { chapter: '6070', amount: 2_000 },
          { chapter: '6180', amount: 11_000 },
        ],
        returned: 2_000,
        balance: 0,
        // In the cahier's order (date, then PJ); two spellings of one holder are one régie.
        lines: [martin[0]!, martin[2]!, martin[1]!, martin[3]!].map((l) => ({
          id: l.id,
          pj: l.pj,
          date: l.date,
          libelle: l.libelle,
          kind: l.kind,
          amount: l.amount,
        })),
      },
    ]);
    expect(book.problems).toEqual([
      {
        code: 'regie_non_soldee',
        severity: 'error',
        message: euro(
          'La régie de M. Durand n’est pas soldée : 40,00 € restent à justifier. Saisissez les dépenses payées avec la régie, ou le reliquat rendu (« Régie remboursée »).',
        ),
        lines: durand.map((l) => l.id),
      },
    ]);
  });

  test('a régie spent beyond its advance says so', () => {
    const lines = [line({ holder: 'M. Petit', amount: 5_000 }), spend('M. Petit', 5_500, { '6180': 5_500 })];
    const book = regiesBook(lines);
    expect(book.regies[0]!.balance).toBe(-500);
    expect(book.problems[0]!.message).toBe(
      euro(
        'La régie de M. Petit est dépassée de 5,00 € : dépenses et remboursements font plus que l’avance. Vérifiez les montants, ou saisissez le complément versé (« Régie versée »).',
      ),
    );
  });

  test('lines without holder: reported; drafts are named, not counted; validated ones go under "" last', () => {
    const orphanDraft = line({ holder: null, status: 'draft', amount: 3_000, date: '2025-09-20' });
    const orphanOld = spend('', 1_000, { '6180': 1_000 }, { date: '2025-09-25' });
    const given = line({ holder: 'Mme Abel', amount: 2_000 });
    const draft = spend('Mme Abel', 2_000, {}, { status: 'draft' });
    const book = regiesBook([orphanDraft, orphanOld, given, draft]);
    expect(book.regies.map((r) => [r.holder, r.given, r.spent, r.balance, r.lines.length])).toEqual([
      ['Mme Abel', 2_000, 0, 2_000, 1],
      ['', 0, 1_000, -1_000, 1],
    ]);
    expect(book.problems.map((p) => [p.code, p.severity, p.lines])).toEqual([
      ['regie_non_soldee', 'error', [given.id]],
      ['regie_non_soldee', 'error', [orphanOld.id]],
      ['regie_sans_titulaire', 'error', [orphanDraft.id, orphanOld.id]],
      ['regie_brouillon', 'warning', [draft.id]],
    ]);
    expect(book.problems[1]!.message).toMatch(/^La régie sans titulaire est dépassée de 10,00/);
    expect(book.problems[2]!.message).toBe(
      `2 lignes de régie d’avance n’indiquent pas leur titulaire (PJ ${orphanDraft.pj} et ${orphanOld.pj}) : indiquez sur chacune l’enseignant qui tient la régie.`,
    );
    expect(book.problems[3]!.message).toBe(
      `La régie de Mme Abel a 1 ligne en brouillon, non comptée (PJ ${draft.pj}) : corrigez-la pour qu’elle entre dans la régie.`,
    );
  });

  test('no régie: nothing to report', () => {
    expect(regiesBook([])).toEqual({ regies: [], problems: [] });
  });
});

describe('la synthèse des actions', () => {
  test('receipts, expenses (régie included), result and lines per tag; internal operations left out', () => {
    const lines = [
      line({
        kind: 'recette',
        account: 'banque',
        action: 'Photos',
        amount: 50_000,
        ventilation: [{ chapter: '7070', amount: 50_000 }],
      }),
      line({
        kind: 'depense',
        account: 'banque',
        action: 'Photos',
        amount: 30_000,
        ventilation: [{ chapter: '6070', amount: 30_000 }],
      }),
      spend('Mme Martin', 4_000, { '6180': 4_000 }, { action: 'Classe verte' }),
      line({ kind: 'depot', account: 'banque', action: 'Photos', amount: 10_000 }),
      line({
        kind: 'recette',
        account: 'caisse',
        action: ' Photos ',
        amount: 1_000,
        ventilation: [{ chapter: '7070', amount: 1_000 }],
      }),
      line({
        kind: 'recette',
        account: 'caisse',
        action: 'été',
        amount: 500,
        ventilation: [{ chapter: '7080', amount: 500 }],
      }),
    ];
    expect(actionsSummary(lines)).toEqual([
      { action: 'Classe verte', recettes: 0, depenses: 4_000, resultat: -4_000, lignes: 1 },
      { action: 'été', recettes: 500, depenses: 0, resultat: 500, lignes: 1 },
      { action: 'Photos', recettes: 51_000, depenses: 30_000, resultat: 21_000, lignes: 3 },
    ]);
  });
});
