/**
 * `cahier closure`: a department's server checks, closes and reopens a coop's exercise from the
 * command line — the same checks, archives and history as the API, French messages, exit codes
 * a script can use.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDb, type Db } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { addCoop, COMMAND_LINE_PRINCIPAL, openExercise } from '../../server/operations/accounts';
import { syncLines } from '../../server/operations/lines';
import { updateCoopAdmin } from '../../server/operations/side-books/coop-admin';
import { DEFAULT_CHART } from '../../templates/definition';

const BIN = join(__dirname, '../../bin/cahier.js');
const COOP = '087-0456';
/** Amounts are written with no-break spaces (1 234,56 €): compared as plain spaces. */
const spaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: spaces(r.stdout), err: spaces(r.stderr) }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: spaces(e.stdout),
      err: spaces(e.stderr),
    }),
  );

describe('cahier closure', () => {
  let dir: string;
  let url: string;
  const closure = (...args: string[]) => run('closure', '--coop', COOP, '--exercise', '2024', '--db', url, ...args);
  const withDb = async <T>(fn: (db: Db) => Promise<T>) => {
    const db = await openDb(url);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-closure-'));
    url = `sqlite:${join(dir, 'c.sqlite')}`;
    await withDb(async (db) => {
      await migrate(db);
      const coop = await addCoop(db, { number: COOP, name: 'École Louise Michel', department: '87' });
      const exercise = await openExercise(db, coop.id, 2024, { banque: 50_000, caisse: 0 }, { today: '2025-09-05' });
      const scope = { db, principal: COMMAND_LINE_PRINCIPAL, exercise, chart: DEFAULT_CHART };
      await syncLines(scope, [
        {
          id: '0b7c2a4e-0000-4000-8000-000000000001',
          line: {
            pj: '01',
            date: '2024-11-04',
            libelle: 'Librairie – albums',
            mode: 'virement',
            kind: 'depense',
            account: 'banque',
            amount: 12_345,
            ventilation: [{ chapter: '6180', amount: 12_345 }],
          },
        },
      ]);
      await db.models.Line.update({ pointed: true }, { where: { exerciseId: exercise.id } });
    });
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('names what blocks, exit 1; --close refuses and closes nothing', async () => {
    const r = await closure();
    expect(r.code).toBe(1);
    expect(r.out).toContain('L’exercice 2024-2025 ne peut pas encore être clôturé');
    expect(r.out).toContain('[releve_manquant] Aucun relevé bancaire de l’exercice');
    expect(r.out).toContain('Soldes : banque 376,55 €, caisse 0,00 €');
    const refused = await closure('--close');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('✗ [releve_manquant]');
    const json = JSON.parse((await closure('--json')).out);
    expect(json).toMatchObject({ canClose: false, figures: { balances: { banque: 37_655 } } });
    expect(json.problems.map((p: { code: string }) => p.code)).toEqual(['releve_manquant']);
    await withDb(async (db) => {
      expect((await db.models.Exercise.findAll()).map((e) => [e.year, e.status])).toEqual([[2024, 'open']]);
    });
  });

  test('closes a clean year: next exercise opened, archives with their hashes, audited', async () => {
    await withDb((db) =>
      updateCoopAdmin(db, COMMAND_LINE_PRINCIPAL, COOP, { lastStatement: { date: '2025-08-31', balance: 37_655 } }),
    );
    const check = await closure();
    expect(check.code).toBe(0);
    expect(check.out).toContain('L’exercice 2024-2025 peut être clôturé');
    const r = await closure('--close', '--json');
    expect(r.code).toBe(0);
    const done = JSON.parse(r.out);
    expect(done).toMatchObject({
      exercise: { year: 2024, status: 'closed' },
      closing: 1,
      next: { year: 2025, opening: { banque: 37_655, caisse: 0 } },
    });
    expect(done.archives.map((a: { format: string }) => a.format).sort()).toEqual([
      'json',
      'json',
      'pdf',
      'pdf',
      'xlsx',
    ]);
    await withDb(async (db) => {
      for (const a of done.archives) {
        const row = await db.models.Archive.findByPk(a.id);
        expect(createHash('sha256').update(row!.bytes).digest('hex')).toBe(a.sha256);
      }
    });
    // Closed: the check says so; closing again is refused in French.
    expect((await closure()).out).toContain('L’exercice 2024-2025 de 087-0456 est clôturé.');
    const again = await closure('--close');
    expect(again.code).toBe(1);
    expect(again.err).toContain('est clôturé');
  });

  test('reopens with a reason only; the reason is in the history; closing again adds documents', async () => {
    const blank = await closure('--reopen', ' ');
    expect(blank.code).toBe(2);
    expect(blank.err).toContain('--reopen attend la raison');
    expect((await closure('--close', '--reopen', 'x')).code).toBe(2);
    const r = await closure('--reopen', 'Facture de juin oubliée');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Exercice 2024-2025 de 087-0456 rouvert : Facture de juin oubliée');
    await withDb(async (db) => {
      const audit = await db.models.ExerciseAudit.findAll({ order: [['id', 'ASC']] });
      expect(audit.at(-1)).toMatchObject({ action: 'reopen', reason: 'Facture de juin oubliée' });
    });
    const text = await closure('--close');
    expect(text.code).toBe(0);
    expect(text.out).toContain('Exercice 2024-2025 de 087-0456 clôturé (clôture n° 2).');
    expect(text.out).toContain('report à nouveau banque 376,55 €, caisse 0,00 €');
    expect(text.out).toMatch(/sha256 [0-9a-f]{64}/);
  });
});
