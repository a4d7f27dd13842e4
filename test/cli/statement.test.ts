/** `cahier statement import`: a department's script imports a statement and reads the JSON. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { addCoop, openExercise } from '../../server/operations/accounts';
import { syncLines } from '../../server/operations/lines';
import { DEFAULT_CHART } from '../../templates/definition';
import { sampleStatement, toCfonb120 } from '../fixtures/statement-files';

const BIN = join(__dirname, '../../bin/cahier.js');
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

describe('cahier statement import', () => {
  let dir: string;
  let db: string;
  let file: string;
  const statement = sampleStatement();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-statement-'));
    db = `sqlite:${join(dir, 'c.sqlite')}`;
    const conn = await openDb(db);
    await migrate(conn);
    const coop = await addCoop(conn, { number: '087-0123', name: 'École Jules Ferry', department: '87' });
    const exercise = await openExercise(conn, coop.id, 2025, { banque: 100_000, caisse: 0 });
    // The cahier holds the first debit of the statement as a cheque written a few days before.
    const debit = statement.lines.find((l) => l.amount < 0 && l.cheque)!;
    const principal = { userId: 0, login: 'test', role: 'admin' as const, coopId: null, departmentCode: null };
    await syncLines({ db: conn, principal, exercise, chart: DEFAULT_CHART }, [
      {
        id: '6f1c2a4e-0000-4000-8000-000000000001',
        line: {
          pj: '01',
          date: debit.date,
          libelle: 'Librairie – albums',
          mode: 'cheque',
          cheque: debit.cheque,
          kind: 'depense',
          account: 'banque',
          amount: -debit.amount,
          ventilation: [{ chapter: '6180', amount: -debit.amount }],
        },
      },
    ]);
    await conn.close();
    file = join(dir, 'releve-octobre.txt');
    await writeFile(file, toCfonb120(statement, '\r\n'));
  });

  test('--dry-run --json prints the documented shape and stores nothing; then the import stores', async () => {
    const args = ['statement', 'import', file, '--coop', '087-0123', '--exercise', '2025', '--db', db];
    const dry = await run(...args, '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const json = JSON.parse(dry.out);
    expect(Object.keys(json)).toEqual([
      'file',
      'format',
      'period',
      'openingBalance',
      'closingBalance',
      'lines',
      'proposals',
      'unmatched',
    ]);
    expect(json).toMatchObject({
      file: 'releve-octobre.txt',
      format: 'cfonb120',
      lines: { read: statement.lines.length, new: statement.lines.length, alreadyImported: 0 },
    });
    expect(json.proposals).toHaveLength(1);
    expect(Object.keys(json.proposals[0])).toEqual(['statementLine', 'lines', 'score', 'certain', 'reasons']);
    expect(json.proposals[0]).toMatchObject({ lines: [{ id: '6f1c2a4e-0000-4000-8000-000000000001', pj: '01' }] });
    expect(Object.keys(json.proposals[0].statementLine)).toEqual(['date', 'amount', 'label', 'cheque']);
    expect(json.unmatched).toHaveLength(statement.lines.length - 1);
    for (const u of json.unmatched) expect(Object.keys(u)).toEqual(['date', 'amount', 'label', 'suggestion']);

    const stored = await run(...args);
    expect(stored.code).toBe(0);
    expect(stored.out).toMatch(
      new RegExp(
        `^Relevé releve-octobre\\.txt \\(cfonb120\\) du \\d\\d/\\d\\d/\\d{4} au \\d\\d/\\d\\d/\\d{4} : ${statement.lines.length} ligne\\(s\\) lue\\(s\\), ${statement.lines.length} nouvelle\\(s\\), 0 déjà importée\\(s\\)\\.`,
      ),
    );
    const again = JSON.parse((await run(...args, '--json')).out);
    expect(again.lines).toEqual({ read: statement.lines.length, new: 0, alreadyImported: statement.lines.length });
  });

  test('a file that is not a statement: French error, exit 1', async () => {
    const bad = join(dir, 'notes.txt');
    await writeFile(bad, 'Liste des courses : crayons, colle\n');
    const r = await run('statement', 'import', bad, '--coop', '087-0123', '--exercise', '2025', '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Erreur : Fichier « notes\.txt » : /);
    expect(r.err).toMatch(/CFONB/);
  });
});
