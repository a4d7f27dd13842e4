/**
 * The closure checks through the API: a generated year stored line by line is refused with the
 * expected codes, then each problem is fixed as a treasurer would, until the closure is possible.
 */
import { balances, touchesBank, type LineInput } from '../../templates/definition';
import { generateYear } from '../../server/demo/year';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import { Client, DATABASES, startTestService, uuid, type TestService } from './harness';

const EXERCISE = 2025;
const COOP = '087-0888';
const LOGIN = 'mandataire.0888';
const PASSWORD = 'mot-de-passe-0888';

interface ClosureBody {
  canClose: boolean;
  date: string;
  problems: { code: string; severity: 'error' | 'warning'; message: string; lines: string[] }[];
  figures: { reconciliationGap: number | null; counts: { drafts: number; errors: number } };
}

describe.each(DATABASES)('closure checks of a generated year on $name', (kind) => {
  const year = generateYear({ exercise: EXERCISE, seed: 7 });
  let service: TestService;
  let api: Client;
  let today = new Date(2026, 5, 15, 12); // 15 June 2026
  const base = `/api/coops/${COOP}/exercises/${EXERCISE}`;
  const ids = new Map<string, string>();
  const idOf = (pj: string) => ids.get(pj)!;
  const draftId = uuid();

  const closure = async (query = '') => {
    const r = await api.request<ClosureBody>('GET', `${base}/closure${query}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const errors = (c: ClosureBody) => c.problems.filter((p) => p.severity === 'error').map((p) => p.code);

  /** Points these lines through the API (If-Match with the current version). */
  const point = async (pjs: string[]) => {
    const stored = await api.request<{ lines: { id: string; version: number }[] }>('GET', `${base}/lines`);
    const versions = new Map(stored.body.lines.map((l) => [l.id, l.version]));
    for (const pj of pjs) {
      const r = await api.request(
        'POST',
        `${base}/lines/${idOf(pj)}/pointage`,
        { pointed: true },
        {
          'If-Match': `"${versions.get(idOf(pj))}"`,
        },
      );
      expect(r.status).toBe(200);
    }
  };
  const enterStatement = async (balance: number) => {
    const r = await api.request('PATCH', `/api/coops/${COOP}`, { lastStatement: { date: '2026-08-31', balance } });
    expect(r.status).toBe(200);
  };
  /** What the statement of 31 August shows when these lines (and only these) went through the bank. */
  const bankBalance = (pointed: readonly LineInput[]) =>
    balances(pointed, { banque: year.opening.banque, caisse: 0 }).banque;

  beforeAll(async () => {
    service = await startTestService(kind, { now: () => today });
    const coop = await addCoop(service.db, { number: COOP, name: 'École Jean Macé', department: '87' });
    await addUser(service.db, { login: LOGIN, password: PASSWORD, coop: COOP });
    await openExercise(service.db, coop.id, EXERCISE, year.opening);
    api = await new Client(service.url).login(LOGIN, PASSWORD);
    const entries = year.lines.map(({ pointed: _p, ...line }) => ({ id: uuid(), line }));
    for (const e of entries) ids.set(e.line.pj, e.id);
    // A line left without its libellé: a draft.
    const draft = { ...year.lines[0]!, pointed: undefined, pj: '999', libelle: '' };
    entries.push({ id: draftId, line: draft });
    for (let i = 0; i < entries.length; i += 100) {
      const r = await api.request('POST', `${base}/sync`, { lines: entries.slice(i, i + 100) });
      expect(r.status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('refuses the closure with the expected codes, errors first, French messages', async () => {
    const c = await closure('?pending=3');
    expect(c.canClose).toBe(false);
    expect(c.date).toBe('2026-06-15');
    expect(errors(c)).toEqual([
      'date_trop_tot',
      'lignes_brouillon',
      'file_attente',
      'releve_manquant',
      'pointage_ancien',
      'caisse_non_comptee',
      'subvention_non_rattachee',
      'inventaire_manquant',
    ]);
    expect(c.problems.find((p) => p.code === 'lignes_brouillon')!.lines).toEqual([draftId]);
    expect(c.problems.find((p) => p.code === 'date_trop_tot')!.message).toContain('31/08/2026');
    const firstWarning = c.problems.findIndex((p) => p.severity === 'warning');
    if (firstWarning >= 0) expect(c.problems.slice(firstWarning).every((p) => p.severity === 'warning')).toBe(true);
  });

  it('refuses a malformed queue length', async () => {
    const r = await api.request('GET', `${base}/closure?pending=beaucoup`);
    expect(r.status).toBe(422);
  });

  it('is fixed one problem at a time until it can close', async () => {
    today = new Date(2026, 8, 2, 12); // 2 September 2026
    let c = await closure();
    expect(errors(c)).not.toContain('date_trop_tot');
    expect(errors(c)).not.toContain('file_attente');

    // The draft goes.
    expect((await api.request('DELETE', `${base}/lines/${draftId}`, undefined, { 'If-Match': '"1"' })).status).toBe(
      200,
    );
    c = await closure();
    expect(errors(c)).not.toContain('lignes_brouillon');

    // The statement of 31 August entered, the lines it shows pointed: the état de rapprochement agrees.
    const seen = year.lines.filter((l) => l.pointed);
    await enterStatement(year.releve.solde);
    c = await closure();
    expect(errors(c)).toContain('rapprochement_ecart');
    await point(seen.map((l) => l.pj));
    c = await closure();
    expect(c.figures.reconciliationGap).toBe(0);
    expect(errors(c)).toEqual([
      'pointage_ancien',
      'caisse_non_comptee',
      'subvention_non_rattachee',
      'inventaire_manquant',
    ]);

    // The old items the bank did show after all: pointed, and the statement says so.
    const old = c.problems.find((p) => p.code === 'pointage_ancien')!.lines;
    const oldPjs = year.lines.filter((l) => old.includes(idOf(l.pj))).map((l) => l.pj);
    expect(oldPjs.length).toBe(old.length);
    await point(oldPjs);
    await enterStatement(bankBalance(year.lines.filter((l) => l.pointed || oldPjs.includes(l.pj))));
    c = await closure();
    expect(errors(c)).toEqual(['caisse_non_comptee', 'subvention_non_rattachee', 'inventaire_manquant']);

    // The arrêtés de caisse.
    for (const count of year.cashCounts) {
      expect((await api.request('PUT', `${base}/cash-counts/${count.date}`, { counts: count.counts })).status).toBe(
        201,
      );
    }
    c = await closure();
    expect(errors(c)).toEqual(['subvention_non_rattachee', 'inventaire_manquant']);

    // The subsidies with their receipts.
    for (const { receipts, uses, received: _r, spent: _s, ...input } of year.subsidies) {
      const created = await api.request('POST', `${base}/subsidies`, input);
      expect(created.status).toBe(201);
      for (const l of receipts) {
        const body = { line: idOf(l.pj), role: 'receipt' };
        expect((await api.request('POST', `${base}/subsidies/${created.body.id}/lines`, body)).status).toBe(201);
      }
      for (const l of uses) {
        const body = { line: idOf(l.pj), role: 'use' };
        expect((await api.request('POST', `${base}/subsidies/${created.body.id}/lines`, body)).status).toBe(201);
      }
    }
    c = await closure();
    expect(errors(c)).toEqual(['subvention_a_justifier', 'inventaire_manquant']);

    // Their use justified to the financeurs.
    const book = await api.request<{ subsidies: ({ id: number; version: number } & Record<string, unknown>)[] }>(
      'GET',
      `${base}/subsidies`,
    );
    for (const { id, version, receipts: _r, uses: _u, received: _x, spent: _y, ...input } of book.body.subsidies) {
      const body = { ...input, state: 'justifiee', justifiedOn: '2026-08-31' };
      const r = await api.request('PUT', `${base}/subsidies/${id}`, body, { 'If-Match': `"${version}"` });
      expect(r.status).toBe(200);
    }
    c = await closure();
    expect(errors(c)).toEqual(['inventaire_manquant']);

    // The inventory.
    for (const item of year.inventory) {
      const lines = item.lines.filter((l) => ids.has(l.pj)).map((l) => idOf(l.pj));
      expect((await api.request('POST', `/api/coops/${COOP}/inventory`, { ...item, lines })).status).toBe(201);
    }
    c = await closure();
    expect(errors(c)).toEqual([]);
    expect(c.canClose).toBe(true);
    expect(c.figures.counts).toMatchObject({ drafts: 0, errors: 0 });
    // Only warnings may remain.
    expect(c.problems.every((p) => p.severity === 'warning')).toBe(true);
    expect(year.lines.filter((l) => touchesBank(l)).length).toBeGreaterThan(0);
  }, 120_000);
});
