/** Reading a recalculated workbook back, for the tests. */
import ExcelJS from 'exceljs';
import { eurosToCents, plainValue, serialToDate } from '../../templates/definition';

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
