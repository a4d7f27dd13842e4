/**
 * The import of legacy cahiers:
 * - a 2,000-line legacy workbook (the OCCE layout: title rows, a two-row header, chapter columns,
 *   a report à nouveau row, monthly totals) read by the import (the file checked and loaded, the
 *   grid read into lines) and imported into SQLite, beside a raw ExcelJS load of the same file
 *   (target ≤ 1.5× for the reading);
 * - a department's batch of 300 such workbooks through the command line's import (time, peak
 *   memory of the process);
 * - the peak memory of the process that refuses a zip bomb.
 * The memory figures are measured in child processes (their own peak resident size).
 * Alone: `npx tsx test/bench/import.ts`.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { DEFAULT_CHART, readLegacy } from '../../templates/definition';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { readLegacyFile } from '../../server/formats/legacy';
import { COMMAND_LINE_PRINCIPAL, addCoop } from '../../server/operations/accounts';
import { importLegacy } from '../../server/operations/legacy-import';
import { legacyLines, legacyWorkbook } from '../../server/demo/legacy';
import { generateYear } from '../../server/demo/year';
import { zipBomb } from '../fixtures/legacy-files';
import { median } from './measure';

export interface ImportBenchResult {
  lines: number;
  /** Median ms: readLegacyFile + readLegacy. */
  read: number;
  /** Median ms: ExcelJS's load of the same bytes. */
  rawLoad: number;
  /** Median ms: the whole import stored into SQLite (`cahier import`'s operation, in process). */
  imported: number;
  batch: { files: number; lines: number; ms: number; peakMb: number; ok: number } | null;
  bomb: { declaredMb: number; bytes: number; peakMb: number; code: string } | null;
}

/** About `count` legacy lines: the generated year with as many lines a month as it takes. */
function yearOf(count: number, seed: number) {
  const sample = legacyLines(generateYear({ exercise: 2024, seed, perMonth: 100 }).lines).length;
  return generateYear({ exercise: 2024, seed, perMonth: Math.max(1, Math.round((100 * count) / sample)) });
}

const run = promisify(execFile);
const BIN = join(__dirname, '../../bin/cahier.js');

