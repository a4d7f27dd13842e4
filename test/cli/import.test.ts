/**
 * `cahier import`: a department imports a folder of old cahiers through the real command line
 * (bin/cahier.js). A dry run stores nothing; a batch with one bad file imports the good ones,
 * prints the summary and exits 1; `--json` prints exactly {"files":[…]}; the same folder again
 * changes nothing; an exercise holding other lines is refused with the counts, then merged; a
 * file naming no coop is not imported; an .ods goes through LibreOffice like its .xlsx.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDb, type Db } from '../../server/db/connect';
import { ImportFileReportSchema } from '../../server/http/routes/imports';
import { migrate } from '../../server/db/migrate';
import { addCoop, openExercise } from '../../server/operations/accounts';
import { syncLines } from '../../server/operations/lines';
import { DEFAULT_CHART } from '../../templates/definition';
import {
  RENAMED_CSV,
  convertFixture,
  departmentCahier,
  hasSoffice,
  occeCahier,
  writeSheets,
  type CellSpec,
  type SheetSpec,
} from '../fixtures/legacy-files';

const BIN = join(__dirname, '../../bin/cahier.js');
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

/** The keys of a file's report, as documented (`error` only when refused). */
const REPORT_KEYS = Object.keys(ImportFileReportSchema.shape).filter((k) => k !== 'error');

/** The sheets with every coop number taken out of their texts (a file that names no coop). */
function anonymous(sheets: readonly SheetSpec[]): SheetSpec[] {
  const clean = (v: CellSpec): CellSpec => (typeof v === 'string' ? v.replace(/\d{3}[-\s]?\d{4}/g, '') : v);
  return sheets.map((s) => ({
    ...s,
    rows: s.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, clean(v)]))),
  }));
}

jest.setTimeout(180_000);

