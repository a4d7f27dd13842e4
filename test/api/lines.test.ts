/** What a treasurer's add-in sees when it writes lines: validation, drafts, versions, history. */
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

describe.each(DATABASES)('les lignes ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  const A = WORLD.coops.A;
  const path = (id = '') => `/api/coops/${A}/exercises/2025/lines${id ? `/${id}` : ''}`;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
  });
  afterAll(() => service.stop());

  test('a valid line is created, validated, with its warnings and an ETag', async () => {
    const id = uuid();
    const r = await mA.put(A, id, expense('001', 12_000, { ventilation: [{ chapter: '6800', amount: 12_000 }] }));
    expect(r.status).toBe(201);
    expect(r.headers.get('etag')).toBe('"1"');
    expect(r.body).toMatchObject({ id, pj: '001', amount: 12_000, version: 1, status: 'validated', pointed: false });
    expect(r.body.problems).toEqual([
      {
        code: 'rappel_inventaire',
        severity: 'warning',
        field: 'ventilation',
        message: 'Bien durable (6800) : inscrivez-le au cahier d’inventaire.',
        chapter: '6800',
      },
    ]);
    const got = await mA.request('GET', path(id));
    expect(got.body).toEqual(r.body);
  });

  test('a line with errors is kept as a draft with its problems, and listed', async () => {
    const id = uuid();
    const line = expense('002', 5_000, { ventilation: [{ chapter: '6180', amount: 4_550 }], date: '2026-09-02' });
    const r = await mA.put(A, id, line);
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('draft');
    expect(r.body.problems.map((p: { code: string }) => p.code)).toEqual([
      'date_hors_exercice',
      'ventilation_desequilibree',
    ]);
    expect(r.body.problems[1].message).toBe(
      'La ventilation (45,50\u00a0€) ne correspond pas au montant (50,00\u00a0€) : il manque 4,50\u00a0€.',
    );
    const list = await mA.request('GET', path());
    const listed = list.body.lines.find((l: { id: string }) => l.id === id);
    expect(listed).toMatchObject({ status: 'draft', libelle: line.libelle, amount: 5_000 });
    // Fixed, it becomes validated.
    const fixed = await mA.put(
      A,
      id,
      { ...line, date: '2026-08-31', ventilation: [{ chapter: '6180', amount: 5_000 }] },
      1,
    );
    expect(fixed.body).toMatchObject({ status: 'validated', version: 2, problems: [] });
  });

  test('a PJ already used makes the second line a draft', async () => {
    await mA.put(A, uuid(), expense('010'));
    const second = await mA.put(A, uuid(), expense('010'));
    expect(second.body.status).toBe('draft');
    expect(second.body.problems[0]).toMatchObject({
      code: 'pj_deja_utilise',
      field: 'pj',
      message: 'La pièce N° 010 est déjà utilisée dans cet exercice.',
    });
  });

  test('a retry of the same PUT is harmless; other content without If-Match is refused (428)', async () => {
    const id = uuid();
    const line = expense('020');
    expect((await mA.put(A, id, line)).status).toBe(201);
    const retry = await mA.put(A, id, line);
    expect(retry.status).toBe(200);
    expect(retry.body.version).toBe(1);
    const other = await mA.put(A, id, { ...line, amount: 1, ventilation: [{ chapter: '6180', amount: 1 }] });
    expect(other.status).toBe(428);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({
      status: 428,
      code: 'version_requise',
      detail: 'Cette ligne existe déjà : indiquez sa version (en-tête If-Match) pour la remplacer.',
    });
  });

  test('replacing needs the current version; a stale one gets 412 with the current line', async () => {
    const id = uuid();
    await mA.put(A, id, expense('030'));
    const v2 = await mA.put(A, id, expense('030', 1_000), 1);
    expect(v2.status).toBe(200);
    expect(v2.headers.get('etag')).toBe('"2"');
    const stale = await mA.put(A, id, expense('030', 2_000), 1);
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('version_perimee');
    expect(stale.body.current).toMatchObject({ id, version: 2, amount: 1_000 });
    // A retry of the v1 → v2 change is recognised, not a conflict.
    expect((await mA.put(A, id, expense('030', 1_000), 1)).status).toBe(200);
    // If-Match on a line that does not exist.
    const ghost = await mA.put(A, uuid(), expense('031'), 3);
    expect(ghost.status).toBe(412);
    expect(ghost.body.current).toBeNull();
    expect((await mA.put(A, id, expense('030'), 'abc' as never)).status).toBe(400);
  });

  test('delete leaves a tombstone that sync sees; delete needs If-Match', async () => {
    const before = await mA.request('GET', path());
    const cursor = before.body.cursor;
    const id = uuid();
    await mA.put(A, id, expense('040'));
    expect((await mA.request('DELETE', path(id))).status).toBe(428);
    const del = await mA.request('DELETE', path(id), undefined, { 'If-Match': '"1"' });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ id, version: 2, deleted: true });
    // Deleting again is harmless.
    expect((await mA.request('DELETE', path(id), undefined, { 'If-Match': '"1"' })).status).toBe(200);
    const live = await mA.request('GET', path());
    expect(live.body.lines.some((l: { id: string }) => l.id === id)).toBe(false);
    expect(live.body.tombstones).toEqual([]);
    const changes = await mA.request('GET', `${path()}?since=${cursor}`);
    expect(changes.body.tombstones).toEqual([{ id, version: 2, deleted: true, updatedAt: expect.any(String) }]);
    expect(Number(changes.body.cursor)).toBeGreaterThan(Number(cursor));
    const none = await mA.request('GET', `${path()}?since=${changes.body.cursor}`);
    expect(none.body).toEqual({ cursor: changes.body.cursor, lines: [], tombstones: [] });
    // Its PJ is free again.
    expect((await mA.put(A, uuid(), expense('040'))).body.status).toBe('validated');
  });

  test('duplicate copies a line under the next free PJ, once per copy id', async () => {
    const id = uuid();
    await mA.put(A, id, expense('098', 777, { action: 'Bibliothèque' }));
    const list = await mA.request('GET', path());
    const highest = Math.max(...list.body.lines.map((l: { pj: string }) => Number(l.pj)));
    const copyId = uuid();
    const copy = await mA.request('POST', `${path(id)}/duplicate`, { id: copyId });
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({
      id: copyId,
      pj: String(highest + 1).padStart(3, '0'),
      amount: 777,
      action: 'Bibliothèque',
      status: 'validated',
      version: 1,
    });
    const again = await mA.request('POST', `${path(id)}/duplicate`, { id: copyId });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(copyId);
    const withoutId = await mA.request('POST', `${path(id)}/duplicate`);
    expect(withoutId.status).toBe(201);
    expect(withoutId.body.pj).toBe(String(highest + 2).padStart(3, '0'));
  });

  test('history: who, when, before, after, for every change', async () => {
    const id = uuid();
    await mA.put(A, id, expense('050', 1_000));
    await mA.put(A, id, expense('050', 1_500), 1);
    await mA.request('DELETE', path(id), undefined, { 'If-Match': '2' });
    const t87 = await loggedIn(service, WORLD.logins.t87);
    await t87.put(A, id, expense('050', 1_600), 3);
    const h = await mA.request('GET', `${path(id)}/history`);
    expect(h.status).toBe(200);
    expect(
      h.body.map((e: { action: string; version: number; login: string }) => [e.action, e.version, e.login]),
    ).toEqual([
      ['create', 1, WORLD.logins.mA],
      ['replace', 2, WORLD.logins.mA],
      ['delete', 3, WORLD.logins.mA],
      ['restore', 4, WORLD.logins.t87],
    ]);
    expect(h.body[0].before).toBeNull();
    expect(h.body[1].before).toMatchObject({ amount: 1_000, version: 1 });
    expect(h.body[1].after).toMatchObject({ amount: 1_500, version: 2 });
    expect(h.body[2].after).toMatchObject({ deleted: true });
    expect(new Date(h.body[3].at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  test('a closed exercise refuses every change (409) but can be read', async () => {
    const closed = `/api/coops/${A}/exercises/2024/lines`;
    const line = expense('001', 100, { date: '2024-10-01' });
    const r = await mA.put(A, uuid(), line, undefined, 2024);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({
      code: 'exercice_clos',
      detail: 'L’exercice 2024-2025 est clôturé : il ne peut plus être modifié.',
    });
    expect(
      (await mA.request('POST', closed.replace('/lines', '/sync'), { lines: [{ id: uuid(), line }] })).status,
    ).toBe(409);
    expect((await mA.request('DELETE', `${closed}/${uuid()}`, undefined, { 'If-Match': '1' })).status).toBe(409);
    expect((await mA.request('POST', `${closed}/${uuid()}/duplicate`)).status).toBe(409);
    expect(
      (await mA.request('PUT', `/api/coops/${A}/exercises/2024`, { opening: { banque: 1, caisse: 0 } })).status,
    ).toBe(409);
    expect((await mA.request('GET', closed)).body.lines).toEqual([]);
  });

  test('bad input: French problem+json naming the field, nothing stored', async () => {
    const id = uuid();
    const r = await mA.put(A, id, { ...expense('060'), amount: 45.9, kind: 'don', extra: 1 });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'amount', message: 'montant : montant en centimes entiers (4590 pour 45,90 €)' },
        { field: 'kind', message: 'nature (kind) : recette, depense, depot, retrait, regie_versee, regie_remboursee' },
        { field: 'corps', message: 'corps : champ inconnu extra' },
      ]),
    );
    expect((await mA.request('GET', path(id))).status).toBe(404);
    const notJson = await mA.request('PUT', path(id), '{"pj":', {});
    expect(notJson.status).toBe(400);
    expect(notJson.body.detail).toMatch(/^Le corps de la requête n’est pas du JSON valide/);
    expect((await mA.request('PUT', path('pas-un-uuid'), expense('061'))).body.errors[0]).toEqual({
      field: 'id',
      message: 'identifiant attendu au format UUID',
    });
    const unknownYear = await mA.put(A, uuid(), expense('062'), undefined, 2019);
    expect(unknownYear).toMatchObject({
      status: 404,
      body: { detail: 'L’exercice 2019-2020 de la coopérative 087-0001 n’est pas ouvert.' },
    });
  });

  test('pointage: a validated bank line is pointed and un-pointed, with its history', async () => {
    const id = uuid();
    await mA.put(A, id, expense('080', 2_500));
    const point = (pointed: boolean, version?: number) =>
      mA.request(
        'POST',
        `${path(id)}/pointage`,
        { pointed },
        version === undefined ? {} : { 'If-Match': `"${version}"` },
      );
    expect((await point(true)).status).toBe(428);
    expect((await point(true, 7)).status).toBe(412);
    const pointed = await point(true, 1);
    expect(pointed.status).toBe(200);
    expect(pointed.body).toMatchObject({ pointed: true, version: 2 });
    expect((await point(true, 1)).status).toBe(200); // already pointed: harmless
    const un = await point(false, 2);
    expect(un.body).toMatchObject({ pointed: false, version: 3 });
    const h = await mA.request('GET', `${path(id)}/history`);
    expect(h.body.map((e: { action: string }) => e.action)).toEqual(['create', 'pointage', 'depointage']);
    // Only bank lines, and only validated ones.
    const caisse = uuid();
    await mA.put(A, caisse, expense('081', 500, { account: 'caisse', mode: 'especes', cheque: null }));
    expect(
      (await mA.request('POST', `${path(caisse)}/pointage`, { pointed: true }, { 'If-Match': '1' })).body.code,
    ).toBe('ligne_hors_banque');
    const draft = uuid();
    await mA.put(A, draft, expense('082', 500, { ventilation: [] }));
    expect(
      (await mA.request('POST', `${path(draft)}/pointage`, { pointed: true }, { 'If-Match': '1' })).body.code,
    ).toBe('ligne_brouillon');
  });

  test('a pointed line keeps its amount, date and account', async () => {
    const id = uuid();
    await mA.put(A, id, expense('070', 3_000));
    expect((await mA.request('POST', `${path(id)}/pointage`, { pointed: true }, { 'If-Match': '1' })).status).toBe(200);
    const r = await mA.put(A, id, expense('070', 3_100), 2);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('ligne_pointee');
    const libelle = await mA.put(A, id, { ...expense('070', 3_000), libelle: 'Librairie – corrigé' }, 2);
    expect(libelle.status).toBe(200);
    expect(libelle.body).toMatchObject({ pointed: true, libelle: 'Librairie – corrigé' });
  });

  test('the chapters of the user’s department', async () => {
    const r = await mA.request('GET', '/api/chapters');
    expect(r.body.map((c: { code: string }) => c.code)).toEqual([
      '6070',
      '6180',
      '6281',
      '6282',
      '6500',
      '6700',
      '6800',
      '7070',
      '7080',
      '7410',
      '7420',
      '7500',
      '7560',
      '7700',
    ]);
  });
});
