/**
 * The workbook template, filled with a generated year and recalculated by a real spreadsheet
 * engine (LibreOffice headless): every figure the treasurer sees must equal the domain's, to
 * the cent, and no cell may evaluate to an error.
 */
import type ExcelJS from 'exceljs';
import {
  FIRST_DATA_ROW,
  HEADER_ROW,
  KINDS,
  SHEETS,
  SUBSIDY_STATE_LABELS,
  actionsSummary,
  balances,
  caisseBalanceOn,
  cashCountFigures,
  cahierLayout,
  chapterTotals,
  col,
  compteRendu,
  countFor,
  countedTotal,
  movementTotals,
  rapprochement,
  regiesBook,
  reminderChapters,
  rowToLine,
  runningBalances,
  DEFAULT_CHART,
  type CahierLine,
} from '../../templates/definition';
import { buildCahierWorkbook } from '../../templates/workbook/build';
import { recalculateXlsx } from '../../server/libreoffice';
import { generateYear, REGIE_HOLDERS } from '../../server/demo/year';
import { centsAt, dateAt, errorCells, loadWorkbook, rowWith, shown, textAt } from './read';
import { inventoryOf, subsidiesOf, withIds } from './side-books';

const layout = cahierLayout(DEFAULT_CHART);
const coop = {
  nom: 'Coopérative de l’école Jules Ferry',
  numero: '087-0123',
  departement: '87',
  ecole: 'École Jules Ferry',
};

/** The empty template, recalculated while the filled one is (one LibreOffice each, side by side). */
let emptyTemplate: Promise<ExcelJS.Workbook>;

