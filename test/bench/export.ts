/**
 * The export of a 2,000-line exercise stored in SQLite (`exportWorkbook`, what GET …/workbook.xlsx
 * and `cahier export` run: the lines and the side books read, the workbook built and finalised),
 * beside ExcelJS alone writing that same grid: every cell of every sheet of the exported
 * workbook, values and formulas as plain cells with their number format, no table, validation,
 * conditional format nor print setup (target ≤ 1.3×). Three rounds of both sides in turn, each
 * a median of 3 runs after a warm-up; the median round.
 * Alone: `npx tsx test/bench/export.ts`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { DEFAULT_CHART } from '../../templates/definition';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { generateYear } from '../../server/demo/year';
import { COMMAND_LINE_PRINCIPAL, addCoop, openExercise } from '../../server/operations/accounts';
import { exportWorkbook } from '../../server/operations/export';
import { syncLines } from '../../server/operations/lines';
import { perMonthFor } from './closure';
import { median } from './measure';

export interface ExportBenchResult {
  lines: number;
  drafts: number;
  cells: number;
  bytes: number;
  /** Median ms of exportWorkbook. */
  ours: number;
  /** Median ms of ExcelJS writing the same cells into bare sheets. */
  raw: number;
  /** Each round's medians, in the order measured. */
  rounds: { ours: number; raw: number }[];
}

interface Grid {
  name: string;
  /** By row number: the values (index = column number) and the number formats. */
  rows: { row: number; values: ExcelJS.CellValue[]; formats: [number, string][] }[];
  cells: number;
}

/**
 * Every cell of the workbook holding a value or a number format (the table's empty rows ready to
 * fill are formatted: they are part of the grid): values, formulas without their results, formats.
 */
async function gridOf(bytes: Buffer): Promise<Grid[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheets: Grid[] = [];
  wb.eachSheet((ws) => {
    const grid: Grid = { name: ws.name, rows: [], cells: 0 };
    ws.eachRow({ includeEmpty: false }, (row, number) => {
      const values: ExcelJS.CellValue[] = [];
      const formats: [number, string][] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        const v = cell.value as ExcelJS.CellValue;
        if ((v === null || v === undefined) && !cell.numFmt) return;
        values[col] =
          v && typeof v === 'object' && 'formula' in v
            ? ({ formula: (v as ExcelJS.CellFormulaValue).formula } as ExcelJS.CellValue)
            : v;
        if (cell.numFmt) formats.push([col, cell.numFmt]);
        grid.cells++;
      });
      grid.rows.push({ row: number, values, formats });
    });
    sheets.push(grid);
  });
  return sheets;
}

export async function benchExport(count = 2000): Promise<ExportBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'cahier-bench-export-'));
  const db = await openDb(`sqlite:${join(dir, 'bench.sqlite')}`);
  try {
    await migrate(db);
    const coop = await addCoop(db, { number: '087-2000', name: 'École du banc d’essai', department: '87' });
    const year = generateYear({ exercise: 2025, seed: 2000, perMonth: perMonthFor(count) });
    const exercise = await openExercise(db, coop.id, 2025, year.opening);
    const lines = year.lines.slice(0, count).map((line, i) => ({
      id: randomUUID(),
      // One line in fifty a draft: a ventilation that does not make the amount.
      line: i % 50 === 7 ? { ...line, ventilation: [{ chapter: '6180', amount: line.amount + 1 }] } : line,
    }));
    for (let i = 0; i < lines.length; i += 500) {
      await syncLines(
        { db, principal: COMMAND_LINE_PRINCIPAL, exercise, chart: DEFAULT_CHART },
        lines.slice(i, i + 500),
      );
    }
    const run = () => exportWorkbook(db, COMMAND_LINE_PRINCIPAL, coop.number, 2025);
    const sample = await run();
    const grid = await gridOf(sample.bytes);
    const rawWrite = async () => {
      const wb = new ExcelJS.Workbook();
      for (const sheet of grid) {
        const ws = wb.addWorksheet(sheet.name);
        for (const r of sheet.rows) {
          const row = ws.getRow(r.row);
          row.values = r.values;
          for (const [col, numFmt] of r.formats) row.getCell(col).numFmt = numFmt;
        }
      }
      return wb.xlsx.writeBuffer();
    };
    // The machine may be shared: three rounds, each side measured in turn, so both meet the same
    // load; each figure is the median of its rounds' medians.
    const ours: number[] = [];
    const raw: number[] = [];
    for (let round = 0; round < 3; round++) {
      ours.push(await median(run, 3));
      raw.push(await median(rawWrite, 3));
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    return {
      lines: sample.lines,
      drafts: sample.drafts,
      cells: grid.reduce((n, s) => n + s.cells, 0),
      bytes: sample.bytes.length,
      ours: mid(ours),
      raw: mid(raw),
      rounds: ours.map((o, i) => ({ ours: o, raw: raw[i]! })),
    };
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchExport().then(
    (r) =>
      process.stdout.write(
        `Export de ${r.lines} lignes (${r.drafts} brouillons, ${r.cells} cellules, ${Math.round(r.bytes / 1024)} Ko) : ` +
          `${r.ours.toFixed(0)} ms ; ExcelJS brut, même grille : ${r.raw.toFixed(0)} ms ; rapport ${(r.ours / r.raw).toFixed(2)}×\n` +
          `Tours : ${r.rounds.map((t) => `${t.ours.toFixed(0)} / ${t.raw.toFixed(0)} ms (${(t.ours / t.raw).toFixed(2)}×)`).join(' ; ')}\n`,
      ),
    (e: Error) => {
      process.stderr.write(`${e.stack}\n`);
      process.exitCode = 1;
    },
  );
}