/** Runs node with `args` in a child process: its wall time, and its peak resident memory when the preload reports it. */
async function measured(args: string[]): Promise<{ ms: number; peakMb: number; stdout: string; code: number }> {
  const t = process.hrtime.bigint();
  const r = await run(process.execPath, args, { maxBuffer: 256 * 1024 * 1024 }).then(
    (x) => ({ ...x, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => e,
  );
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const peak = /PEAK_RSS_KB=(\d+)/.exec(r.stderr);
  return { ms, peakMb: peak ? Number(peak[1]) / 1024 : NaN, stdout: r.stdout, code: r.code };
}

/** A database holding the department's coops (the import assigns each file to its coop). */
async function withCoops(url: string, numbers: readonly string[]): Promise<void> {
  const db = await openDb(url);
  try {
    await migrate(db);
    for (const number of numbers) await addCoop(db, { number, name: `École ${number}`, department: '87' });
  } finally {
    await db.close();
  }
}

/** A preload that writes the process's peak resident size on exit. */
const PEAK = `process.on('exit', () => process.stderr.write('PEAK_RSS_KB=' + process.resourceUsage().maxRSS + '\\n'));`;

export async function benchImport(
  options: { lines?: number; batch?: number; batchLines?: number; bombMb?: number; runs?: number } = {},
): Promise<ImportBenchResult> {
  const count = options.lines ?? 2_000;
  const runs = options.runs ?? 5;
  const dir = await mkdtemp(join(tmpdir(), 'cahier-bench-import-'));
  try {
    const y = yearOf(count, 7);
    const bytes = await legacyWorkbook('087-0500', 2024, y.opening, y.lines);
    const reading = readLegacy(await readLegacyFile(bytes, 'cahier.xlsx'), { chart: DEFAULT_CHART });
    // Interleaved (raw, ours, raw, ours…) so that both see the same state of the process's heap.
    const rawTimes: number[] = [];
    const readTimes: number[] = [];
    const timed = async (fn: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    for (let i = 0; i <= runs; i++) {
      const raw = await timed(() => new ExcelJS.Workbook().xlsx.load(bytes as unknown as ArrayBuffer));
      const ours = await timed(async () =>
        readLegacy(await readLegacyFile(bytes, 'cahier.xlsx'), { chart: DEFAULT_CHART }),
      );
      if (i === 0) continue; // warm-up
      rawTimes.push(raw);
      readTimes.push(ours);
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rawLoad = mid(rawTimes);
    const read = mid(readTimes);
    // The whole import of that file into SQLite (read, checked, stored in one transaction), each
    // run into a coop of its own (importing the same file twice changes nothing).
    const one = `sqlite:${join(dir, 'un.sqlite')}`;
    const numbers = Array.from({ length: runs + 1 }, (_, i) => `087-${String(500 + i).padStart(4, '0')}`);
    await withCoops(one, numbers);
    const db = await openDb(one);
    let imported: number;
    try {
      let next = 0;
      imported = await median(async () => {
        const coop = numbers[next++]!;
        const r = await importLegacy(db, COMMAND_LINE_PRINCIPAL, { file: `${coop}.xlsx`, bytes, coop });
        if (r.status !== 'ok') throw new Error(`${coop} : ${r.error?.message}`);
      }, runs);
    } finally {
      await db.close();
    }
    const preload = join(dir, 'peak.js');
    await writeFile(preload, PEAK);

    // The department's batch, through the command line, in its own process.
    let batch: ImportBenchResult['batch'] = null;
    if (options.batch !== 0) {
      const files = options.batch ?? 300;
      const folder = join(dir, 'lot');
      await mkdir(folder);
      let lines = 0;
      for (let i = 0; i < files; i++) {
        const coop = `087-${String(1000 + i).padStart(4, '0')}`;
        const yi = yearOf(options.batchLines ?? 150, 100 + i);
        lines += legacyLines(yi.lines).length;
        await writeFile(join(folder, `${coop}.xlsx`), await legacyWorkbook(coop, 2024, yi.opening, yi.lines));
      }
      const db = `sqlite:${join(dir, 'lot.sqlite')}`;
      await withCoops(
        db,
        Array.from({ length: files }, (_, i) => `087-${String(1000 + i).padStart(4, '0')}`),
      );
      const r = await measured(['--require', preload, BIN, 'import', folder, '--json', '--db', db]);
      const report = JSON.parse(r.stdout || '{"files":[]}') as { files: { status: string }[] };
      batch = { files, lines, ms: r.ms, peakMb: r.peakMb, ok: report.files.filter((f) => f.status === 'ok').length };
    }

    // The zip bomb, in its own process.
    let bomb: ImportBenchResult['bomb'] = null;
    if (options.bombMb !== 0) {
      const mb = options.bombMb ?? 1_024;
      const b = await zipBomb(mb);
      const file = join(dir, 'bombe.xlsx');
      await writeFile(file, b);
      const script = join(dir, 'bomb.ts');
      await writeFile(
        script,
        `import { readFile } from 'node:fs/promises';
import { readLegacyFile } from ${JSON.stringify(join(__dirname, '../../server/formats/legacy'))};
readFile(${JSON.stringify(file)}).then((b) => readLegacyFile(b, 'bombe.xlsx')).then(
  () => process.stdout.write('lu'),
  (e) => process.stdout.write(String(e.code)),
);
`,
      );
      const tsx = require.resolve('tsx/cli');
      const r = await measured(['--require', preload, tsx, script]);
      bomb = { declaredMb: mb, bytes: b.length, peakMb: r.peakMb, code: r.stdout.trim() };
    }
    return { lines: reading.lines.length, read, rawLoad, imported, batch, bomb };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const small = process.argv.includes('--small');
  benchImport(small ? { lines: 300, batch: 5, batchLines: 50, bombMb: 64, runs: 3 } : {}).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
