import { execFile, spawn } from 'node:child_process';
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
      err: 'Commande inconnue : inventer. Commandes : start, serve, coop, user, template. Voir : cahier --help\n',
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

  test('coop add and user add write to the database given by --db, with French errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-cli-db-'));
    const db = `sqlite:${join(dir, 'c.sqlite')}`;
    expect(
      await run('coop', 'add', '--number', '087-0200', '--name', 'Coop Test', '--department', '87', '--db', db),
    ).toMatchObject({
      code: 0,
      out: 'Coopérative 087-0200 « Coop Test » ajoutée (département 87).\n',
    });
    expect(
      (await run('coop', 'add', '--number', '087-0200', '--name', 'Bis', '--department', '87', '--db', db)).err,
    ).toBe('Erreur : La coopérative 087-0200 existe déjà.\n');
    expect(
      await run('user', 'add', '--login', 'Marie', '--password', 'secret-123', '--coop', '087-0200', '--db', db),
    ).toMatchObject({
      code: 0,
      out: 'Utilisateur Marie ajouté : mandataire de la coopérative 087-0200.\n',
    });
    expect(
      (await run('user', 'add', '--login', 'Paul', '--password', 'court', '--coop', '087-0200', '--db', db)).err,
    ).toBe('Erreur : Le mot de passe doit compter au moins 8 caractères.\n');
    expect((await run('user', 'add', '--login', 'Jean', '--password', 'secret-123', '--db', db)).code).toBe(2);
    expect(
      await run('user', 'add', '--login', 'tresorier', '--password', 'secret-123', '--department', '87', '--db', db),
    ).toMatchObject({ code: 0, out: 'Utilisateur tresorier ajouté : tresorier du département 87.\n' });
    expect((await run('coop', 'add', '--number', 'x', '--db', 'postgres://x')).err).toBe(
      'Erreur : L’option --name est obligatoire.\n',
    );
    expect(
      (await run('coop', 'add', '--number', 'x', '--name', 'y', '--department', '87', '--db', 'postgres://x')).err,
    ).toBe('Erreur : Base de données non prise en charge : « postgres://x » (sqlite:FICHIER ou mysql://…).\n');
  });

  test('npm start: the service with the demo cooperative and its login, and the workbooks in data/', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-start-'));
    const child = spawn(process.execPath, [
      join(__dirname, '../../bin/cahier.js'),
      'start',
      '--data',
      dir,
      '--port',
      '0',
    ]);
    try {
      let out = '';
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const url = await new Promise<string>((ok, ko) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /service démarré sur (http:\/\/\S+) /.exec(out);
          if (m && /Connexion mandataire/.test(out)) ok(m[1]!);
        });
        child.once('exit', () => ko(new Error(out)));
      });
      const paths = [...out.matchAll(/: (\/\S+\.xlsx)$/gm)].map((m) => m[1]!);
      expect(paths).toHaveLength(2);
      const count = Number(/exercice 2025-2026 : (\d+) écritures/.exec(out)![1]);
      const [, login, password] = /Connexion mandataire : (\S+) \/ (\S+)/.exec(out)!;
      expect((await (await fetch(`${url}/health`)).json()) as unknown).toEqual({ status: 'ok', db: 'sqlite' });
      const session = (await (
        await fetch(`${url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login, password }),
        })
      ).json()) as { token: string; user: { coop: string } };
      const lines = (await (
        await fetch(`${url}/api/coops/${session.user.coop}/exercises/2025/lines`, {
          headers: { authorization: `Bearer ${session.token}` },
        })
      ).json()) as { lines: unknown[] };
      expect(lines.lines).toHaveLength(count);
      // The demo workbook holds the same lines.
      const demo = new ExcelJS.Workbook();
      await demo.xlsx.load((await readFile(paths[1]!)) as unknown as ArrayBuffer);
      const pjs: string[] = [];
      demo
        .getWorksheet(SHEETS.cahier)!
        .getColumn('B')
        .eachCell((c, row) => {
          if (row > HEADER_ROW && typeof c.value === 'string' && /^\d+$/.test(c.value)) pjs.push(c.value);
        });
      expect(pjs).toHaveLength(count);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('the installed bin runs (npx cahier)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../../bin/cahier.js'), '--help']);
    expect(stdout).toContain('Cahier Coop');
  });
});