describe('le modèle de cahier rempli d’une année, recalculé par LibreOffice', () => {
  const year = generateYear({ seed: 7 });
  // One unbalanced line at the end: the control column must show its gap.
  const unbalanced: CahierLine = {
    pj: '999',
    date: `${year.exercise + 1}-08-30`,
    libelle: 'Librairie – ventilation incomplète',
    mode: 'carte',
    kind: 'depense',
    account: 'banque',
    amount: 5_000,
    ventilation: [{ chapter: '6180', amount: 4_550 }],
  };
  // A régie given at the end of August and not returned: its row must say so.
  const openRegie: CahierLine = {
    pj: '998',
    date: `${year.exercise + 1}-08-28`,
    libelle: 'Régie d’avance – Mme Durand, classe de CE1',
    mode: 'cheque',
    cheque: '4599999',
    kind: 'regie_versee',
    account: 'banque',
    amount: 6_000,
    ventilation: [],
    holder: 'Mme Durand',
  };
  const validLines = year.lines;
  // One more arrêté in June, 2,50 € over the cahier: its row shows the gap.
  const juneDate = `${year.exercise + 1}-06-15`;
  const juneCount = {
    date: juneDate,
    counts: countFor(caisseBalanceOn(withIds(validLines), year.opening.caisse, juneDate) + 250) as Record<
      string,
      number
    >,
  };
  const cashCounts = [...year.cashCounts, juneCount];
  let wb: ExcelJS.Workbook;
  let cahier: ExcelJS.Worksheet;

  beforeAll(async () => {
    emptyTemplate = buildCahierWorkbook({
      coop: { nom: '', numero: '', departement: '' },
      exercise: 2025,
      opening: { banque: 0, caisse: 0 },
    })
      .then(recalculateXlsx)
      .then(loadWorkbook);
    const xlsx = await buildCahierWorkbook({
      coop,
      exercise: year.exercise,
      opening: year.opening,
      lines: all(),
      cashCounts,
      subsidies: year.subsidies,
      inventory: year.inventory,
      releve: year.releve,
    });
    wb = await loadWorkbook(await recalculateXlsx(xlsx));
    cahier = wb.getWorksheet(SHEETS.cahier)!;
  });

  function all() {
    return [...validLines, openRegie, unbalanced];
  }

  test('the year has every kind of line', () => {
    const kinds = new Set(validLines.map((l) => l.kind));
    expect([...kinds].sort()).toEqual(Object.keys(KINDS).sort());
    expect(validLines.some((l) => l.ventilation.length > 1)).toBe(true);
    expect(validLines.some((l) => l.ventilation.some((p) => p.amount < 0))).toBe(true);
    expect(validLines.some((l) => l.account === 'caisse')).toBe(true);
    expect(validLines.length).toBeGreaterThan(200);
  });

  test('no cell anywhere evaluates to an error', () => {
    expect(errorCells(wb)).toEqual([]);
  });

  test('each row reads back as the line written, with its nature, its gap and its balances', () => {
    const running = runningBalances(all(), year.opening);
    all().forEach((line, i) => {
      const r = FIRST_DATA_ROW + i;
      const values = layout.columns.map((c) => shown(cahier.getCell(`${c.letter}${r}`)));
      const read = rowToLine(layout, values);
      expect(read.problems).toEqual([]);
      expect(read.line).toEqual({
        ...line,
        mode: line.mode ?? null,
        cheque: line.cheque ?? null,
        action: line.action ?? null,
        holder: line.holder ?? null,
        pointed: line.pointed ?? false,
        // Chapter columns are read left to right (charges, then produits).
        ventilation: [...line.ventilation].sort(
          (a, b) => col(layout, `ch_${a.chapter}`).index - col(layout, `ch_${b.chapter}`).index,
        ),
      });
      expect(textAt(cahier, `${col(layout, 'nature').letter}${r}`)).toBe(KINDS[line.kind].label);
      expect(centsAt(cahier, `${col(layout, 'solde_banque').letter}${r}`)).toBe(running[i]!.banque);
      expect(centsAt(cahier, `${col(layout, 'solde_caisse').letter}${r}`)).toBe(running[i]!.caisse);
      const gap = line === unbalanced ? -450 : 0; // recettes − dépenses − (produits − charges)
      expect(centsAt(cahier, `${col(layout, 'ecart').letter}${r}`)).toBe(gap);
    });
  });

  test('empty rows of the table stay blank', () => {
    const r = FIRST_DATA_ROW + all().length + 3;
    for (const key of ['nature', 'ecart', 'solde_banque', 'solde_caisse', 'ch_6180']) {
      expect(shown(cahier.getCell(`${col(layout, key).letter}${r}`))).toBe('');
    }
  });

  test('the totals row sums every movement and chapter column', () => {
    const totalsRow = rowWith(cahier, 'A', 'Totaux');
    expect(totalsRow).toBeGreaterThan(FIRST_DATA_ROW + all().length);
    const mt = movementTotals(all());
    for (const c of layout.movementColumns) expect(centsAt(cahier, `${c.letter}${totalsRow}`)).toBe(mt[c.movement!]);
    const ct = chapterTotals(all(), DEFAULT_CHART);
    for (const c of layout.chapterColumns)
      expect(centsAt(cahier, `${c.letter}${totalsRow}`)).toBe(ct.get(c.chapter!.code));
    const b = balances(all(), year.opening);
    expect(centsAt(cahier, `${col(layout, 'solde_banque').letter}${totalsRow}`)).toBe(b.banque);
    expect(centsAt(cahier, `${col(layout, 'solde_caisse').letter}${totalsRow}`)).toBe(b.caisse);
    expect(centsAt(cahier, `${col(layout, 'ecart').letter}${totalsRow}`)).toBe(-450);
  });

  test('the compte rendu financier equals the domain’s, chapter by chapter', () => {
    const ws = wb.getWorksheet(SHEETS.compteRendu)!;
    const crf = compteRendu(all(), DEFAULT_CHART, year.opening);
    for (const t of [...crf.charges, ...crf.produits]) {
      expect(centsAt(ws, `C${rowWith(ws, 'A', t.chapter.code)}`)).toBe(t.total);
    }
    const at = (label: string) => centsAt(ws, `C${rowWith(ws, 'B', label)}`);
    expect(at('Total des charges')).toBe(crf.totalCharges);
    expect(at('Total des produits')).toBe(crf.totalProduits);
    expect(at('Résultat de l’exercice (produits − charges)')).toBe(crf.resultat);
    expect(at('Banque')).toBe(crf.bilan.banque);
    expect(at('Caisse')).toBe(crf.bilan.caisse);
    expect(at('Régies d’avance non soldées')).toBe(crf.bilan.regie);
    expect(at('Total disponible')).toBe(crf.bilan.disponible);
    expect(at('Report à nouveau (1er septembre)')).toBe(crf.bilan.reportANouveau);
    expect(at('Report à nouveau + résultat')).toBe(crf.bilan.fondsPropres);
    // The unbalanced line makes the bilan unbalanced by exactly its gap.
    expect(at('Écart (doit être nul)')).toBe(crf.bilan.ecart);
    expect(crf.bilan.ecart).toBe(-450);
    expect(textAt(ws, `E${rowWith(ws, 'B', 'Écart (doit être nul)')}`)).toBe(
      'Bilan déséquilibré : vérifiez les lignes en rouge',
    );
  });

  test('the bank reconciliation uses the statement and the unpointed lines', () => {
    const ws = wb.getWorksheet(SHEETS.compteRendu)!;
    const rap = rapprochement(all(), year.opening, year.releve.solde);
    const at = (label: string) => centsAt(ws, `C${rowWith(ws, 'B', label)}`);
    expect(at('Solde du relevé bancaire')).toBe(rap.releve);
    expect(at('+ recettes non encore pointées')).toBe(rap.recettesNonPointees);
    expect(at('− dépenses non encore pointées (chèques non encaissés…)')).toBe(rap.depensesNonPointees);
    expect(at('Solde rapproché')).toBe(rap.soldeRapproche);
    expect(at('Solde banque du cahier')).toBe(rap.soldeCahier);
    expect(at('Écart de rapprochement')).toBe(rap.ecart);
    expect(rap.depensesNonPointees).toBeGreaterThan(0);
  });

  test('the counting grid holds the latest arrêté and says Bravo when it equals the balance', () => {
    const ws = wb.getWorksheet(SHEETS.caisse)!;
    const latest = year.cashCounts[year.cashCounts.length - 1]!;
    expect(latest.date).toBe(`${year.exercise + 1}-08-31`);
    expect(dateAt(ws, 'B3')).toBe(latest.date);
    const total = rowWith(ws, 'A', 'Total compté');
    expect(centsAt(ws, `D${total}`)).toBe(countedTotal(latest.counts));
    expect(centsAt(ws, `D${total + 1}`)).toBe(caisseBalanceOn(withIds(all()), year.opening.caisse, latest.date));
    expect(centsAt(ws, `D${total + 2}`)).toBe(0);
    expect(textAt(ws, `E${total + 2}`)).toBe('Bravo, la caisse est juste !');
  });

  test('every arrêté of the exercise: counted, the cahier’s balance on its date, the gap', () => {
    const ws = wb.getWorksheet(SHEETS.caisse)!;
    const head = rowWith(ws, 'A', 'Date de l’arrêté');
    const sorted = [...cashCounts].sort((a, b) => a.date.localeCompare(b.date));
    expect(sorted).toHaveLength(13);
    sorted.forEach((c, i) => {
      const r = head + 1 + i;
      const figures = cashCountFigures(
        countedTotal(c.counts),
        caisseBalanceOn(withIds(all()), year.opening.caisse, c.date),
      );
      expect([dateAt(ws, `A${r}`), centsAt(ws, `B${r}`), centsAt(ws, `C${r}`), centsAt(ws, `D${r}`)]).toEqual([
        c.date,
        figures.total,
        figures.balance,
        figures.gap,
      ]);
      expect(figures.gap).toBe(c === juneCount ? 250 : 0);
      expect(textAt(ws, `E${r}`)).toBe(
        figures.ok
          ? 'Bravo, la caisse est juste !'
          : 'Écart à expliquer : recomptez la caisse ou vérifiez les écritures de caisse.',
      );
    });
    // The generated counts are the service's figures: each one equals its row.
    for (const c of year.cashCounts) expect(c.ok && c.gap === 0 && c.total === c.balance).toBe(true);
    expect(textAt(ws, `A${head + 1 + sorted.length}`)).toBe('');
    expect(textAt(ws, `E${head + 1 + sorted.length}`)).toBe('');
  });

  test('the tableau des subventions shows each subsidy and agrees with the 7410/7420 receipts', () => {
    const ws = wb.getWorksheet(SHEETS.subventions)!;
    const book = subsidiesOf(year.subsidies, all());
    expect(book.subsidies.map((s) => s.chapter)).toEqual(['7410', '7420']);
    expect(book.unattached).toEqual([]);
    book.subsidies.forEach((s, i) => {
      const r = 4 + i;
      expect(textAt(ws, `A${r}`)).toBe(s.financeur);
      expect(textAt(ws, `C${r}`)).toBe(s.chapter);
      expect(dateAt(ws, `D${r}`)).toBe(s.decisionDate);
      expect([centsAt(ws, `E${r}`), centsAt(ws, `F${r}`), centsAt(ws, `G${r}`)]).toEqual([
        s.granted,
        s.received,
        s.spent,
      ]);
      expect(textAt(ws, `H${r}`)).toBe(SUBSIDY_STATE_LABELS[s.state]);
      expect(dateAt(ws, `I${r}`)).toBe(s.justifiedOn);
      expect(s.received).toBeGreaterThan(0);
      expect(s.spent).toBeGreaterThan(0);
    });
    expect(book.subsidies.map((s) => s.state)).toEqual(['justifiee', 'a_justifier']);
    const totals = chapterTotals(all(), DEFAULT_CHART);
    const cahierSubsidies = reminderChapters(DEFAULT_CHART, 'subvention').reduce((t, c) => t + totals.get(c)!, 0);
    const sRow = rowWith(ws, 'B', 'Subventions reçues selon le tableau');
    expect(centsAt(ws, `F${sRow}`)).toBe(book.totals.received);
    expect(centsAt(ws, `F${sRow + 1}`)).toBe(cahierSubsidies);
    expect(centsAt(ws, `F${sRow + 2}`)).toBe(0);
    expect(textAt(ws, `G${sRow + 2}`)).toBe('Toutes les subventions sont détaillées');
  });

  test('the cahier d’inventaire lists the items held and agrees with the 6800 purchases', () => {
    const ws = wb.getWorksheet(SHEETS.inventaire)!;
    const check = inventoryOf(year.exercise, year.inventory, all());
    expect(check.unlisted).toEqual([]);
    expect(check.items).toHaveLength(year.inventory.length);
    expect(year.inventory.some((i) => i.disposedOn && i.acquiredOn < `${year.exercise}-09-01`)).toBe(true);
    year.inventory.forEach((item, i) => {
      const r = 4 + i;
      expect(textAt(ws, `A${r}`)).toBe(item.designation);
      expect(dateAt(ws, `B${r}`)).toBe(item.acquiredOn);
      expect(textAt(ws, `C${r}`)).toBe(item.lines.map((l) => l.pj).join(', '));
      expect(centsAt(ws, `D${r}`)).toBe(item.value);
      expect(dateAt(ws, `F${r}`)).toBe(item.disposedOn);
    });
    const iRow = rowWith(ws, 'A', 'Biens inscrits, acquis dans l’exercice');
    expect(centsAt(ws, `D${iRow}`)).toBe(check.totals.listed);
    expect(centsAt(ws, `D${iRow + 1}`)).toBe(check.totals.purchases);
    expect(check.totals.purchases).toBeGreaterThan(0);
    expect(centsAt(ws, `D${iRow + 2}`)).toBe(0);
    expect(textAt(ws, `G${iRow + 2}`)).toBe('Inventaire à jour');
  });

  test('the régies: one row per holder, given, spent, returned and balance as the domain computes them', () => {
    const ws = wb.getWorksheet(SHEETS.regies)!;
    const { regies } = regiesBook(withIds(all()));
    expect(regies.map((r) => r.holder)).toEqual(['M. Petit', 'Mme Durand', 'Mme Martin']);
    for (const r of regies) {
      const row = rowWith(ws, 'A', r.holder);
      expect([centsAt(ws, `B${row}`), centsAt(ws, `C${row}`), centsAt(ws, `D${row}`), centsAt(ws, `E${row}`)]).toEqual([
        r.given,
        r.spent,
        r.returned,
        r.balance,
      ]);
      expect(textAt(ws, `F${row}`)).toBe(
        r.balance === 0
          ? 'Régie soldée'
          : 'Régie non soldée : saisissez les dépenses payées avec la régie ou le reliquat rendu (Régie remboursée).',
      );
    }
    // The generated year's régies are both back to zero; the one added here is not.
    for (const { holder } of REGIE_HOLDERS) {
      const r = regies.find((x) => x.holder === holder)!;
      expect(r.given).toBeGreaterThan(0);
      expect(r.spent).toBeGreaterThan(0);
      expect(r.returned).toBeGreaterThan(0);
      expect(r.balance).toBe(0);
    }
    expect(regies.find((x) => x.holder === 'Mme Durand')!.balance).toBe(6_000);
    const total = rowWith(ws, 'A', 'Total des régies ci-dessus');
    expect(centsAt(ws, `E${total}`)).toBe(6_000);
    expect(centsAt(ws, `E${total + 1}`)).toBe(compteRendu(all(), DEFAULT_CHART, year.opening).bilan.regie);
    expect(textAt(ws, `F${total + 1}`)).toBe('Des régies ne sont pas soldées');
  });

  test('the actions: receipts, expenses, result and lines count per tag', () => {
    const act = wb.getWorksheet(SHEETS.actions)!;
    const summary = actionsSummary(all());
    expect(summary.length).toBeGreaterThanOrEqual(4);
    for (const a of summary) {
      const r = rowWith(act, 'A', a.action);
      expect([
        centsAt(act, `B${r}`),
        centsAt(act, `C${r}`),
        centsAt(act, `D${r}`),
        Number(textAt(act, `E${r}`)),
      ]).toEqual([a.recettes, a.depenses, a.resultat, a.lignes]);
    }
  });

  test('the header row carries the French headers of the definition, letters as in the OCCE cahier', () => {
    for (const c of layout.columns) expect(textAt(cahier, `${c.letter}${HEADER_ROW}`)).toBe(c.header);
    expect(['B', 'D', 'E', 'F', 'G'].map((l) => textAt(cahier, `${l}${HEADER_ROW}`))).toEqual([
      'N° PJ',
      'Date',
      'Libellé',
      'N° chèque',
      'Action',
    ]);
  });
});

