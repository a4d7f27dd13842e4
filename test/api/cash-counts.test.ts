/**
 * The arrêté de caisse through the service: count, compare with the cahier (validated lines),
 * replace under a version, delete, history; French errors naming the field; a closed year
 * refuses; another coop's user sees nothing.
 */
import type { LineInput } from '../../templates/definition';
import type { Principal } from '../../server/operations/access';
import { exerciseFor } from '../../server/operations/access';
import { caisseCheck } from '../../server/operations/side-books/cash-counts';
import {
  Client,
  DATABASES,
  WORLD,
  expense,
  loggedIn,
  seedWorld,
  startTestService,
  uuid,
  type TestService,
} from './harness';

const A = WORLD.coops.A;
const base = `/api/coops/${A}/exercises/2025/cash-counts`;
const admin: Principal = { userId: 0, login: 'controle', role: 'admin', coopId: null, departmentCode: null };

/** A cash receipt of the 2025 exercise. */
const cashReceipt = (pj: string, date: string, amount: number): LineInput => ({
  ...expense(pj, amount),
  date,
  libelle: `Familles – participation ${pj}`,
  kind: 'recette',
  account: 'caisse',
  mode: 'especes',
  cheque: null,
  ventilation: [{ chapter: '7560', amount }],
});

describe.each(DATABASES)('l’arrêté de caisse ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  let t87: Client;
  const ids = { receipt: uuid(), expense: uuid(), draft: uuid(), bank: uuid(), later: uuid() };

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
    t87 = await loggedIn(service, WORLD.logins.t87);
    // Report à nouveau of the caisse: 50,00 € (seedWorld).
    const lines: [string, LineInput][] = [
      [ids.receipt, cashReceipt('01', '2025-09-15', 3_000)],
      [
        ids.expense,
        {
          ...expense('02', 1_250),
          date: '2025-10-01',
          account: 'caisse',
          mode: 'especes',
          cheque: null,
        },
      ],
      // A régie given from the caisse without its holder: an error, kept as a draft.
      [
        ids.draft,
        {
          ...expense('03', 4_000),
          date: '2025-09-20',
          kind: 'regie_versee',
          account: 'caisse',
          mode: 'especes',
          cheque: null,
          ventilation: [],
        },
      ],
      [ids.bank, expense('04', 9_999)],
    ];
    for (const [id, line] of lines) {
      const r = await mA.put(A, id, line);
      expect(r.status).toBe(201);
    }
    expect((await mA.request('GET', `${mA.linesPath(A)}/${ids.draft}`)).body.status).toBe('draft');
  });
  afterAll(() => service.stop());

  test('a count equal to the cahier: Bravo (the draft is not counted)', async () => {
    const r = await mA.request('PUT', `${base}/2025-09-30`, { counts: { '5000': 1, '2000': 1, '500': 2 } });
    expect(r.status).toBe(201);
    expect(r.headers.get('etag')).toBe('"1"');
    expect(r.body).toEqual({
      date: '2025-09-30',
      counts: { '500': 2, '2000': 1, '5000': 1 },
      total: 8_000,
      balance: 8_000,
      gap: 0,
      ok: true,
      version: 1,
      updatedBy: WORLD.logins.mA,
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  test('the same count again changes nothing; another one needs no If-Match, a stale one is refused', async () => {
    const again = await mA.request('PUT', `${base}/2025-09-30`, { counts: { '5000': 1, '500': 2, '2000': 1, '1': 0 } });
    expect([again.status, again.body.version]).toEqual([200, 1]);

    const changed = await t87.request(
      'PUT',
      `${base}/2025-09-30`,
      { counts: { '5000': 1, '2000': 1, '200': 4 } },
      {
        'If-Match': '"1"',
      },
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ total: 7_800, balance: 8_000, gap: -200, ok: false, version: 2 });
    expect(changed.body.updatedBy).toBe(WORLD.logins.t87);

    const stale = await mA.request('PUT', `${base}/2025-09-30`, { counts: { '5000': 2 } }, { 'If-Match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(stale.body.code).toBe('version_perimee');
    expect(stale.body.detail).toBe(
      'L’arrêté de caisse du 30/09/2025 a été modifié entre-temps (version 2, vous aviez la version 1) : rechargez-le avant de le changer.',
    );
    expect(stale.body.current).toMatchObject({ date: '2025-09-30', total: 7_800, version: 2 });

    const absent = await mA.request('PUT', `${base}/2025-09-29`, { counts: { '5000': 2 } }, { 'If-Match': '"3"' });
    expect([absent.status, absent.body.code, absent.body.current]).toEqual([412, 'arrete_absent', null]);
  });

  test('the list, newest first, compares each count with the cahier as it stands now', async () => {
    const oct = await mA.request('PUT', `${base}/2025-10-31`, { counts: { '5000': 1, '1000': 1, '200': 1, '50': 1 } });
    // 50,00 + 30,00 − 12,50 = 67,50 € in the cahier; 62,50 € counted.
    expect(oct.body).toMatchObject({ total: 6_250, balance: 6_750, gap: -500, ok: false });

    // The 5 € missing: a cash expense forgotten, typed afterwards (10 € by mistake), dated before the count.
    const forgotten = (amount: number): LineInput => ({
      ...expense('05', amount),
      date: '2025-10-20',
      account: 'caisse',
      mode: 'especes',
      cheque: null,
    });
    expect((await mA.put(A, ids.later, forgotten(1_000))).status).toBe(201);
    const list = await mA.request('GET', base);
    expect(list.status).toBe(200);
    expect(
      list.body.map((c: { date: string; total: number; balance: number; gap: number; ok: boolean }) => [
        c.date,
        c.total,
        c.balance,
        c.gap,
        c.ok,
      ]),
    ).toEqual([
      ['2025-10-31', 6_250, 5_750, 500, false],
      ['2025-09-30', 7_800, 8_000, -200, false],
    ]);
    // Corrected to 5 €: the October count is right, without being counted again.
    expect((await mA.put(A, ids.later, forgotten(500), 1)).status).toBe(200);
    const one = await mA.request('GET', `${base}/2025-10-31`);
    expect(one.body).toMatchObject({ total: 6_250, balance: 6_250, gap: 0, ok: true, version: 1 });
    expect(one.headers.get('etag')).toBe('"1"');
  });

  test('French errors naming the field: notes and coins, numbers, the date', async () => {
    const bad = await mA.request('PUT', `${base}/2025-11-30`, {
      counts: { '3000': 1, '5000': -1, '50': 2.5, '200': 'trois' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('donnees_invalides');
    expect(bad.body.errors).toEqual([
      { field: 'counts.50', message: 'counts.50 : nombre entier de pièces attendu (pas 2,5)' },
      { field: 'counts.200', message: 'counts.200 : nombre de pièces attendu (un entier, 0 ou plus)' },
      { field: 'counts.3000', message: 'counts.3000 : 30,00\u00a0€ n’est pas un billet ni une pièce' },
      { field: 'counts.5000', message: 'counts.5000 : le nombre de billets ne peut pas être négatif (-1)' },
    ]);
    expect(bad.body.detail).toContain('counts.3000 : 30,00\u00a0€ n’est pas un billet ni une pièce');

    const outside = await mA.request('PUT', `${base}/2026-09-01`, { counts: { '5000': 1 } });
    expect(outside.status).toBe(422);
    expect(outside.body.errors).toEqual([
      {
        field: 'date',
        message: 'date : le 01/09/2026 n’est pas dans l’exercice 2025-2026 (du 01/09/2025 au 31/08/2026)',
      },
    ]);
    const unreal = await mA.request('PUT', `${base}/2026-02-30`, { counts: { '5000': 1 } });
    expect(unreal.body.errors).toEqual([
      { field: 'date', message: 'date : « 2026-02-30 » n’est pas une date réelle (AAAA-MM-JJ)' },
    ]);
    const malformed = await mA.request('PUT', `${base}/30-11-2025`, { counts: { '5000': 1 } });
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors).toEqual([{ field: 'date', message: 'date : AAAA-MM-JJ attendu (ex. 2026-08-31)' }]);

    const noCounts = await mA.request('PUT', `${base}/2025-11-30`, { count: { '5000': 1 } });
    expect(noCounts.status).toBe(422);
    expect(noCounts.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['corps', 'counts']);
    const notAnObject = await mA.request('PUT', `${base}/2025-11-30`, { counts: [1, 2] });
    expect(notAnObject.body.errors).toEqual([
      { field: 'counts', message: 'counts : objet attendu (valeur en centimes → nombre), ex. {"5000": 1, "200": 3}' },
    ]);
    expect(await service.db.models.CashCount.count({ where: { date: '2025-11-30' } })).toBe(0);
  });

  test('a closed exercise refuses counts (409), still reads them', async () => {
    const r = await mA.request('PUT', `/api/coops/${A}/exercises/2024/cash-counts/2025-06-30`, {
      counts: { '5000': 1 },
    });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('exercice_clos');
    expect(r.body.detail).toBe('L’exercice 2024-2025 est clôturé : il ne peut plus être modifié.');
    const d = await mA.request('DELETE', `/api/coops/${A}/exercises/2024/cash-counts/2025-06-30`);
    expect(d.status).toBe(409);
    expect((await mA.request('GET', `/api/coops/${A}/exercises/2024/cash-counts`)).body).toEqual([]);
  });

  test('delete: a stale version is refused, then the count goes; its history keeps who, before, after', async () => {
    const stale = await mA.request('DELETE', `${base}/2025-09-30`, undefined, { 'If-Match': '"1"' });
    expect([stale.status, stale.body.code, stale.body.current.version]).toEqual([412, 'version_perimee', 2]);
    const gone = await mA.request('DELETE', `${base}/2025-09-30`, undefined, { 'If-Match': '"2"' });
    expect(gone.status).toBe(204);
    expect((await mA.request('GET', `${base}/2025-09-30`)).status).toBe(404);
    const again = await mA.request('DELETE', `${base}/2025-09-30`);
    expect([again.status, again.body.detail]).toEqual([404, 'Aucun arrêté de caisse au 30/09/2025.']);

    const h = await mA.request('GET', `${base}/2025-09-30/history`);
    expect(h.status).toBe(200);
    expect(h.body.map((e: { action: string; login: string }) => [e.action, e.login])).toEqual([
      ['create', WORLD.logins.mA],
      ['update', WORLD.logins.t87],
      ['delete', WORLD.logins.mA],
    ]);
    expect(h.body[0].before).toBeNull();
    expect(h.body[0].after).toEqual({
      date: '2025-09-30',
      counts: { '500': 2, '2000': 1, '5000': 1 },
      total: 8_000,
      balance: 8_000,
      gap: 0,
      version: 1,
    });
    expect(h.body[1].before).toMatchObject({ total: 8_000, version: 1 });
    expect(h.body[1].after).toMatchObject({ counts: { '200': 4, '2000': 1, '5000': 1 }, total: 7_800, version: 2 });
    expect(h.body[2].before).toMatchObject({ total: 7_800, version: 2 });
    expect(h.body[2].after).toBeNull();

    const rows = await service.db.models.SideBookAudit.findAll({ where: { book: 'caisse' }, order: [['id', 'ASC']] });
    const coop = await service.db.models.Coop.findOne({ where: { number: A } });
    expect(rows.map((a) => [a.coopId, a.recordId, a.action, a.login])).toEqual([
      [coop!.id, '2025-09-30', 'create', WORLD.logins.mA],
      [coop!.id, '2025-09-30', 'update', WORLD.logins.t87],
      [coop!.id, '2025-10-31', 'create', WORLD.logins.mA],
      [coop!.id, '2025-09-30', 'delete', WORLD.logins.mA],
    ]);
    expect((await mA.request('GET', `${base}/2025-12-01/history`)).status).toBe(404);
  });

  test('what the closure will check: the caisse counted at the end, no caisse movement after the last count', async () => {
    const { exercise, chart } = await exerciseFor(service.db, admin, A, 2025);
    const scope = { db: service.db, principal: admin, exercise, chart };
    // The October count (62,50 €) equals the cahier, and nothing moved the caisse since.
    expect(await caisseCheck(scope)).toEqual([]);
    const id = uuid();
    expect((await mA.put(A, id, cashReceipt('06', '2026-01-10', 700))).status).toBe(201);
    const problems = await caisseCheck(scope);
    expect(problems.map((p) => [p.code, p.severity, p.lines])).toEqual([['caisse_non_comptee', 'error', [id]]]);
    expect(problems[0]!.message).toBe(
      'Le dernier arrêté de caisse (31/10/2025) est suivi de 1 mouvement de caisse : comptez à nouveau la caisse au 31/08/2026 et saisissez l’arrêté (solde de la caisse au cahier : 69,50\u00a0€).',
    );
    expect((await mA.request('DELETE', `${mA.linesPath(A)}/${id}`, undefined, { 'If-Match': '"1"' })).status).toBe(200);
  });

  test('another coop’s user gets 404 on every route of the caisse, the régies and the actions', async () => {
    const mB = await loggedIn(service, WORLD.logins.mB);
    const coopA = `/api/coops/${A}/exercises/2025`;
    for (const [method, path, body] of [
      ['GET', `${coopA}/cash-counts`],
      ['GET', `${coopA}/cash-counts/2025-10-31`],
      ['PUT', `${coopA}/cash-counts/2025-10-31`, { counts: { '5000': 1 } }],
      ['DELETE', `${coopA}/cash-counts/2025-10-31`],
      ['GET', `${coopA}/cash-counts/2025-10-31/history`],
      ['GET', `${coopA}/regies`],
      ['GET', `${coopA}/actions`],
    ] as [string, string, unknown?][]) {
      const r = await mB.request(method, path, body);
      expect([method, path, r.status, r.body.code]).toEqual([method, path, 404, 'introuvable']);
    }
    expect((await mA.request('GET', `${coopA}/cash-counts/2025-10-31`)).body.version).toBe(1);
  });
});
