/** `cahier export`: a coop's cahier workbook, or a department's, one file per coop that has the exercise. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { addCoop, openExercise } from '../../server/operations/accounts';
import { syncLines } from '../../server/operations/lines';
import { DEFAULT_CHART, SHEETS, cahierLayout, type LineInput } from '../../templates/definition';
import { loadWorkbook, rowWith, textAt } from '../workbook/read';

const BIN = join(__dirname, '../../bin/cahier.js');
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

const line = (pj: string, amount: number, extra: Partial<LineInput> = {}): LineInput => ({
  pj,
  date: '2025-09-20',
  libelle: `Librairie – facture ${pj}`,
  mode: 'carte',
  kind: 'depense',
  account: 'banque',
  amount,
  ventilation: [{ chapter: '6180', amount }],
  ...extra,
});

describe('cahier export', () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-export-'));
    db = `sqlite:${join(dir, 'c.sqlite')}`;
    const conn = await openDb(db);
    await migrate(conn);
    const principal = { userId: 0, login: 'test', role: 'admin' as const, coopId: null, departmentCode: null };
    const fill = async (number: string, name: string, department: string, lines: LineInput[] | null) => {
      const coop = await addCoop(conn, { number, name, department });
      if (!lines) return;
      const exercise = await openExercise(conn, coop.id, 2025, { banque: 100_000, caisse: 2_000 });
      await syncLines(
        { db: conn, principal, exercise, chart: DEFAULT_CHART },
        lines.map((l, i) => ({
          id: `6f1c2a4e-0000-4000-8000-${number.replace('-', '')}${String(i).padStart(5, '0')}`,
          line: l,
        })),
      );
    };
    await fill('069-0001', 'École Lumière', '69', [
      line('01', 4_590),
      line('02', 8_000, { ventilation: [{ chapter: '6180', amount: 3_000 }] }), // a draft
    ]);
    await fill('069-0002', 'École Bellecour', '69', [line('01', 1_200)]);
    await fill('069-0003', 'École sans exercice', '69', null);
    await fill('087-0001', 'École ailleurs', '87', [line('01', 700)]);
    await conn.close();
  });

  test('--help describes the command in French', async () => {
    const r = await run('export', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--department CODE');
    expect(r.out).toContain('--exercise ANNÉE');
    expect((await run('--help')).out).toMatch(/export\s+écrit le cahier/);
  });

  test('wrong usage: exit 2 with a French message', async () => {
    const both = await run('export', '--coop', '069-0001', '--department', '69', '--exercise', '2025', '--out', dir);
    expect(both.code).toBe(2);
    expect(both.err).toContain('Indiquez soit --coop N, soit --department CODE');
    const none = await run('export', '--exercise', '2025', '--out', dir);
    expect(none.code).toBe(2);
    const year = await run('export', '--coop', '069-0001', '--exercise', '25', '--out', dir);
    expect([year.code, year.err]).toEqual([2, 'Erreur : --exercise attend une année sur 4 chiffres, pas « 25 ».\n']);
    const out = await run('export', '--coop', '069-0001', '--exercise', '2025', '--db', db);
    expect([out.code, out.err]).toEqual([2, 'Erreur : L’option --out est obligatoire.\n']);
  });

  test('--coop: the workbook of the exercise, every line, the draft marked', async () => {
    const file = join(dir, 'lumiere.xlsx');
    const r = await run('export', '--coop', '069-0001', '--exercise', '2025', '--out', file, '--db', db);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        `^Cahier de la coopérative 069-0001, exercice 2025-2026, écrit dans ${file} \\(2 lignes, dont 1 brouillon ; \\d+ octets\\)\\.\\n$`,
      ),
    );
    const wb = await loadWorkbook(await readFile(file));
    const ws = wb.getWorksheet(SHEETS.cahier)!;
    const layout = cahierLayout(DEFAULT_CHART);
    const status = layout.byKey.get('status')!.letter;
    const pj = layout.byKey.get('pj')!.letter;
    expect(textAt(ws, `${status}${rowWith(ws, pj, '01')}`)).toBe('✓');
    expect(textAt(ws, `${status}${rowWith(ws, pj, '02')}`)).toMatch(/^✗ /);
    expect(textAt(wb.getWorksheet(SHEETS.coop)!, 'B3')).toBe('École Lumière');
  });

  test('--coop: an unknown coop or exercise is a French error, exit 1', async () => {
    const r = await run('export', '--coop', '069-0003', '--exercise', '2025', '--out', join(dir, 'x.xlsx'), '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toBe('Erreur : L’exercice 2025-2026 de la coopérative 069-0003 n’est pas ouvert.\n');
    const u = await run('export', '--coop', '069-9999', '--exercise', '2025', '--out', join(dir, 'x.xlsx'), '--db', db);
    expect(u.code).toBe(1);
  });

  test('--department: one workbook per coop that has the exercise, the others named as skipped', async () => {
    const out = join(dir, 'rhone');
    const r = await run('export', '--department', '69', '--exercise', '2025', '--out', out, '--db', db);
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['cahier-069-0001-2025-2026.xlsx', 'cahier-069-0002-2025-2026.xlsx']);
    expect(r.out).toContain(
      `Département 69, exercice 2025-2026 : 2 cahiers écrits dans ${out}, 1 coopérative ignorée (sans cet exercice), 0 échec.`,
    );
    expect(r.out).toContain('cahier-069-0001-2025-2026.xlsx  069-0001  2 lignes, dont 1 brouillon');
    expect(r.out).toContain('Sans exercice 2025-2026 (ignorées) : 069-0003');
    // Not a terminal: one plain line per coop on stderr.
    expect(r.err).toContain('[1/2] 069-0001 : cahier-069-0001-2025-2026.xlsx (2 lignes, dont 1 brouillon)');
    expect(r.err).toContain('[2/2] 069-0002 : cahier-069-0002-2025-2026.xlsx (1 ligne)');
    const wb = await loadWorkbook(await readFile(join(out, 'cahier-069-0002-2025-2026.xlsx')));
    expect(textAt(wb.getWorksheet(SHEETS.coop)!, 'B4')).toBe('069-0002');
  });

  test('--department: a workbook that cannot be written is a failure named in the summary, exit 1', async () => {
    const out = join(dir, 'bloque');
    // A folder where one workbook should go: that file cannot be written, the other is.
    await mkdir(join(out, 'cahier-069-0002-2025-2026.xlsx'), { recursive: true });
    const r = await run('export', '--department', '69', '--exercise', '2025', '--out', out, '--db', db);
    expect(r.code).toBe(1);
    expect(r.out).toContain('1 cahier écrit');
    expect(r.out).toContain('1 échec.');
    expect(r.out).toMatch(
      /Échecs \(aucun fichier écrit pour ces coopératives\) :\n {2}069-0002 : écriture impossible : /,
    );
  });

  test('--department: an unknown department, or none of its coops with the exercise, exit 1', async () => {
    const u = await run('export', '--department', '99', '--exercise', '2025', '--out', join(dir, 'u'), '--db', db);
    expect([u.code, u.err]).toEqual([1, 'Erreur : Le département 99 est inconnu.\n']);
    const n = await run('export', '--department', '69', '--exercise', '2030', '--out', join(dir, 'n'), '--db', db);
    expect([n.code, n.err]).toEqual([1, 'Erreur : Aucune coopérative du département 69 n’a d’exercice 2030-2031.\n']);
  });
});
