/**
 * Closing an exercise through the API: refused while something blocks, then a small clean year
 * closed; it is read-only, the next exercise opens with the closing balances and lists last
 * year's outstanding cheque (pointed there); a trésorier reopens it with a reason, and closing
 * again adds documents and updates the report à nouveau. The archives' hashes match their bytes.
 */
import { createHash } from 'node:crypto';
import type { LineInput } from '../../templates/definition';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import { toOfx2 } from '../fixtures/statement-files';
import { Client, DATABASES, expense, startTestService, uuid, type TestService } from './harness';
import type { ArchiveJson } from '../../server/operations/archives';

const COOP = '087-0777';
const PASSWORD = 'mot-de-passe-0777';
const base = `/api/coops/${COOP}/exercises/2025`;
const next = `/api/coops/${COOP}/exercises/2026`;

const receipt = (pj: string, amount: number): LineInput => ({
  ...expense(pj, amount),
  date: '2025-10-10',
  libelle: `Familles – participation ${pj}`,
  kind: 'recette',
  mode: 'virement',
  cheque: null,
  ventilation: [{ chapter: '7560', amount }],
});

/** An archived document as GET …/archives lists it. */
type ArchiveEntry = ArchiveJson;

describe.each(DATABASES)('closing an exercise on $name', (kind) => {
  let service: TestService;
  let mandataire: Client;
  let tresorier: Client;
  const today = new Date(2026, 8, 2, 12); // 2 September 2026
  const ids = { paid: uuid(), outstanding: uuid(), received: uuid(), late: uuid() };

  const point = async (api: Client, id: string) => {
    const line = await api.request<{ version: number }>('GET', `${base}/lines/${id}`);
    const r = await api.request(
      'POST',
      `${base}/lines/${id}/pointage`,
      { pointed: true },
      {
        'If-Match': `"${line.body.version}"`,
      },
    );
    expect(r.status).toBe(200);
  };
  const enterStatement = async (balance: number) => {
    const r = await mandataire.request('PATCH', `/api/coops/${COOP}`, {
      lastStatement: { date: '2026-08-31', balance },
    });
    expect(r.status).toBe(200);
  };
  const archives = async () => {
    const r = await mandataire.request<ArchiveEntry[]>('GET', `${base}/archives`);
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    service = await startTestService(kind, { now: () => today });
    const coop = await addCoop(service.db, { number: COOP, name: 'École Paul Bert', department: '87' });
    await addUser(service.db, { login: 'mandataire.0777', password: PASSWORD, coop: COOP });
    await addUser(service.db, { login: 'tresorier.0777', password: PASSWORD, department: '87' });
    await openExercise(service.db, coop.id, 2025, { banque: 100_000, caisse: 0 }, { today: '2026-09-02' });
    mandataire = await new Client(service.url).login('mandataire.0777', PASSWORD);
    tresorier = await new Client(service.url).login('tresorier.0777', PASSWORD);
    const put = async (id: string, line: LineInput) => expect((await mandataire.put(COOP, id, line)).status).toBe(201);
    await put(ids.paid, expense('001', 4_590));
    await put(ids.received, receipt('002', 3_000));
    await put(ids.outstanding, expense('003', 1_200, { date: '2026-08-20' }));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('refuses the closure while something blocks: 409 cloture_impossible with the problems', async () => {
    const r = await mandataire.request('POST', `${base}/closure`);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('cloture_impossible');
    expect(r.body.problems.map((p: { code: string }) => p.code)).toContain('releve_manquant');
    expect((await mandataire.request('GET', base)).body.status).toBe('open');
    expect(await archives()).toEqual([]);
  });

  it('closes a clean year: read-only, next exercise opened with the closing balances, documents archived', async () => {
    await point(mandataire, ids.paid);
    await point(mandataire, ids.received);
    // The bank showed the paid cheque and the receipt, not the cheque of 20 August.
    await enterStatement(100_000 - 4_590 + 3_000);
    const check = await mandataire.request('GET', `${base}/closure`);
    expect(check.body.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);

    const r = await mandataire.request('POST', `${base}/closure`);
    expect(r.status).toBe(200);
    expect(r.body.exercise.status).toBe('closed');
    expect(r.body.closing).toBe(1);
    expect(r.body.figures.balances).toMatchObject({ banque: 97_210, caisse: 0 });
    expect(r.body.next).toMatchObject({ year: 2026, status: 'open', opening: { banque: 97_210, caisse: 0 } });

    // Read-only: every write 409 exercice_clos.
    const write = await mandataire.put(COOP, uuid(), expense('004', 100));
    expect([write.status, write.body.code]).toEqual([409, 'exercice_clos']);
    expect((await mandataire.request('POST', `${base}/closure`)).status).toBe(409);

    const history = await mandataire.request('GET', `${base}/history`);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['open', 'close']);
    const nextHistory = await mandataire.request('GET', `${next}/history`);
    expect(nextHistory.body).toEqual([
      expect.objectContaining({
        action: 'open',
        reason: expect.stringContaining('2025-2026'),
        login: 'mandataire.0777',
      }),
    ]);

    const list = await archives();
    expect(list.map((a) => `${a.kind}.${a.format}`)).toEqual(
      expect.arrayContaining(['cloture.json', 'crf.json', 'crf.xlsx', 'crf.pdf', 'cahier.pdf']),
    );
    expect(list.every((a) => a.closing === 1 && a.createdBy === 'mandataire.0777')).toBe(true);
    for (const a of list) {
      const res = await fetch(`${service.url}${base}/archives/${a.id}`, {
        headers: { authorization: `Bearer ${mandataire.token}` },
      });
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      const hash = createHash('sha256').update(bytes).digest('hex');
      expect([a.name, hash, bytes.length]).toEqual([a.name, a.sha256, a.size]);
      expect(res.headers.get('x-content-sha256')).toBe(hash);
    }
    const frozen = list.find((a) => a.kind === 'cloture')!;
    const figures = await mandataire.request('GET', `${base}/archives/${frozen.id}`);
    expect(figures.body.figures.balances.banque).toBe(97_210);
    const crf = await mandataire.request(
      'GET',
      `${base}/archives/${list.find((a) => a.name.endsWith('.json') && a.kind === 'crf')!.id}`,
    );
    expect(crf.body.provisional).toBe(false);
    expect((await mandataire.request('GET', `${base}/archives/999999`)).status).toBe(404);
  }, 60_000);

  it('lists last year’s outstanding cheque in the new exercise and points it there', async () => {
    const r = await mandataire.request('GET', `${next}/outstanding`);
    expect(r.status).toBe(200);
    expect(r.body.from).toBe('2025-2026');
    expect(r.body.items).toEqual([
      expect.objectContaining({ id: ids.outstanding, pj: '003', direction: 'depense', amount: 1_200, cleared: null }),
    ]);
    // Never re-entered as a line of the new year.
    expect((await mandataire.request('GET', `${next}/lines`)).body.lines).toEqual([]);

    const pointed = await mandataire.request('POST', `${next}/outstanding/${ids.outstanding}/pointage`, {
      pointed: true,
    });
    expect(pointed.status).toBe(200);
    expect(pointed.body.cleared).toEqual({ on: '2026-09-02', by: 'mandataire.0777' });
    const after = await mandataire.request('GET', `${next}/outstanding`);
    expect(after.body.total.nonPointees).toEqual({ depenses: 0, recettes: 0 });
    // A line that was pointed at the closing is no outstanding item; the closed year is untouched.
    expect(
      (await mandataire.request('POST', `${next}/outstanding/${ids.paid}/pointage`, { pointed: true })).status,
    ).toBe(404);
    expect((await mandataire.request('GET', `${base}/lines/${ids.outstanding}`)).body.pointed).toBe(false);
    // The first year has no closed year before it.
    expect((await mandataire.request('GET', `${base}/outstanding`)).body).toMatchObject({ from: null, items: [] });
  });

  it('counts last year’s uncleared cheque in the new état de rapprochement; the September statement clears it', async () => {
    // Unpointed again by hand: outstanding until a statement line clears it.
    const unpointed = await mandataire.request('POST', `${next}/outstanding/${ids.outstanding}/pointage`, {
      pointed: false,
    });
    expect(unpointed.body.cleared).toBeNull();
    const rec = async (date: string) => (await mandataire.request('GET', `${next}/reconciliation?date=${date}`)).body;
    const before = await rec('2026-09-05');
    expect(before.cahierBalance).toBe(97_210);
    expect(before.outstanding.payments).toMatchObject({
      total: 1_200,
      lines: [expect.objectContaining({ id: ids.outstanding, pj: '003', amount: 1_200, carriedOver: true })],
    });
    expect(before.expectedStatementBalance).toBe(98_410);

    // The cheque of 20 August cashed on 10 September.
    const statement = toOfx2({
      format: 'ofx',
      account: '00012340777',
      period: { from: '2026-09-01', to: '2026-09-30' },
      openingBalance: null,
      closingBalance: 97_210,
      lines: [{ date: '2026-09-10', amount: -1_200, label: 'CHEQUE 45003', cheque: '45003', bankRef: null }],
    });
    const imported = await mandataire.request('POST', `${next}/statements?name=septembre.ofx`, statement, {
      'content-type': 'application/octet-stream',
    });
    expect(imported.status).toBe(201);
    expect(imported.body.proposals).toEqual([
      expect.objectContaining({
        lines: [expect.objectContaining({ id: ids.outstanding, pj: '003', carriedOver: true })],
      }),
    ]);
    expect((await rec('2026-09-30')).gap).toBe(-1_200);
    const id = imported.body.statement.id as number;
    const accepted = await mandataire.request('POST', `${next}/statements/${id}/accept`, { certain: true });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ pointed: [], carriedOver: [{ id: ids.outstanding, pj: '003' }] });

    const after = await mandataire.request('GET', `${next}/outstanding`);
    expect(after.body.items[0].cleared).toEqual({ on: '2026-09-10', by: 'mandataire.0777' });
    const rec30 = await rec('2026-09-30');
    expect(rec30.outstanding.payments).toEqual({ lines: [], total: 0 });
    expect(rec30.gap).toBe(0);
    // Before the cashing it was still outstanding.
    expect((await rec('2026-09-05')).outstanding.payments.total).toBe(1_200);
    // The statement line shows what it cleared and is not proposed again.
    const detail = (await mandataire.request('GET', `${next}/statements/${id}`)).body;
    expect(detail.lines[0].cleared).toEqual([{ id: ids.outstanding, pj: '003' }]);
    expect(detail.proposals).toEqual([]);
    expect(detail.unmatched).toEqual([]);
    // The closed year is untouched.
    expect((await mandataire.request('GET', `${base}/lines/${ids.outstanding}`)).body.pointed).toBe(false);
  }, 60_000);

  it('reopens for a trésorier with a reason only; closing again adds documents and updates the report à nouveau', async () => {
    const refused = await mandataire.request('POST', `${base}/closure/reopen`, { reason: 'Oubli' });
    expect([refused.status, refused.body.code]).toEqual([403, 'reservee_au_tresorier']);
    const noReason = await tresorier.request('POST', `${base}/closure/reopen`, {});
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0].field).toBe('reason');
    const before = await archives();

    const reopened = await tresorier.request('POST', `${base}/closure/reopen`, {
      reason: 'Facture du 28 août oubliée',
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('open');
    const history = await mandataire.request('GET', `${base}/history`);
    expect(history.body.at(-1)).toMatchObject({
      action: 'reopen',
      login: 'tresorier.0777',
      reason: 'Facture du 28 août oubliée',
    });
    expect(await archives()).toEqual(before);

    // The forgotten invoice, paid by card and on the statement.
    await mandataire.put(COOP, ids.late, expense('004', 500, { date: '2026-08-28', mode: 'carte', cheque: null }));
    await point(mandataire, ids.late);
    await enterStatement(100_000 - 4_590 + 3_000 - 500);
    const closed = await tresorier.request('POST', `${base}/closure`);
    expect(closed.status).toBe(200);
    expect(closed.body.closing).toBe(2);
    expect(closed.body.next.opening).toEqual({ banque: 96_710, caisse: 0 });
    const nextHistory = await mandataire.request('GET', `${next}/history`);
    expect(nextHistory.body.at(-1)).toMatchObject({
      action: 'opening',
      login: 'tresorier.0777',
      reason: expect.stringContaining('2025-2026'),
      after: { opening: { banque: 96_710 } },
    });
    const list = await archives();
    expect(list.slice(0, before.length)).toEqual(before);
    expect(list.length).toBe(before.length * 2);
    expect(list.slice(before.length).every((a) => a.closing === 2 && a.createdBy === 'tresorier.0777')).toBe(true);

    // The coop's archives: its closed exercises with their documents.
    const all = await mandataire.request('GET', `/api/coops/${COOP}/archives`);
    expect(all.status).toBe(200);
    expect(all.body).toEqual([{ year: 2025, exercise: '2025-2026', status: 'closed', documents: list }]);
    expect((await mandataire.request('GET', `/api/coops/087-0999/archives`)).status).toBeGreaterThanOrEqual(403);
  }, 60_000);
});
