/**
 * An old cahier as departments keep them, for the demo and the import's bench: the OCCE Excel
 * layout (two merged title rows, a two-row header « Banque » and « Caisse » over « Recettes |
 * Dépenses », one column per chapter used, the report à nouveau row, a total row at each month's
 * end with SUBTOTAL formulas), filled with a generated year's lines. The import reads it back.
 */
import ExcelJS from 'exceljs';
import {
  DEFAULT_CHART,
  KINDS,
  exerciseLabel,
  formatDateFr,
  type CahierLine,
  type Opening,
} from '../../templates/definition';
import { generateYear } from './year';

const LEFT = [
  'N° pièce',
  'Date',
  'Libellé',
  'N° chèque',
  'Action',
  'Recettes',
  'Dépenses',
  'Recettes',
  'Dépenses',
  'P',
];

/** The lines a legacy cahier holds: recettes, dépenses, dépôts and retraits on banque or caisse. */
export function legacyLines(lines: readonly CahierLine[]): CahierLine[] {
  return lines.filter((l) => l.account !== 'regie' && ['recette', 'depense', 'depot', 'retrait'].includes(l.kind));
}

/**
 * An OCCE-style legacy workbook of the lines: two merged title rows, a two-row header (« Banque »
 * and « Caisse » over « Recettes | Dépenses »), one column per chapter used, the report à nouveau
 * row, then the lines with a total row at each month's end.
 */
export async function legacyWorkbook(
  coop: string,
  year: number,
  opening: Opening,
  all: readonly CahierLine[],
): Promise<Buffer> {
  const lines = legacyLines(all);
  const chapters = DEFAULT_CHART.filter((c) => lines.some((l) => l.ventilation.some((p) => p.chapter === c.code)));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Cahier');
  const width = LEFT.length + chapters.length;
  ws.addRow([`Coopérative scolaire ${coop}`]);
  ws.addRow([`Cahier de comptabilité – exercice ${exerciseLabel(year)}`]);
  ws.mergeCells(1, 1, 1, width);
  ws.mergeCells(2, 1, 2, width);
  ws.addRow(['', '', '', '', '', 'Banque', '', 'Caisse', '', '', ...chapters.map(() => '')]);
  ws.mergeCells(3, 6, 3, 7);
  ws.mergeCells(3, 8, 3, 9);
  ws.addRow([...LEFT, ...chapters.map((c) => `${c.code} ${c.label}`)]);
  ws.addRow(['', `01/09/${year}`, 'Report à nouveau', '', '', opening.banque / 100, '', opening.caisse / 100, '', '']);
  let month = '';
  let first = ws.rowCount + 1;
  const total = () => {
    const r = ws.rowCount;
    const sum = (c: number) => {
      const letter = ws.getColumn(c).letter;
      return { formula: `SUBTOTAL(9,${letter}${first}:${letter}${r})` };
    };
    ws.addRow(['', '', `Total ${month}`, '', '', sum(6), sum(7), sum(8), sum(9), '']);
    first = ws.rowCount + 1;
  };
  for (const l of lines) {
    if (month && l.date.slice(0, 7) !== month) total();
    month = l.date.slice(0, 7);
    const cells: (string | number)[] = ['', '', '', '', ''];
    for (const m of KINDS[l.kind].movements(l.account)) {
      const c = (m.account === 'banque' ? 5 : 7) + (m.direction === 'recettes' ? 0 : 1);
      cells[c] = l.amount / 100;
    }
    ws.addRow([
      l.pj,
      formatDateFr(l.date),
      l.libelle,
      l.cheque ? `n°${l.cheque}` : '',
      l.action ?? '',
      ...cells.slice(5, 9).map((v) => v ?? ''),
      l.pointed ? 'X' : '',
      ...chapters.map((c) => {
        const part = l.ventilation.find((p) => p.chapter === c.code);
        return part ? part.amount / 100 : '';
      }),
    ]);
  }
  if (month) total();
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The demo's second coop, whose last year came from its old Excel cahier (imported at the demo's start). */
export const DEMO_IMPORTED_COOP = { number: '087-0124', name: 'Coopérative de l’école Victor Hugo' } as const;

/** The old cahier of the demo's second coop for the exercise `year`: its file name and bytes. */
export async function demoLegacyCahier(year: number): Promise<{ file: string; bytes: Buffer; lines: number }> {
  const generated = generateYear({
    exercise: year,
    seed: 1987,
    perMonth: 10,
    opening: { banque: 84_230, caisse: 3_150 },
  });
  return {
    file: `ancien-cahier-${DEMO_IMPORTED_COOP.number}-${exerciseLabel(year)}.xlsx`,
    bytes: await legacyWorkbook(DEMO_IMPORTED_COOP.number, year, generated.opening, generated.lines),
    lines: legacyLines(generated.lines).length,
  };
}
