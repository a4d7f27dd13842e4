/**
 * La version imprimable du cahier, read as a user reads it: the text of the PDF (pdftotext from
 * poppler-utils), its page count (pdfinfo) and page 1 rendered to PNG (pdftoppm).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateYear } from '../../server/demo/year';
import {
  cahierFileName,
  cahierPageCount,
  cahierPdf,
  printedAmount,
  type PrintableLine,
} from '../../server/formats/pdf/cahier';
import { chapterTotals, formatDateFr, movementTotals, DEFAULT_CHART } from '../../templates/definition';

const run = promisify(execFile);

const COOP = { number: '087-0123', name: 'Coopérative scolaire de l’école Jules Ferry' };
const PER_PAGE = 20;

describe('la version imprimable du cahier (PDF)', () => {
  let dir: string;
  let lines: PrintableLine[];
  let counted: PrintableLine[];
  let text: string;
  let pages: number;
  let png: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-pdf-'));
    const year = generateYear({ perMonth: 6 });
    // One draft, with letters beyond ASCII that must survive: œ, €.
    lines = year.lines.map((l, i) =>
      i === 5 ? { ...l, libelle: 'Œuvres de fin d’année – 12 € par élève', status: 'draft' as const } : l,
    );
    counted = lines.filter((l) => l.status !== 'draft');
    const pdf = await cahierPdf({
      coop: COOP,
      exercise: 2025,
      chart: DEFAULT_CHART,
      lines,
      opening: year.opening,
      linesPerPage: PER_PAGE,
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = join(dir, 'cahier.pdf');
    await writeFile(file, pdf);
    text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
    const info = (await run('pdfinfo', [file])).stdout;
    pages = Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
    await run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'page1')]);
    png = await readFile(join(dir, 'page1.png'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('two pages per sheet of lines (left then right), numbered « Page n / N »', () => {
    const expected = 2 * Math.ceil(lines.length / PER_PAGE);
    expect(cahierPageCount(lines.length, PER_PAGE)).toBe(expected);
    expect(pages).toBe(expected);
    expect(text).toContain(`Page 1 / ${expected}`);
    expect(text).toContain(`Page ${expected} / ${expected}`);
    expect(text.split('\f').filter((p) => p.includes('page de gauche'))).toHaveLength(expected / 2);
    expect(text.split('\f').filter((p) => p.includes('page de droite'))).toHaveLength(expected / 2);
  });

  test('the header names the coop and the exercise, in French with its accents', () => {
    expect(text).toContain(`${COOP.name} – n° ${COOP.number}`);
    expect(text).toContain('Exercice 2025-2026');
    expect(text).toContain('Régie d’avance');
    expect(text).toContain('dépenses €');
    expect(text).toContain('Œuvres de fin d’année – 12 € par élève');
  });

  test('totals carried from page to page: « À reporter » then « Report »', () => {
    const sheets = pages / 2;
    const pageTexts = text.split('\f');
    expect(text.match(/À reporter/g)).toHaveLength(2 * (sheets - 1));
    expect(text.match(/^\s*Report {2,}/gm)).toHaveLength(2 * (sheets - 1));
    // What the first left page carries is what the third (next left page) reports.
    const carried = /À reporter\s+(.*)$/m.exec(pageTexts[0]!)![1]!.trim();
    const reported = /^\s*Report {2,}(.*)$/m.exec(pageTexts[2]!)![1]!.trim();
    expect(reported).toBe(carried);
    const firstSheet = counted.filter((l) => lines.indexOf(l) < PER_PAGE);
    expect(carried.split(/\s{2,}/)[0]).toBe(printedAmount(movementTotals(firstSheet).banque_recettes));
  });

  test('the first and last lines, dates as jj/mm/aaaa', () => {
    const first = lines[0]!;
    const last = lines[lines.length - 1]!;
    expect(text).toContain(first.libelle);
    expect(text).toContain(last.libelle);
    expect(text).toContain(formatDateFr(first.date));
    expect(text).toContain(formatDateFr(last.date));
  });

  test('the last sheet ends with the exercise totals of the validated lines (compute.ts)', () => {
    const pageTexts = text.split('\f');
    const leftLast = pageTexts[pages - 2]!;
    const rightLast = pageTexts[pages - 1]!;
    const m = movementTotals(counted);
    const row = /Totaux de l’exercice\s+(.*)$/m
      .exec(leftLast)![1]!
      .trim()
      .split(/\s{2,}/);
    expect(row).toEqual(
      [
        m.banque_recettes,
        m.banque_depenses,
        m.caisse_recettes,
        m.caisse_depenses,
        m.regie_recettes,
        m.regie_depenses,
      ].map(printedAmount),
    );
    expect(m.banque_depenses).toBeGreaterThan(100_000);
    expect(printedAmount(m.banque_depenses)).toMatch(/^\d{1,3} \d{3},\d{2}$/);
    const ch = chapterTotals(counted, DEFAULT_CHART);
    const rightRow = /Totaux de l’exercice\s+(.*)$/m
      .exec(rightLast)![1]!
      .trim()
      .split(/\s{2,}/);
    const charges = DEFAULT_CHART.filter((c) => c.side === 'charge').map((c) => c.code);
    const produits = DEFAULT_CHART.filter((c) => c.side === 'produit').map((c) => c.code);
    expect(rightRow).toEqual([...charges, ...produits].map((code) => printedAmount(ch.get(code)!)));
  });

  test('a draft is printed, marked « (brouillon) » and left out of the totals', () => {
    expect(text).toContain('Œuvres de fin d’année – 12 € par élève (brouillon)');
    expect(text).toContain(`${lines[5]!.pj} (brouillon)`);
    expect(text).toContain('ne comptent pas dans les totaux');
  });

  test('page 1 renders to a PNG', () => {
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(1000);
  });

  test('an empty cahier is one sheet with zero totals; the file name is French', async () => {
    const pdf = await cahierPdf({ coop: COOP, exercise: 2025, chart: DEFAULT_CHART, lines: [] });
    const file = join(dir, 'vide.pdf');
    await writeFile(file, pdf);
    const t = (await run('pdftotext', ['-layout', file, '-'])).stdout;
    expect(t).toContain('Page 2 / 2');
    expect(t).toMatch(/Totaux de l’exercice\s+0,00/);
    expect(cahierFileName('087-0123', 2025)).toBe('cahier-087-0123-2025-2026.pdf');
  });
});
