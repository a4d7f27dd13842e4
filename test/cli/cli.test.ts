import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { main } from '../../server/cli/main';
import { HEADER_ROW, NAMES, SHEETS, TABLE_NAME, cahierLayout } from '../../templates/definition';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('la commande cahier', () => {
  test('--help lists the commands', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Commandes :');
    expect(r.out).toMatch(/template\s+crée le classeur modèle/);
  });

  test('each command has --help', async () => {
    const r = await run('template', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage : cahier template [options]');
    expect(r.out).toContain('-o, --out FICHIER');
  });

  test('errors are French, on stderr, with a non-zero exit', async () => {
    expect(await run('inventer')).toMatchObject({
      code: 2,
      err: 'Commande inconnue : inventer. Commandes : start, template. Voir : cahier --help\n',
    });
    expect(await run('template', '--sans-objet')).toMatchObject({
      code: 2,
      err: 'Erreur : Option inconnue : --sans-objet. Voir : cahier template --help\n',
    });
    expect((await run('template', '--exercice', '25-26')).err).toBe(
      'Erreur : --exercice attend l’année de début de l’exercice (ex. : 2025 pour 2025-2026), pas « 25-26 ».\n',
    );
    expect((await run('template', '--banque', '12,345')).err).toBe(
      'Erreur : --banque : Le montant « 12,345 » a plus de deux décimales.\n',
    );
    // A file where a folder should be: the workbook cannot be written.
    const dir = await mkdtemp(join(tmpdir(), 'cahier-cli-'));
    await writeFile(join(dir, 'fichier'), 'x');
    const blocked = await run('template', '--out', join(dir, 'fichier', 'x.xlsx'));
    expect(blocked.code).toBe(1);
    expect(blocked.err).toMatch(/^Erreur : Impossible d’écrire .*x\.xlsx/);
  });

  test('template --out writes the workbook with the coop’s data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-cli-'));
    const file = join(dir, 'modele.xlsx');
    const r = await run(
      'template',
      '--out',
      file,
      '--exercice',
      '2025',
      '--nom',
      'Coop Jules Ferry',
      '--banque',
      '1 234,56',
    );
    expect(r).toMatchObject({ code: 0, out: `Modèle du cahier 2025-2026 écrit : ${file}\n` });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(file)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(Object.values(SHEETS));
    const cahier = wb.getWorksheet(SHEETS.cahier)!;
    expect(cahier.getTable(TABLE_NAME)).toBeDefined();
    expect(cahier.getCell(`E${HEADER_ROW}`).value).toBe('Libellé');
    expect(cahier.getRow(HEADER_ROW).cellCount).toBe(cahierLayout().columns.length);
    const coop = wb.getWorksheet(SHEETS.coop)!;
    expect(coop.getCell('B3').value).toBe('Coop Jules Ferry');
    expect(coop.getCell('B13').value).toBe(1234.56);
    expect(wb.definedNames.getRanges(NAMES.ranBanque).ranges).toEqual([`'${SHEETS.coop}'!$B$13`]);
  });

  test('start writes the empty template and a demo cahier, and says where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-start-'));
    const r = await run('start', '--data', dir);
    expect(r.code).toBe(0);
    const paths = [...r.out.matchAll(/: (\/\S+\.xlsx)$/gm)].map((m) => m[1]!);
    expect(paths).toHaveLength(2);
    expect(r.out).toMatch(/Cahier de démonstration \(Coopérative scolaire de l’école Jules Ferry, \d+ écritures\)/);
    const demo = new ExcelJS.Workbook();
    await demo.xlsx.load((await readFile(paths[1]!)) as unknown as ArrayBuffer);
    const count = Number(/(\d+) écritures/.exec(r.out)![1]);
    const pjColumn = demo.getWorksheet(SHEETS.cahier)!.getColumn('B');
    const pjs: string[] = [];
    pjColumn.eachCell((c, row) => {
      if (row > HEADER_ROW && typeof c.value === 'string' && /^\d+$/.test(c.value)) pjs.push(c.value);
    });
    expect(pjs).toHaveLength(count);
  });

  test('the installed bin runs (npx cahier)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../../bin/cahier.js'), '--help']);
    expect(stdout).toContain('Cahier Coop');
  });
});
