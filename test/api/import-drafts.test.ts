/**
 * A cell the import cannot read never lets its line in as validated: the line comes in as a
 * draft carrying what was unreadable (row and column in the report, `valeur_illisible` on the
 * stored line), even when what remains of the line passes the rules.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { openDb, type Db } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { COMMAND_LINE_PRINCIPAL, addCoop } from '../../server/operations/accounts';
import { importLegacy } from '../../server/operations/legacy-import';

async function oldCahier(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Cahier');
  ws.addRow(['Coopérative scolaire 087-0321 – exercice 2024-2025']);
  ws.addRow([
    'N° pièce',
    'Date',
    'Libellé',
    'Banque recettes',
    'Banque dépenses',
    'Caisse recettes',
    'Caisse dépenses',
    '7080 Photos',
    '6070 Achats',
  ]);
  ws.addRow(['01', '12/09/2024', 'Familles – photos', 120, '', '', '', 120, '']);
  // The bank expense is read; the caisse cell beside it is not a number.
  ws.addRow(['02', '20/09/2024', 'Librairie – albums', '', 45.9, '', '12,3,4', '', 45.9]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('an unreadable cell in an old cahier', () => {
  let dir: string;
  let db: Db;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-import-drafts-'));
    db = await openDb(`sqlite:${join(dir, 'c.sqlite')}`);
    await migrate(db);
    await addCoop(db, { number: '087-0321', name: 'École Louise Michel', department: '87' });
  });

  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('makes its line a draft naming the row and column, even when the rest passes the rules', async () => {
    const report = await importLegacy(db, COMMAND_LINE_PRINCIPAL, {
      file: 'cahier-087-0321.xlsx',
      bytes: await oldCahier(),
    });
    expect(report.status).toBe('ok');
    expect(report.entries).toEqual({ validated: 1, drafts: 1 });
    const unreadable = report.problems!.filter((p) => p.row === 4 && p.severity === 'error');
    expect(unreadable.map((p) => [p.code, p.column])).toEqual([['mouvement_multiple', 'E']]);
    expect(unreadable[0]!.message).toContain('Un montant par ligne');
    expect(report.problems!.some((p) => p.code === 'valeur_illisible')).toBe(false);
    const rows = await db.models.Line.findAll({ order: [['pj', 'ASC']] });
    expect(rows.map((r) => [r.pj, r.status])).toEqual([
      ['01', 'validated'],
      ['02', 'draft'],
    ]);
    const problems = JSON.parse(rows[1]!.problems) as { code: string; message: string }[];
    expect(problems).toContainEqual(expect.objectContaining({ code: 'valeur_illisible' }));
    // The totals count the validated line only.
    expect(report.totals!.banque).toEqual({ recettes: 12_000, depenses: 0 });
  });
});
