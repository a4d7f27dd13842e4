/** `cahier report`: a department writes a coop's compte rendu financier to a file. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { addCoop, openExercise } from '../../server/operations/accounts';
import { syncLines } from '../../server/operations/lines';
import { DEFAULT_CHART, SHEETS } from '../../templates/definition';

const BIN = join(__dirname, '../../bin/cahier.js');
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

describe('cahier report', () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-report-'));
    db = `sqlite:${join(dir, 'c.sqlite')}`;
    const conn = await openDb(db);
    await migrate(conn);
    const coop = await addCoop(conn, { number: '087-0123', name: 'École Jules Ferry', department: '87' });
    const exercise = await openExercise(conn, coop.id, 2025, { banque: 100_000, caisse: 2_000 });
    const principal = { userId: 0, login: 'test', role: 'admin' as const, coopId: null, departmentCode: null };
    await syncLines({ db: conn, principal, exercise, chart: DEFAULT_CHART }, [
      {
        id: '6f1c2a4e-0000-4000-8000-000000000001',
        line: {
          pj: '01',
          date: '2025-09-20',
          libelle: 'Librairie – albums',
          mode: 'carte',
          kind: 'depense',
          account: 'banque',
          amount: 4_590,
          ventilation: [{ chapter: '6180', amount: 4_590 }],
        },
      },
      {
        id: '6f1c2a4e-0000-4000-8000-000000000002',
        line: {
          pj: '02',
          date: '2025-10-02',
          libelle: 'Familles – photos',
          mode: 'especes',
          kind: 'recette',
          account: 'caisse',
          amount: 12_000,
          ventilation: [{ chapter: '7080', amount: 12_000 }],
        },
      },
    ]);
    await conn.close();
  });

  test('json: the compte rendu of the exercise, to the cent', async () => {
    const out = join(dir, 'crf.json');
    const r = await run(
      'report',
      '--coop',
      '087-0123',
      '--exercise',
      '2025',
      '--format',
      'json',
      '--out',
      out,
      '--db',
      db,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Compte rendu financier écrit dans ${out}`);
    const crf = JSON.parse(await readFile(out, 'utf8'));
    expect(crf.provisional).toBe(true);
    expect([crf.compteDeFonctionnement.totalCharges, crf.compteDeFonctionnement.totalProduits]).toEqual([
      4_590, 12_000,
    ]);
    expect(crf.compteDeFonctionnement.resultat).toBe(7_410);
    expect([crf.bilan.banque, crf.bilan.caisse, crf.bilan.ecart]).toEqual([95_410, 14_000, 0]);
  });

  test('xlsx: the cahier workbook with its Compte rendu sheet', async () => {
    const out = join(dir, 'crf.xlsx');
    const r = await run(
      'report',
      '--coop',
      '087-0123',
      '--exercise',
      '2025',
      '--format',
      'xlsx',
      '--out',
      out,
      '--db',
      db,
    );
    expect(r.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(out)) as unknown as ArrayBuffer);
    expect(wb.getWorksheet(SHEETS.compteRendu)).toBeDefined();
    expect(wb.getWorksheet(SHEETS.cahier)).toBeDefined();
  });

  test('pdf: the compte rendu to sign, its totals in the text', async () => {
    const out = join(dir, 'crf.pdf');
    const r = await run(
      'report',
      '--coop',
      '087-0123',
      '--exercise',
      '2025',
      '--format',
      'pdf',
      '--out',
      out,
      '--db',
      db,
    );
    expect(r.code).toBe(0);
    expect((await readFile(out)).subarray(0, 5).toString()).toBe('%PDF-');
    const text = (await promisify(execFile)('pdftotext', ['-layout', out, '-'])).stdout;
    expect(text).toContain('École Jules Ferry');
    expect(text).toMatch(/Total des charges\s+45,90 €/);
    expect(text).toMatch(/Total des produits\s+120,00 €/);
    expect(text).toMatch(/Excédent\s+74,10 €/);
    expect(text).toContain('provisoire');
  });

  test('a format not offered, a coop unknown: French errors and a non-zero exit', async () => {
    const base = ['report', '--coop', '087-0123', '--exercise', '2025', '--out', join(dir, 'x'), '--db', db];
    expect(await run(...base, '--format', 'doc')).toMatchObject({ code: 2 });
    expect((await run(...base, '--format', 'doc')).err).toContain('--format attend json, xlsx ou pdf');
    const unknown = await run(
      'report',
      '--coop',
      '999-9999',
      '--exercise',
      '2025',
      '--format',
      'json',
      '--out',
      join(dir, 'y'),
      '--db',
      db,
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('999-9999');
  });
});