describe('cahier import', () => {
  let dir: string;
  let db: string;
  let folder: string;
  const occe = occeCahier();
  const dept = departmentCahier();
  let occeXlsx: Buffer;

  /** Reads the database between two runs of the command. */
  async function withConn<T>(fn: (conn: Db) => Promise<T>): Promise<T> {
    const conn = await openDb(db);
    try {
      return await fn(conn);
    } finally {
      await conn.close();
    }
  }
  const linesOf = (number: string) =>
    withConn(async (conn) => {
      const coop = await conn.models.Coop.findOne({ where: { number } });
      const ex = await conn.models.Exercise.findOne({ where: { coopId: coop!.id, year: 2025 } });
      return ex ? conn.models.Line.count({ where: { exerciseId: ex.id, deleted: false } }) : 0;
    });
  const counts = () =>
    withConn(async (conn) => ({
      lines: await conn.models.Line.count(),
      audit: await conn.models.Audit.count(),
      exercises: await conn.models.Exercise.count(),
      seq: (await conn.models.Exercise.findAll({ raw: true })).map((e) => Number(e.lastSeq)),
    }));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-import-'));
    db = `sqlite:${join(dir, 'c.sqlite')}`;
    await withConn(async (conn) => {
      await migrate(conn);
      for (const [number, name] of [
        ['087-0123', 'École Jules Ferry'],
        ['087-0456', 'École Victor Hugo'],
        ['087-0789', 'École Jean Moulin'],
        ['087-0999', 'École Louise Michel'],
      ] as const) {
        await addCoop(conn, { number, name, department: '87' });
      }
      // Coop 087-0789 has started its 2025 exercise in the service.
      const coop = await conn.models.Coop.findOne({ where: { number: '087-0789' } });
      const exercise = await openExercise(conn, coop!.id, 2025, { banque: 50_000, caisse: 0 });
      const principal = { userId: 0, login: 'test', role: 'admin' as const, coopId: null, departmentCode: null };
      await syncLines({ db: conn, principal, exercise, chart: DEFAULT_CHART }, [
        {
          id: '6f1c2a4e-0000-4000-8000-0000000000aa',
          line: {
            pj: '900',
            date: '2025-09-20',
            libelle: 'Papeterie – cahiers',
            mode: 'carte',
            kind: 'depense',
            account: 'banque',
            amount: 2_500,
            ventilation: [{ chapter: '6180', amount: 2_500 }],
          },
        },
      ]);
    });
    occeXlsx = await occe.xlsx();
    folder = join(dir, 'cahiers');
    await mkdir(join(folder, 'vides'), { recursive: true });
    await writeFile(join(folder, occe.file), occeXlsx);
    await writeFile(join(folder, dept.file), await dept.xlsx());
    await writeFile(join(folder, 'illisible.xlsx'), RENAMED_CSV);
    // Not workbooks, or not the cahier: left alone.
    await writeFile(join(folder, 'notes.txt'), 'à voir');
    await writeFile(join(folder, `~$${occe.file}`), 'verrou');
  });

  test('wrong usage: exit 2 with a French message', async () => {
    expect(await run('import', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('Usage') });
    expect(await run('import', folder, '--exercise', '25', '--db', db)).toMatchObject({
      code: 2,
      err: expect.stringContaining('--exercise attend une année sur 4 chiffres'),
    });
    const absent = join(dir, 'absent');
    expect(await run('import', absent, '--db', db)).toMatchObject({
      code: 2,
      err: expect.stringContaining(`Fichier ou dossier introuvable : ${absent}`),
    });
    expect(await run('import', join(folder, 'vides'), '--db', db)).toMatchObject({
      code: 2,
      err: expect.stringContaining('Aucun classeur (.xlsx, .xls, .ods)'),
    });
    const mapping = join(dir, 'mapping.json');
    await writeFile(mapping, JSON.stringify({ headerRow: 0, columns: { date: 'B' } }));
    const bad = await run('import', folder, '--mapping', mapping, '--db', db);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('headerRow : numéro de ligne attendu');
    expect(bad.err).toContain('columns.libelle : obligatoire');
    expect(await counts()).toMatchObject({ lines: 1 });
  });

  test('--dry-run analyses every file and stores nothing', async () => {
    const before = await counts();
    const r = await run('import', join(folder, occe.file), join(folder, dept.file), '--dry-run', '--db', db);
    expect(r.code).toBe(0);
    expect(r.out).toContain('2 fichiers : 2 importables, 0 refusé. Essai : rien n’est enregistré.');
    expect(r.out).toContain('importable (essai)');
    expect(await counts()).toEqual(before);
  });

  test('a folder with one bad file: the good ones imported, the summary, exit 1', async () => {
    const r = await run('import', folder, '--db', db);
    expect(r.code).toBe(1);
    const table = r.out.split('\n');
    expect(table[0]).toMatch(/^Fichier\s+Coopérative\s+Exercice\s+Lignes\s+Brouillons\s+Statut$/);
    const row = (file: string) => table.find((l) => l.startsWith(join(folder, file)))!;
    const lines = (f: typeof occe) => f.report.entries.validated + f.report.entries.drafts;
    expect(row(occe.file)).toMatch(
      new RegExp(`087-0123\\s+2025-2026\\s+${lines(occe)}\\s+${occe.report.entries.drafts}\\s+importé$`),
    );
    expect(row(dept.file)).toMatch(
      new RegExp(`087-0456\\s+2025-2026\\s+${lines(dept)}\\s+${dept.report.entries.drafts}\\s+importé$`),
    );
    expect(row('illisible.xlsx')).toMatch(/—\s+—\s+—\s+—\s+refusé \(format_inconnu\)$/);
    expect(r.out).toContain('Refusés (rien n’est enregistré pour ces fichiers) :');
    expect(r.out).toContain(`${join(folder, 'illisible.xlsx')} : Fichier « ${join(folder, 'illisible.xlsx')} »`);
    expect(r.out).toContain('3 fichiers : 2 importés, 1 refusé.');
    expect(r.out).not.toContain('notes.txt');
    // Not a terminal: one plain line per file on stderr.
    expect(r.err.match(/^\[\d\/3\] /gm)).toHaveLength(3);
    expect(await linesOf('087-0123')).toBe(lines(occe));
    expect(await linesOf('087-0456')).toBe(lines(dept));
  });

  test('--json prints exactly {"files":[…]}; the same folder again changes nothing', async () => {
    const before = await counts();
    const r = await run('import', folder, '--json', '--db', db);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(['files']);
    const [a, b, bad] = out.files;
    expect(out.files).toHaveLength(3);
    for (const [report, fixture] of [
      [a, occe],
      [b, dept],
    ] as const) {
      expect(Object.keys(report)).toEqual(REPORT_KEYS);
      const { problems: _p, ...figures } = report;
      // The department's chart took the new chapters at the first import.
      expect(figures).toEqual({ ...fixture.report, file: join(folder, fixture.file), newChapters: [] });
    }
    expect(bad).toEqual({
      file: join(folder, 'illisible.xlsx'),
      status: 'rejected',
      error: { code: 'format_inconnu', message: expect.stringContaining('illisible.xlsx') },
    });
    expect(await counts()).toEqual(before);
    const again = await run('import', join(folder, occe.file), '--db', db);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/087-0123\s+2025-2026\s+\d+\s+\d+\s+déjà importé$/m);
  });

  test('an exercise holding other lines: refused with the counts, then --merge adds the file’s lines', async () => {
    const file = join(folder, dept.file);
    const before = await counts();
    const refused = await run('import', file, '--coop', '087-0789', '--db', db);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('refusé (exercice_non_vide)');
    expect(refused.out).toContain(
      `L’exercice 2025-2026 de la coopérative 087-0789 contient déjà 1 ligne qui ne vient pas de ce fichier`,
    );
    expect(refused.out).toContain(`en apporte ${dept.expected.lines.length} (dont 0 déjà importée)`);
    expect(await counts()).toEqual(before);
    const merged = await run('import', file, '--coop', '087-0789', '--merge', '--db', db);
    expect(merged.code).toBe(0);
    expect(await linesOf('087-0789')).toBe(1 + dept.expected.lines.length);
  });

  test('a file naming no coop is analysed but not imported (coop_inconnue)', async () => {
    const path = join(dir, 'cahier-ancien.xlsx');
    await writeFile(path, await writeSheets(anonymous(occe.sheets)));
    const before = await counts();
    const r = await run('import', path, '--json', '--db', db);
    expect(r.code).toBe(1);
    const [report] = JSON.parse(r.out).files;
    expect(report).toMatchObject({
      status: 'rejected',
      error: { code: 'coop_inconnue', message: expect.stringContaining('--coop') },
      coop: null,
      entries: occe.report.entries,
    });
    expect(await counts()).toEqual(before);
  });

  (hasSoffice() ? test : test.skip)('an .ods is converted by LibreOffice and imports like its .xlsx', async () => {
    const path = join(dir, 'cahier-louise-michel.ods');
    await writeFile(path, await convertFixture(occeXlsx, 'ods'));
    const r = await run('import', path, '--coop', '087-0999', '--json', '--db', db);
    expect(r.code).toBe(0);
    const { problems: _p, ...figures } = JSON.parse(r.out).files[0];
    expect(figures).toEqual({ ...occe.report, file: path, coop: '087-0999', newChapters: [] });
    expect(await linesOf('087-0999')).toBe(occe.expected.lines.length);
    // Its compte rendu has the sheet's figures.
    const crfFile = join(dir, 'crf.json');
    expect(
      (
        await run(
          'report',
          '--coop',
          '087-0999',
          '--exercise',
          '2025',
          '--format',
          'json',
          '--out',
          crfFile,
          '--db',
          db,
        )
      ).code,
    ).toBe(0);
    const crf = JSON.parse(await readFile(crfFile, 'utf8'));
    const { totals, openingBalances } = occe.report;
    expect(crf.bilan.banque).toBe(openingBalances.banque + totals.banque.recettes - totals.banque.depenses);
    expect(crf.bilan.caisse).toBe(openingBalances.caisse + totals.caisse.recettes - totals.caisse.depenses);
  });
});
