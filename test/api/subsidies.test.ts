/** The tableau des subventions as a treasurer uses it: subsidies, receipts and uses attached, justification. */
import type { LineInput, VentilationPart } from '../../templates/definition';
import { setExerciseStatus } from '../../server/operations/accounts';
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

/** A bank receipt ventilated on these parts. */
function receipt(pj: string, parts: VentilationPart[], extra: Partial<LineInput> = {}): LineInput {
  return {
    pj,
    date: '2025-10-20',
    libelle: `Mairie de Limoges – versement ${pj}`,
    mode: 'virement',
    cheque: null,
    action: null,
    kind: 'recette',
    account: 'banque',
    amount: parts.reduce((s, p) => s + p.amount, 0),
    ventilation: parts,
    ...extra,
  };
}

const classeDecouverte = {
  financeur: 'Mairie de Limoges',
  objet: 'Classe découverte CM2',
  chapter: '7410',
  granted: 120_000,
  decisionDate: '2025-10-02',
  actions: ['Classe découverte'],
  state: 'a_justifier',
  justifiedOn: null,
  note: null,
};

describe.each(DATABASES)('le tableau des subventions ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  let mB: Client;
  const A = WORLD.coops.A;
  const B = WORLD.coops.B;
  const base = (coop: string = A, year = 2025) => `/api/coops/${coop}/exercises/${year}/subsidies`;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
    mB = await loggedIn(service, WORLD.logins.mB);
  });
  afterAll(() => service.stop());

  const put = async (client: Client, coop: string, line: LineInput) => {
    const id = uuid();
    const r = await client.put(coop, id, line);
    expect(r.status).toBe(201);
    return id;
  };

  test('a subsidy receipt attached, used, justified: the figures to the cent, and the closure’s problems', async () => {
    const empty = await mA.request('GET', base());
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      subsidies: [],
      unattached: [],
      totals: { granted: 0, received: 0, spent: 0 },
      problems: [],
    });

    // The commune's transfer: 800 € of subsidy and 20 € of families' participation on one line.
    const transfer = await put(
      mA,
      A,
      receipt('101', [
        { chapter: '7410', amount: 80_000 },
        { chapter: '7560', amount: 2_000 },
      ]),
    );
    const reported = await mA.request('GET', base());
    expect(reported.body.unattached).toEqual([
      {
        id: transfer,
        pj: '101',
        date: '2025-10-20',
        libelle: 'Mairie de Limoges – versement 101',
        kind: 'recette',
        amount: 80_000,
      },
    ]);
    expect(reported.body.problems).toEqual([
      {
        code: 'subvention_non_rattachee',
        severity: 'error',
        message:
          'La recette de subvention PJ 101 (800,00\u00a0€) n’est rattachée à aucune subvention : rattachez-la à sa subvention dans le tableau des subventions (ou créez celle-ci).',
        lines: [transfer],
      },
    ]);

    const created = await mA.request('POST', base(), classeDecouverte);
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const id = created.body.id as number;
    expect(created.headers.get('location')).toBe(`${base()}/${id}`);
    expect(created.body).toEqual({
      id,
      version: 1,
      ...classeDecouverte,
      receipts: [],
      received: 0,
      uses: [],
      spent: 0,
    });

    const attached = await mA.request('POST', `${base()}/${id}/lines`, { line: transfer, role: 'receipt' });
    expect(attached.status).toBe(201);
    expect(attached.body).toMatchObject({ received: 80_000, receipts: [{ id: transfer, pj: '101', amount: 80_000 }] });
    // Attaching it again changes nothing.
    const again = await mA.request('POST', `${base()}/${id}/lines`, { line: transfer, role: 'receipt' });
    expect(again.status).toBe(200);
    expect(again.body.received).toBe(80_000);

    // The bus, attached as a use; the entry tickets, tagged with the subsidy's action.
    const bus = await put(mA, A, expense('102', 45_000, { date: '2026-04-02' }));
    await put(mA, A, expense('103', 12_550, { date: '2026-04-03', action: 'Classe découverte' }));
    await put(mA, A, expense('104', 9_900, { date: '2026-04-04', action: 'Kermesse' }));
    const used = await mA.request('POST', `${base()}/${id}/lines`, { line: bus, role: 'use' });
    expect(used.status).toBe(201);
    expect(used.body).toMatchObject({ spent: 57_550, uses: [{ id: bus, pj: '102', amount: 45_000 }] });

    const book = await mA.request('GET', base());
    expect(book.body.unattached).toEqual([]);
    expect(book.body.totals).toEqual({ granted: 120_000, received: 80_000, spent: 57_550 });
    expect(book.body.problems).toEqual([
      {
        code: 'subvention_a_justifier',
        severity: 'error',
        message:
          'La subvention « Mairie de Limoges – Classe découverte CM2 » a reçu 800,00\u00a0€ et n’est pas justifiée : une fois son emploi justifié auprès du financeur, passez-la à « justifiée » avec la date.',
        lines: [transfer],
      },
    ]);

    const justified = await mA.request(
      'PUT',
      `${base()}/${id}`,
      { ...classeDecouverte, state: 'justifiee', justifiedOn: '2026-06-30' },
      { 'If-Match': '"1"' },
    );
    expect(justified.status).toBe(200);
    expect(justified.headers.get('etag')).toBe('"2"');
    expect(justified.body).toMatchObject({
      version: 2,
      state: 'justifiee',
      justifiedOn: '2026-06-30',
      received: 80_000,
    });
    expect((await mA.request('GET', base())).body.problems).toEqual([]);

    // History: who, what, before and after.
    const history = await mA.request('GET', `${base()}/${id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['create', 'attach', 'attach', 'update']);
    expect(history.body[0]).toMatchObject({ login: WORLD.logins.mA, before: null, after: { id, version: 1 } });
    expect(history.body[1].after).toEqual({ line: transfer, pj: '101', role: 'receipt' });
    expect(history.body[3].before).toMatchObject({ state: 'a_justifier', version: 1 });
    expect(history.body[3].after).toMatchObject({ state: 'justifiee', justifiedOn: '2026-06-30', version: 2 });
    const rows = await service.db.models.SideBookAudit.findAll({ where: { book: 'subvention', recordId: String(id) } });
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.login === WORLD.logins.mA && r.exerciseId !== null)).toBe(true);
  });

  test('French errors name the field', async () => {
    const bad = await mA.request('POST', base(), {
      ...classeDecouverte,
      financeur: ' ',
      chapter: '6180',
      granted: -5,
      state: 'justifiee',
    });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.body.code).toBe('donnees_invalides');
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'financeur',
      'chapter',
      'granted',
      'justifiedOn',
    ]);
    expect(bad.body.errors[1].message).toBe(
      'chapter : « 6180 » n’est pas un chapitre de subvention ; choisissez 7410 (Subventions des collectivités) ou 7420 (Subventions des associations)',
    );
    const { granted: _g, ...missing } = classeDecouverte;
    const absent = await mA.request('POST', base(), { ...missing, montant: 3 });
    expect(absent.status).toBe(422);
    expect(absent.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'granted', message: 'granted : champ obligatoire' },
        { field: 'corps', message: 'corps : champ inconnu montant' },
      ]),
    );
    const cents = await mA.request('POST', base(), { ...classeDecouverte, granted: 1200.5 });
    expect(cents.body.errors).toEqual([
      { field: 'granted', message: 'granted : montant en centimes entiers (120000 pour 1 200,00 €)' },
    ]);
  });

  test('attaching: a receipt belongs to one subsidy at most, a use is an expense, the line is of this exercise', async () => {
    const first = (await mA.request('POST', base(), { ...classeDecouverte, objet: 'Piscine' })).body.id as number;
    const second = (
      await mA.request('POST', base(), { ...classeDecouverte, financeur: 'APE', chapter: '7420', objet: 'Livres' })
    ).body.id as number;
    const gift = await put(mA, A, receipt('201', [{ chapter: '7420', amount: 30_000 }]));
    expect((await mA.request('POST', `${base()}/${first}/lines`, { line: gift, role: 'receipt' })).status).toBe(201);

    const twice = await mA.request('POST', `${base()}/${second}/lines`, { line: gift, role: 'receipt' });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({
      code: 'recette_deja_rattachee',
      subsidy: first,
      detail: `line : la recette PJ 201 est déjà rattachée à la subvention n° ${first} « Mairie de Limoges – Piscine » : détachez-la d’abord.`,
    });
    expect(twice.body.errors[0].field).toBe('line');

    const books = await put(mA, A, expense('202', 7_000));
    const notReceipt = await mA.request('POST', `${base()}/${second}/lines`, { line: books, role: 'receipt' });
    expect(notReceipt.status).toBe(422);
    expect(notReceipt.body.errors).toEqual([
      {
        field: 'line',
        message:
          'line : la ligne PJ 202 n’a pas de part en 7410 (Subventions des collectivités) ou 7420 (Subventions des associations) : ce n’est pas une recette de subvention.',
      },
    ]);
    const notUse = await mA.request('POST', `${base()}/${second}/lines`, { line: gift, role: 'use' });
    expect(notUse.status).toBe(422);
    expect(notUse.body.errors[0]).toEqual({
      field: 'line',
      message: 'line : la ligne PJ 201 n’est pas une dépense : seules les dépenses sont l’emploi d’une subvention.',
    });
    const ghost = uuid();
    const unknown = await mA.request('POST', `${base()}/${second}/lines`, { line: ghost, role: 'use' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([
      { field: 'line', message: `line : aucune ligne de l’exercice 2025-2026 n’a l’identifiant ${ghost}.` },
    ]);
    const badId = await mA.request('POST', `${base()}/${second}/lines`, { line: 'abc', role: 'usage' });
    expect(badId.status).toBe(422);
    expect(badId.body.errors.map((e: { field: string }) => e.field)).toEqual(['line', 'role']);
    // Another coop's line is as unknown as one that does not exist.
    const theirs = await put(mB, B, expense('01', 1_000));
    expect((await mA.request('POST', `${base()}/${second}/lines`, { line: theirs, role: 'use' })).status).toBe(404);
    // A deleted line.
    const deleted = await put(mA, A, expense('203', 2_000));
    expect(
      (await mA.request('DELETE', `/api/coops/${A}/exercises/2025/lines/${deleted}`, undefined, { 'If-Match': '1' }))
        .status,
    ).toBe(200);
    const gone = await mA.request('POST', `${base()}/${second}/lines`, { line: deleted, role: 'use' });
    expect(gone.status).toBe(422);
    expect(gone.body.errors[0].message).toBe('line : cette ligne (PJ 203) a été supprimée.');

    // Detached, the receipt is reported again; it may then go to the other subsidy.
    const detached = await mA.request('DELETE', `${base()}/${first}/lines/${gift}`);
    expect(detached.status).toBe(200);
    expect(detached.body).toMatchObject({ receipts: [], received: 0 });
    const listed = await mA.request('GET', base());
    expect(listed.body.unattached.map((l: { id: string }) => l.id)).toContain(gift);
    expect((await mA.request('DELETE', `${base()}/${first}/lines/${gift}`)).status).toBe(404);
    expect((await mA.request('POST', `${base()}/${second}/lines`, { line: gift, role: 'receipt' })).status).toBe(201);
    const history = await mA.request('GET', `${base()}/${first}/history`);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['create', 'attach', 'detach']);
    expect(history.body[2].before).toEqual({ line: gift, pj: '201', role: 'receipt' });
  });

  test('replace and delete need the current version: 428 without, 412 stale with the current subsidy', async () => {
    const created = await mA.request('POST', base(), { ...classeDecouverte, objet: 'Spectacle' });
    const path = `${base()}/${created.body.id}`;
    const noVersion = await mA.request('PUT', path, { ...classeDecouverte, objet: 'Spectacle de Noël' });
    expect(noVersion.status).toBe(428);
    expect(noVersion.body).toMatchObject({ code: 'version_requise', current: { version: 1, objet: 'Spectacle' } });
    const v2 = await mA.request('PUT', path, { ...classeDecouverte, objet: 'Spectacle de Noël' }, { 'If-Match': '1' });
    expect(v2.body.version).toBe(2);
    // The same record again changes nothing.
    const same = await mA.request(
      'PUT',
      path,
      { ...classeDecouverte, objet: 'Spectacle de Noël' },
      { 'If-Match': '2' },
    );
    expect(same.body.version).toBe(2);
    const stale = await mA.request('PUT', path, { ...classeDecouverte, granted: 1 }, { 'If-Match': '1' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({
      code: 'version_perimee',
      detail:
        'La subvention a été modifiée entre-temps (version 2, vous aviez la version 1) : rechargez-la avant de la changer.',
      current: { version: 2, objet: 'Spectacle de Noël', granted: 120_000 },
    });
    expect((await mA.request('DELETE', path)).status).toBe(428);
    expect((await mA.request('DELETE', path, undefined, { 'If-Match': '1' })).status).toBe(412);
    const deleted = await mA.request('DELETE', path, undefined, { 'If-Match': '2' });
    expect(deleted.status).toBe(204);
    expect((await mA.request('GET', path)).status).toBe(404);
    const history = await mA.request('GET', `${path}/history`);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['create', 'update', 'delete']);
    expect(history.body[2]).toMatchObject({ before: { objet: 'Spectacle de Noël', lines: [] }, after: null });
    expect((await mA.request('GET', `${base()}/999999`)).status).toBe(404);
  });

  test('a closed exercise refuses every write (409), and still shows its subsidies', async () => {
    const closed = await mA.request('POST', base(A, 2024), classeDecouverte);
    expect(closed.status).toBe(409);
    expect(closed.body).toMatchObject({
      code: 'exercice_clos',
      detail: 'L’exercice 2024-2025 est clôturé : il ne peut plus être modifié.',
    });
    expect((await mA.request('GET', base(A, 2024))).status).toBe(200);

    // Coop B closes its year after entering a subsidy (its PJ 01 is taken: 02, a validated receipt).
    const line = await put(mB, B, receipt('02', [{ chapter: '7410', amount: 5_000 }]));
    const s = (await mB.request('POST', base(B), classeDecouverte)).body.id as number;
    expect((await mB.request('POST', `${base(B)}/${s}/lines`, { line, role: 'receipt' })).status).toBe(201);
    const coop = await service.db.models.Coop.findOne({ where: { number: B } });
    const exercise = await service.db.models.Exercise.findOne({ where: { coopId: coop!.id, year: 2025 } });
    await setExerciseStatus(service.db, exercise!.id, 'closed');
    try {
      const writes = [
        await mB.request('POST', base(B), classeDecouverte),
        await mB.request('PUT', `${base(B)}/${s}`, classeDecouverte, { 'If-Match': '1' }),
        await mB.request('DELETE', `${base(B)}/${s}`, undefined, { 'If-Match': '1' }),
        await mB.request('POST', `${base(B)}/${s}/lines`, { line, role: 'receipt' }),
        await mB.request('DELETE', `${base(B)}/${s}/lines/${line}`),
      ];
      expect(writes.map((w) => [w.status, w.body.code])).toEqual(writes.map(() => [409, 'exercice_clos']));
      const read = await mB.request('GET', base(B));
      expect(read.body.totals).toEqual({ granted: 120_000, received: 5_000, spent: 0 });
    } finally {
      await setExerciseStatus(service.db, exercise!.id, 'open');
    }
  });

  test('another coop’s user gets 404, as if the subsidies did not exist', async () => {
    const id = (await mA.request('POST', base(), { ...classeDecouverte, objet: 'Cinéma' })).body.id as number;
    for (const [method, path, body] of [
      ['GET', base(), undefined],
      ['POST', base(), classeDecouverte],
      ['GET', `${base()}/${id}`, undefined],
      ['GET', `${base()}/${id}/history`, undefined],
      ['POST', `${base()}/${id}/lines`, { line: uuid(), role: 'use' }],
    ] as const) {
      const r = await mB.request(method, path, body);
      expect([method, path, r.status]).toEqual([method, path, 404]);
    }
    // A subsidy of coop A asked under coop B's exercise is unknown there too.
    expect((await mB.request('GET', `${base(B)}/${id}`)).status).toBe(404);
  });

  test('a draft receipt may be attached but counts once validated; a loose draft is not reported until then', async () => {
    // Transfers whose ventilation does not make their amount: kept as drafts.
    const attached = uuid();
    const draft = receipt('401', [{ chapter: '7410', amount: 40_000 }], { amount: 45_000 });
    expect((await mA.put(A, attached, draft)).body.status).toBe('draft');
    const loose = uuid();
    const looseLine = receipt('402', [{ chapter: '7420', amount: 10_000 }], { amount: 12_000 });
    expect((await mA.put(A, loose, looseLine)).body.status).toBe('draft');

    const id = (await mA.request('POST', base(), { ...classeDecouverte, objet: 'Bibliothèque' })).body.id as number;
    const attach = await mA.request('POST', `${base()}/${id}/lines`, { line: attached, role: 'receipt' });
    expect(attach.status).toBe(201);
    expect(attach.body).toMatchObject({ received: 0, receipts: [] });
    const book = await mA.request('GET', base());
    const named = (l: { id: string }) => l.id === attached || l.id === loose;
    expect(book.body.unattached.filter(named)).toEqual([]);
    expect(book.body.problems.filter((p: { lines: string[] }) => p.lines.some((l) => named({ id: l })))).toEqual([]);

    // Validated, both count: the attached one is received, the loose one is reported.
    expect((await mA.put(A, attached, { ...draft, amount: 40_000 }, 1)).body.status).toBe('validated');
    expect((await mA.put(A, loose, { ...looseLine, amount: 10_000 }, 1)).body.status).toBe('validated');
    const after = await mA.request('GET', `${base()}/${id}`);
    expect(after.body).toMatchObject({ received: 40_000, receipts: [{ id: attached, pj: '401', amount: 40_000 }] });
    const reported = await mA.request('GET', base());
    expect(reported.body.unattached.map((l: { id: string }) => l.id)).toContain(loose);
    expect(reported.body.unattached.map((l: { id: string }) => l.id)).not.toContain(attached);
  });
});
