/** The cahier d'inventaire as a treasurer uses it: goods from 6800 lines, kept from one year to the next. */
import { openExercise, setExerciseStatus } from '../../server/operations/accounts';
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

const durable = (pj: string, amount: number, date = '2025-10-14') =>
  expense(pj, amount, {
    date,
    libelle: `Boulanger – facture ${pj} – vidéoprojecteur`,
    ventilation: [{ chapter: '6800', amount }],
  });

const projector = {
  designation: 'Vidéoprojecteur Epson',
  acquiredOn: '2025-10-14',
  value: 45_000,
  lines: [] as string[],
  location: 'Salle 2',
  disposedOn: null,
  disposalReason: null,
};

describe.each(DATABASES)('le cahier d’inventaire ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  let mB: Client;
  let mC: Client;
  const { A, B, C } = WORLD.coops;
  const inventory = (coop: string = A) => `/api/coops/${coop}/inventory`;
  const check = (coop: string = A, year = 2025) => `/api/coops/${coop}/exercises/${year}/inventory`;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
    mB = await loggedIn(service, WORLD.logins.mB);
    mC = await loggedIn(service, WORLD.logins.mC);
  });
  afterAll(() => service.stop());

  const put = async (client: Client, coop: string, line: ReturnType<typeof expense>, year = 2025) => {
    const id = uuid();
    const r = await client.put(coop, id, line, undefined, year);
    expect(r.status).toBe(201);
    return id;
  };

  test('a 6800 line with no item is reported, then cleared by creating the item from it', async () => {
    const line = await put(mA, A, durable('301', 45_000));
    const before = await mA.request('GET', check());
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      items: [],
      unlisted: [
        {
          id: line,
          pj: '301',
          date: '2025-10-14',
          libelle: 'Boulanger – facture 301 – vidéoprojecteur',
          kind: 'depense',
          amount: 45_000,
        },
      ],
      totals: { purchases: 45_000, listed: 0 },
      problems: [
        {
          code: 'inventaire_manquant',
          severity: 'error',
          message:
            'La dépense de biens durables PJ 301 (450,00\u00a0€ en 6800) n’est inscrite à aucun bien du cahier d’inventaire : créez le bien à partir de cette ligne (ou rattachez-la au bien qu’elle concerne).',
          lines: [line],
        },
      ],
    });

    const created = await mA.request('POST', inventory(), { ...projector, lines: [line] });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const id = created.body.id as number;
    expect(created.headers.get('location')).toBe(`${inventory()}/${id}`);
    expect(created.body).toEqual({
      id,
      version: 1,
      designation: 'Vidéoprojecteur Epson',
      acquiredOn: '2025-10-14',
      value: 45_000,
      location: 'Salle 2',
      disposedOn: null,
      disposalReason: null,
      lines: [
        {
          id: line,
          pj: '301',
          date: '2025-10-14',
          libelle: 'Boulanger – facture 301 – vidéoprojecteur',
          kind: 'depense',
          amount: 45_000,
          exercise: 2025,
        },
      ],
    });
    const after = await mA.request('GET', check());
    expect(after.body).toEqual({
      items: [created.body],
      unlisted: [],
      totals: { purchases: 45_000, listed: 45_000 },
      problems: [],
    });
    expect((await mA.request('GET', `${inventory()}/${id}`)).body).toEqual(created.body);
    const all = await mA.request('GET', inventory());
    expect(all.body).toEqual({ items: [created.body], totals: { held: 45_000, disposed: 0 } });

    const rows = await service.db.models.SideBookAudit.findAll({ where: { book: 'inventaire', recordId: String(id) } });
    expect(rows.map((r) => [r.action, r.login, r.before])).toEqual([['create', WORLD.logins.mA, null]]);
    expect(JSON.parse(rows[0]!.after!)).toMatchObject({ id, version: 1, value: 45_000, lines: [line] });
  });

  test('French errors name the field, lines[i] included', async () => {
    const books = await put(mA, A, expense('302', 3_000));
    const theirs = await put(mB, B, durable('01', 9_000));
    const ghost = uuid();
    const bad = await mA.request('POST', inventory(), {
      ...projector,
      designation: '',
      value: 0,
      disposalReason: 'Volé',
      lines: [books, ghost, theirs],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('donnees_invalides');
    expect(bad.body.errors).toEqual([
      { field: 'designation', message: 'designation : indiquez le bien (ex. « Vidéoprojecteur Epson, salle 2 »)' },
      { field: 'value', message: 'value : la valeur d’un bien est positive (en centimes)' },
      {
        field: 'disposedOn',
        message: 'disposedOn : indiquez la date de sortie du bien (un motif de sortie est donné)',
      },
      {
        field: 'lines[0]',
        message:
          'lines[0] : la ligne PJ 302 de l’exercice 2025-2026 n’a pas de part en 6800 (Biens durables) : seules ces dépenses vont au cahier d’inventaire',
      },
      { field: 'lines[1]', message: `lines[1] : aucune ligne de la coopérative n’a l’identifiant ${ghost}` },
      // Another coop's line is as unknown as one that does not exist.
      { field: 'lines[2]', message: `lines[2] : aucune ligne de la coopérative n’a l’identifiant ${theirs}` },
    ]);
    const typed = await mA.request('POST', inventory(), { ...projector, value: '450', lines: ['abc'] });
    expect(typed.status).toBe(422);
    expect(typed.body.errors.map((e: { field: string }) => e.field)).toEqual(['value', 'lines[0]']);
    const disposal = await mA.request('POST', inventory(), { ...projector, disposedOn: '2026-01-05' });
    expect(disposal.body.errors).toEqual([
      {
        field: 'disposalReason',
        message: 'disposalReason : indiquez pourquoi le bien sort de l’inventaire (hors d’usage, volé, donné, vendu…)',
      },
    ]);
  });

  test('replace and delete need the current version: 428 without, 412 stale with the current item', async () => {
    const created = await mA.request('POST', inventory(), { ...projector, designation: 'Ordinateur portable' });
    const path = `${inventory()}/${created.body.id}`;
    const noVersion = await mA.request('PUT', path, { ...projector, location: 'Bureau' });
    expect(noVersion.status).toBe(428);
    expect(noVersion.body).toMatchObject({ code: 'version_requise', current: { version: 1, location: 'Salle 2' } });
    const moved = await mA.request(
      'PUT',
      path,
      { ...projector, designation: 'Ordinateur portable', location: 'Bureau' },
      {
        'If-Match': '"1"',
      },
    );
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe('"2"');
    const stale = await mA.request('PUT', path, { ...projector, value: 1 }, { 'If-Match': '1' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({
      code: 'version_perimee',
      detail:
        'Le bien a été modifié entre-temps (version 2, vous aviez la version 1) : rechargez-le avant de le changer.',
      current: { version: 2, location: 'Bureau' },
    });
    // Disposed of: out of the value held.
    const disposed = await mA.request(
      'PUT',
      path,
      {
        ...projector,
        designation: 'Ordinateur portable',
        location: 'Bureau',
        disposedOn: '2026-05-04',
        disposalReason: 'Hors d’usage',
      },
      { 'If-Match': '2' },
    );
    expect(disposed.body).toMatchObject({ version: 3, disposedOn: '2026-05-04', disposalReason: 'Hors d’usage' });
    const history = await mA.request('GET', `${path}/history`);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['create', 'update', 'update']);
    expect(history.body[1]).toMatchObject({
      before: { location: 'Salle 2' },
      after: { location: 'Bureau', version: 2 },
    });

    expect((await mA.request('DELETE', path)).status).toBe(428);
    expect((await mA.request('DELETE', path, undefined, { 'If-Match': '2' })).status).toBe(412);
    expect((await mA.request('DELETE', path, undefined, { 'If-Match': '3' })).status).toBe(204);
    expect((await mA.request('GET', path)).status).toBe(404);
    const gone = await mA.request('GET', `${path}/history`);
    expect(gone.body.map((h: { action: string }) => h.action)).toEqual(['create', 'update', 'update', 'delete']);
    expect(gone.body[3]).toMatchObject({ before: { version: 3 }, after: null });
  });

  test('an item bought in 2024 is still held in 2025; once 2024 is closed, what it says of 2024 is frozen', async () => {
    const coop = await service.db.models.Coop.findOne({ where: { number: C } });
    const y2024 = await openExercise(service.db, coop!.id, 2024, { banque: 50_000, caisse: 0 });
    const line = await put(mC, C, durable('12', 30_000, '2024-11-03'), 2024);
    const created = await mC.request('POST', inventory(C), {
      ...projector,
      designation: 'Appareil photo',
      acquiredOn: '2024-11-03',
      value: 30_000,
      lines: [line],
    });
    expect(created.status).toBe(201);
    const item = created.body;
    expect(item.lines).toEqual([expect.objectContaining({ id: line, exercise: 2024, amount: 30_000 })]);

    // Seen from 2025: held, not a purchase of the year.
    const seen = await mC.request('GET', check(C));
    expect(seen.body).toEqual({ items: [item], unlisted: [], totals: { purchases: 0, listed: 0 }, problems: [] });
    expect((await mC.request('GET', check(C, 2024))).body).toMatchObject({
      items: [item],
      totals: { purchases: 30_000, listed: 30_000 },
      problems: [],
    });

    await setExerciseStatus(service.db, y2024.id, 'closed');
    try {
      const path = `${inventory(C)}/${item.id}`;
      const body = {
        ...projector,
        designation: 'Appareil photo',
        acquiredOn: '2024-11-03',
        value: 30_000,
        lines: [line],
      };
      const revalued = await mC.request('PUT', path, { ...body, value: 25_000 }, { 'If-Match': '1' });
      expect(revalued.status).toBe(409);
      expect(revalued.body).toMatchObject({
        code: 'exercice_clos',
        detail:
          'L’exercice 2024-2025 est clôturé : ce que l’inventaire en dit (biens acquis, sortis ou payés pendant cet exercice) ne peut plus changer ; l’emplacement d’un bien reste modifiable.',
      });
      expect((await mC.request('DELETE', path, undefined, { 'If-Match': '1' })).status).toBe(409);
      // Its location changes, and it leaves the coop in 2025 (open).
      const moved = await mC.request('PUT', path, { ...body, location: 'BCD' }, { 'If-Match': '1' });
      expect(moved.status).toBe(200);
      const stolen = await mC.request(
        'PUT',
        path,
        { ...body, location: 'BCD', disposedOn: '2026-02-10', disposalReason: 'Volé' },
        { 'If-Match': '2' },
      );
      expect(stolen.status).toBe(200);
      expect((await mC.request('GET', check(C))).body.items).toEqual([stolen.body]);
      // A good acquired during a closed exercise cannot be entered any more.
      const late = await mA.request('POST', inventory(A), { ...projector, acquiredOn: '2025-03-01' });
      expect(late.status).toBe(409);
      expect((await mA.request('GET', inventory(A))).status).toBe(200);
    } finally {
      await setExerciseStatus(service.db, y2024.id, 'open');
    }
  });

  test('another coop’s user gets 404, as if the inventory did not exist', async () => {
    const id = (await mA.request('POST', inventory(), { ...projector, designation: 'Tablette' })).body.id as number;
    for (const [method, path, body, headers] of [
      ['GET', inventory(), undefined, {}],
      ['POST', inventory(), projector, {}],
      ['GET', `${inventory()}/${id}`, undefined, {}],
      ['PUT', `${inventory()}/${id}`, projector, { 'If-Match': '1' }],
      ['DELETE', `${inventory()}/${id}`, undefined, { 'If-Match': '1' }],
      ['GET', `${inventory()}/${id}/history`, undefined, {}],
      ['GET', check(), undefined, {}],
    ] as const) {
      const r = await mB.request(method, path, body, headers);
      expect([method, path, r.status]).toEqual([method, path, 404]);
    }
    // Coop A's item asked under coop B's inventory is unknown there too.
    expect((await mB.request('GET', `${inventory(B)}/${id}`)).status).toBe(404);
    expect((await mA.request('GET', `${inventory()}/${id}`)).body.version).toBe(1);
  });

  test('a draft 6800 line is no purchase and is not reported until validated; an item may already name it', async () => {
    const before = (await mA.request('GET', check())).body;
    // Ventilated short of its amount: kept as a draft.
    const draft = { ...durable('501', 35_000), ventilation: [{ chapter: '6800', amount: 30_000 }] };
    const loose = uuid();
    expect((await mA.put(A, loose, draft)).body.status).toBe('draft');
    const named = uuid();
    expect((await mA.put(A, named, { ...draft, pj: '502' })).body.status).toBe('draft');
    const item = await mA.request('POST', inventory(), { ...projector, designation: 'Tableau blanc', lines: [named] });
    expect(item.status).toBe(201);
    expect(item.body.lines.map((l: { pj: string }) => l.pj)).toEqual(['502']);

    const during = (await mA.request('GET', check())).body;
    const ids = (c: { unlisted: { id: string }[] }) => c.unlisted.map((l) => l.id);
    expect(ids(during)).toEqual(ids(before));
    expect(during.totals.purchases).toBe(before.totals.purchases);
    expect(during.problems.flatMap((p: { lines: string[] }) => p.lines)).not.toContain(loose);

    // Validated, both are purchases of the exercise; the one with no item is reported.
    expect((await mA.put(A, loose, { ...draft, amount: 30_000 }, 1)).body.status).toBe('validated');
    expect((await mA.put(A, named, { ...draft, pj: '502', amount: 30_000 }, 1)).body.status).toBe('validated');
    const after = (await mA.request('GET', check())).body;
    expect(ids(after)).toEqual([...ids(before), loose]);
    expect(after.totals.purchases).toBe(before.totals.purchases + 60_000);
    expect(after.problems.find((p: { code: string }) => p.code === 'inventaire_manquant')?.lines).toContain(loose);
  });
});