describe('le modèle vide', () => {
  test('opens with no error cell and a balanced, empty compte rendu', async () => {
    const wb = await emptyTemplate;
    expect(errorCells(wb)).toEqual([]);
    const ws = wb.getWorksheet(SHEETS.compteRendu)!;
    expect(centsAt(ws, `C${rowWith(ws, 'B', 'Total disponible')}`)).toBe(0);
    expect(textAt(ws, `E${rowWith(ws, 'B', 'Écart (doit être nul)')}`)).toBe('Bilan équilibré');
    const caisse = wb.getWorksheet(SHEETS.caisse)!;
    expect(textAt(caisse, `E${rowWith(caisse, 'A', 'Écart')}`)).toBe('Bravo, la caisse est juste !');
    const regies = wb.getWorksheet(SHEETS.regies)!;
    expect(textAt(regies, `F${rowWith(regies, 'A', 'Argent encore en régie selon le cahier')}`)).toBe(
      'Toutes les régies sont soldées',
    );
    const subv = wb.getWorksheet(SHEETS.subventions)!;
    expect(textAt(subv, `G${rowWith(subv, 'B', 'Écart')}`)).toBe('Toutes les subventions sont détaillées');
    const inv = wb.getWorksheet(SHEETS.inventaire)!;
    expect(textAt(inv, `G${rowWith(inv, 'A', 'Écart')}`)).toBe('Inventaire à jour');
  });
});
