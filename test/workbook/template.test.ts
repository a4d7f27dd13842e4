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
  actionsSummary,
  balances,
  caisseBalanceAt,
  caisseTotal,
  cahierLayout,
  chapterTotals,
  col,
  compteRendu,
  inventaireCheck,
  movementTotals,
  rapprochement,
  rowToLine,
  runningBalances,
  subventionsCheck,
  DEFAULT_CHART,
  type CahierLine,
} from '../../templates/definition';
import { buildCahierWorkbook } from '../../templates/workbook/build';
import { recalculateXlsx } from '../../server/libreoffice';
import { generateYear } from '../../server/demo/year';
import { centsAt, errorCells, loadWorkbook, rowWith, shown, textAt } from './read';

const layout = cahierLayout(DEFAULT_CHART);
const coop = {
  nom: 'Coopérative de l’école Jules Ferry',
  numero: '087-0123',
  departement: '87',
  ecole: 'École Jules Ferry',
};

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
  const validLines = year.lines;
  let wb: ExcelJS.Workbook;
  let cahier: ExcelJS.Worksheet;

  beforeAll(async () => {
    const xlsx = await buildCahierWorkbook({
      coop,
      exercise: year.exercise,
      opening: year.opening,
      lines: [...validLines, unbalanced],
      subventions: year.subventions,
      inventaire: year.inventaire,
      caisse: year.caisse,
      releve: year.releve,
    });
    wb = await loadWorkbook(await recalculateXlsx(xlsx));
    cahier = wb.getWorksheet(SHEETS.cahier)!;
  });

  const all = () => [...validLines, unbalanced];

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

  test('the arrêté de caisse says Bravo when the count equals the balance', () => {
    const ws = wb.getWorksheet(SHEETS.caisse)!;
    const total = rowWith(ws, 'A', 'Total compté');
    expect(centsAt(ws, `D${total}`)).toBe(caisseTotal(year.caisse.count));
    expect(centsAt(ws, `D${total + 1}`)).toBe(caisseBalanceAt(all(), year.opening, year.caisse.date));
    expect(centsAt(ws, `D${total + 2}`)).toBe(0);
    expect(textAt(ws, `F${total + 2}`)).toBe('Bravo, la caisse est juste !');
  });

  test('subventions, inventory and actions agree with the cahier', () => {
    const subv = wb.getWorksheet(SHEETS.subventions)!;
    const s = subventionsCheck(all(), year.subventions, DEFAULT_CHART);
    const sRow = rowWith(subv, 'B', 'Subventions reçues selon le tableau');
    expect(centsAt(subv, `F${sRow}`)).toBe(s.declare);
    expect(centsAt(subv, `F${sRow + 1}`)).toBe(s.cahier);
    expect(centsAt(subv, `F${sRow + 2}`)).toBe(0);
    expect(s.cahier).toBeGreaterThan(0);

    const inv = wb.getWorksheet(SHEETS.inventaire)!;
    const i = inventaireCheck(all(), year.inventaire, DEFAULT_CHART, year.exercise);
    const iRow = rowWith(inv, 'A', 'Biens inscrits, acquis dans l’exercice');
    expect(centsAt(inv, `D${iRow}`)).toBe(i.declare);
    expect(centsAt(inv, `D${iRow + 1}`)).toBe(i.cahier);
    expect(textAt(inv, `F${iRow + 2}`)).toBe('Inventaire à jour');

    const act = wb.getWorksheet(SHEETS.actions)!;
    const summary = actionsSummary(all());
    expect(summary.length).toBeGreaterThanOrEqual(4);
    for (const a of summary) {
      const r = rowWith(act, 'A', a.action);
      expect([centsAt(act, `B${r}`), centsAt(act, `C${r}`), centsAt(act, `D${r}`)]).toEqual([
        a.recettes,
        a.depenses,
        a.resultat,
      ]);
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
    const xlsx = await buildCahierWorkbook({
      coop: { nom: '', numero: '', departement: '' },
      exercise: 2025,
      opening: { banque: 0, caisse: 0 },
    });
    const wb = await loadWorkbook(await recalculateXlsx(xlsx));
    expect(errorCells(wb)).toEqual([]);
    const ws = wb.getWorksheet(SHEETS.compteRendu)!;
    expect(centsAt(ws, `C${rowWith(ws, 'B', 'Total disponible')}`)).toBe(0);
    expect(textAt(ws, `E${rowWith(ws, 'B', 'Écart (doit être nul)')}`)).toBe('Bilan équilibré');
    const caisse = wb.getWorksheet(SHEETS.caisse)!;
    expect(textAt(caisse, `F${rowWith(caisse, 'A', 'Écart')}`)).toBe('Bravo, la caisse est juste !');
  });
});
