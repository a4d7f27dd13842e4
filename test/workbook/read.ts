/** Reading a recalculated workbook back, for the tests. */
import ExcelJS from 'exceljs';
import { SHEETS, eurosToCents, plainValue, serialToDate, type Crf } from '../../templates/definition';

export async function loadWorkbook(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  return wb;
}

/** What a cell shows: its value, or its formula's computed result (0 included). */
export function shown(cell: ExcelJS.Cell): unknown {
  if (cell.type === ExcelJS.ValueType.Formula) return (cell.result as unknown) ?? '';
  return cell.value;
}

/** Every cell of the workbook whose value is an error (#REF!, #NAME?…), as "Sheet!A1 = #ERR". */
export function errorCells(wb: ExcelJS.Workbook): string[] {
  const out: string[] = [];
  wb.eachSheet((ws) =>
    ws.eachRow({ includeEmpty: false }, (row) =>
      row.eachCell({ includeEmpty: false }, (cell) => {
        const v = shown(cell);
        const err =
          (v && typeof v === 'object' && 'error' in v && (v as { error: string }).error) ||
          (typeof v === 'string' && /^#(REF!|NAME\?|VALUE!|DIV\/0!|N\/A|NUM!|NULL!)$/.test(v) && v);
        if (err) out.push(`${ws.name}!${cell.address} = ${String(err)}`);
      }),
    ),
  );
  return out;
}

/** A money cell's value in cents (formula results included); null when empty or text. */
export function centsAt(ws: ExcelJS.Worksheet, address: string): number | null {
  const v = plainValue(shown(ws.getCell(address)));
  if (typeof v !== 'number') return null;
  const c = eurosToCents(v);
  if (c === null) throw new Error(`${ws.name}!${address} = ${v} n’est pas un montant au centime`);
  return c;
}

export function textAt(ws: ExcelJS.Worksheet, address: string): string {
  const v = plainValue(shown(ws.getCell(address)));
  return v === null ? '' : String(v);
}

/** Finds the row whose column `column` has `text` (first match). */
export function rowWith(ws: ExcelJS.Worksheet, column: string, text: string): number {
  for (let r = 1; r <= ws.rowCount; r++) if (textAt(ws, `${column}${r}`) === text) return r;
  throw new Error(`« ${text} » introuvable en colonne ${column} de ${ws.name}`);
}

/** A date cell's day as "YYYY-MM-DD" (a serial or a Date read back); null when empty. */
export function dateAt(ws: ExcelJS.Worksheet, address: string): string | null {
  const v = plainValue(shown(ws.getCell(address)));
  if (v === null || v === '') return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'number') return serialToDate(v);
  throw new Error(`${ws.name}!${address} = ${String(v)} n’est pas une date`);
}

/**
 * The Compte rendu and Actions sheets of a recalculated workbook against the JSON compte rendu,
 * to the cent: every chapter, the totals and result, the bilan, the cahier's bank balance, the
 * statement's balance when there is one, and each action's receipts, expenses and result.
 */
export function expectCrfSheets(wb: ExcelJS.Workbook, crf: Crf): void {
  const ws = wb.getWorksheet(SHEETS.compteRendu)!;
  const cf = crf.compteDeFonctionnement;
  for (const c of [...cf.charges, ...cf.produits]) {
    expect([c.chapter, centsAt(ws, `C${rowWith(ws, 'A', c.chapter)}`)]).toEqual([c.chapter, c.total]);
  }
  const at = (label: string) => centsAt(ws, `C${rowWith(ws, 'B', label)}`);
  expect(at('Total des charges')).toBe(cf.totalCharges);
  expect(at('Total des produits')).toBe(cf.totalProduits);
  expect(at('Résultat de l’exercice (produits − charges)')).toBe(cf.resultat);
  expect(at('Banque')).toBe(crf.bilan.banque);
  expect(at('Caisse')).toBe(crf.bilan.caisse);
  expect(at('Régies d’avance non soldées')).toBe(crf.bilan.regies);
  expect(at('Total disponible')).toBe(crf.bilan.disponible);
  expect(at('Report à nouveau (1er septembre)')).toBe(crf.bilan.reportANouveau);
  expect(at('Report à nouveau + résultat')).toBe(crf.bilan.fondsPropres);
  expect(at('Écart (doit être nul)')).toBe(crf.bilan.ecart);
  expect(at('Solde banque du cahier')).toBe(crf.rapprochement.cahierBalance);
  if (crf.rapprochement.statementBalance !== null) {
    expect(at('Solde du relevé bancaire')).toBe(crf.rapprochement.statementBalance);
  }
  const actions = wb.getWorksheet(SHEETS.actions)!;
  for (const a of crf.actions) {
    const r = rowWith(actions, 'A', a.action);
    expect([a.action, centsAt(actions, `B${r}`), centsAt(actions, `C${r}`), centsAt(actions, `D${r}`)]).toEqual([
      a.action,
      a.receipts,
      a.expenses,
      a.result,
    ]);
  }
}
