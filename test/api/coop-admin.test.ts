/**
 * The coop's administrative data: who changes what (the department's trésorier and the admins
 * everything, a mandataire what the department allows), the checks (IBAN by its key, BIC,
 * e-mail, phone, last statement), nothing stored half-way, the audit trail, isolation.
 */
import { COOP_ADMIN_FIELDS, DEFAULT_MANDATAIRE_FIELDS } from '../../templates/definition';
import { DATABASES, WORLD, loggedIn, seedWorld, startTestService, type Client, type TestService } from './harness';

const { A, B, C } = WORLD.coops;
const IBAN = 'FR7630006000011234567890189';
const IBAN_TYPED = 'fr76 3000 6000 0112 3456 7890 189';
const OTHER_IBAN = 'DE89370400440532013000';

const coopPath = (coop: string) => `/api/coops/${coop}`;
const settingsPath = (dep: string) => `/api/departments/${dep}/settings`;

describe.each(DATABASES)('les données administratives de la coopérative ($name)', (kind) => {
  let service: TestService;
  let mA: Client, mB: Client, mC: Client, t87: Client, t23: Client, admin: Client;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    const l = WORLD.logins;
    [mA, mB, mC, t87, t23, admin] = await Promise.all([
      loggedIn(service, l.mA),
      loggedIn(service, l.mB),
      loggedIn(service, l.mC),
      loggedIn(service, l.t87),
      loggedIn(service, l.t23),
      loggedIn(service, l.admin),
    ]);
  });
  afterAll(() => service.stop());

  const coopAudits = (book: 'coop' | 'departement' = 'coop') =>
    service.db.models.SideBookAudit.count({ where: { book } });
  const stored = async (coop: string) => (await service.db.models.Coop.findOne({ where: { number: coop } }))!.get();

  test('every user of the coop reads its data, with the fields each may change', async () => {
    const fresh = {
      number: A,
      name: 'École A',
      school: null,
      department: '87',
      address: null,
      mandataire: null,
      cosignatory: null,
      bank: null,
      lastStatement: null,
      pointageThreshold: null,
    };
    expect((await mA.request('GET', coopPath(A))).body).toEqual({ ...fresh, editable: [...DEFAULT_MANDATAIRE_FIELDS] });
    expect((await t87.request('GET', coopPath(A))).body).toEqual({ ...fresh, editable: [...COOP_ADMIN_FIELDS] });
    expect((await admin.request('GET', coopPath(A))).body).toEqual({ ...fresh, editable: [...COOP_ADMIN_FIELDS] });
    expect(DEFAULT_MANDATAIRE_FIELDS).not.toContain('bank');
    // The list stays short.
    expect((await mA.request('GET', '/api/coops')).body).toEqual([
      { number: A, name: 'École A', school: null, department: '87' },
    ]);
  });

  test('the department’s trésorier fills in everything: values checked and normalised, the change audited', async () => {
    const auditsBefore = await coopAudits();
    const r = await t87.request('PATCH', coopPath(A), {
      school: '  École élémentaire Jules Ferry ',
      address: '12 rue des Écoles  \r\n\r\n 87000 Limoges',
      mandataire: { name: 'Claire Martin', email: 'claire.martin@ac-limoges.fr', phone: '05.55.12.34.56' },
      cosignatory: { name: 'Paul Durand', phone: '+33 (0)6 12 34 56 78' },
      bank: { iban: IBAN_TYPED, bic: 'agri fr pp 878', name: 'Crédit Agricole du Centre-Ouest' },
      lastStatement: { date: '2025-08-31', balance: 123_456 },
    });
    expect(r.status).toBe(200);
    const expected = {
      number: A,
      name: 'École A',
      school: 'École élémentaire Jules Ferry',
      department: '87',
      address: '12 rue des Écoles\n87000 Limoges',
      mandataire: { name: 'Claire Martin', email: 'claire.martin@ac-limoges.fr', phone: '05 55 12 34 56' },
      cosignatory: { name: 'Paul Durand', email: null, phone: '+33 6 12 34 56 78' },
      bank: { iban: IBAN, bic: 'AGRIFRPP878', name: 'Crédit Agricole du Centre-Ouest' },
      lastStatement: { date: '2025-08-31', balance: 123_456 },
      pointageThreshold: null,
      editable: [...COOP_ADMIN_FIELDS],
    };
    expect(r.body).toEqual(expected);
    expect((await t87.request('GET', coopPath(A))).body).toEqual(expected);
    expect((await mA.request('GET', coopPath(A))).body).toEqual({
      ...expected,
      editable: [...DEFAULT_MANDATAIRE_FIELDS],
    });
    // Stored as amounts in cents and dates as strings; school in its column, the rest in the JSON.
    const row = await stored(A);
    expect(row.school).toBe('École élémentaire Jules Ferry');
    expect(JSON.parse(row.admin!)).toMatchObject({ bank: { iban: IBAN }, lastStatement: { balance: 123_456 } });

    // One audit row, in the coop's history: only the fields that changed, before and after.
    expect(await coopAudits()).toBe(auditsBefore + 1);
    const history = (await mA.request('GET', `${coopPath(A)}/history`)).body;
    expect(history.at(-1)).toMatchObject({
      book: 'coop',
      action: 'update',
      login: WORLD.logins.t87,
      before: { school: null, address: null, bank: null, lastStatement: null },
      after: { school: expected.school, bank: expected.bank, lastStatement: expected.lastStatement },
    });
    expect(Object.keys(history.at(-1).after)).toEqual(
      COOP_ADMIN_FIELDS.filter((f) => f !== 'name' && f !== 'pointageThreshold'),
    );

    // The same values again change nothing and write no audit row.
    const again = await t87.request('PATCH', coopPath(A), {
      bank: { iban: IBAN, bic: 'AGRIFRPP878', name: expected.bank.name },
    });
    expect(again.status).toBe(200);
    expect(await coopAudits()).toBe(auditsBefore + 1);
  });

  test('the mandataire changes what the department allows; the bank is refused with 403 naming it', async () => {
    const ok = await mA.request('PATCH', coopPath(A), {
      address: '14 rue des Écoles\n87000 Limoges',
      mandataire: { name: 'Claire Martin', email: 'c.martin@ac-limoges.fr', phone: null },
      lastStatement: { date: '2025-09-30', balance: 98_700 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      address: '14 rue des Écoles\n87000 Limoges',
      mandataire: { email: 'c.martin@ac-limoges.fr', phone: null },
      lastStatement: { date: '2025-09-30', balance: 98_700 },
    });
    const history = (await mA.request('GET', `${coopPath(A)}/history`)).body;
    expect(history.at(-1)).toMatchObject({ login: WORLD.logins.mA, before: { lastStatement: { balance: 123_456 } } });

    const before = await stored(A);
    const audits = await coopAudits();
    const refused = await mA.request('PATCH', coopPath(A), {
      school: 'École changée',
      bank: { iban: OTHER_IBAN, bic: null, name: null },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      code: 'champ_reserve',
      type: '/problems/champ_reserve',
      detail:
        'Vous ne pouvez pas modifier : coordonnées bancaires (bank). Le département 87 réserve ce champ à son trésorier : demandez-lui la modification.',
      errors: [
        { field: 'bank', message: 'coordonnées bancaires : modifiable par le trésorier départemental seulement' },
      ],
    });
    // Nothing stored half-way: the allowed school was not changed either.
    expect(await stored(A)).toEqual(before);
    expect(await coopAudits()).toBe(audits);

    const two = await mA.request('PATCH', coopPath(A), { name: 'Coop renommée', bank: null });
    expect(two.status).toBe(403);
    expect(two.body.errors.map((e: { field: string }) => e.field)).toEqual(['name', 'bank']);
    expect(two.body.detail).toMatch(
      /^Vous ne pouvez pas modifier : nom de la coopérative \(name\), coordonnées bancaires \(bank\)\. .* ces champs /,
    );

    // The whole form sent back, the bank unchanged (typed differently): accepted.
    const current = (await mA.request('GET', coopPath(A))).body;
    const { number: _n, department: _d, editable: _e, ...form } = current;
    const whole = await mA.request('PATCH', coopPath(A), {
      ...form,
      bank: { ...form.bank, iban: IBAN_TYPED },
      school: 'École Jules Ferry',
    });
    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({ school: 'École Jules Ferry', bank: { iban: IBAN } });
    expect((await mA.request('GET', `${coopPath(A)}/history`)).body.at(-1)).toMatchObject({
      before: { school: 'École élémentaire Jules Ferry' },
      after: { school: 'École Jules Ferry' },
    });
    expect(Object.keys((await mA.request('GET', `${coopPath(A)}/history`)).body.at(-1).after)).toEqual(['school']);
  });

  test('the department decides: its trésorier gives the bank to mandataires and takes the address back', async () => {
    expect((await t87.request('GET', settingsPath('87'))).body).toEqual({
      mandataireFields: [...DEFAULT_MANDATAIRE_FIELDS],
    });
    const audits = await coopAudits('departement');
    const put = await t87.request('PUT', settingsPath('87'), {
      mandataireFields: ['bank', 'school', 'mandataire', 'cosignatory', 'lastStatement', 'bank'],
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ mandataireFields: ['school', 'mandataire', 'cosignatory', 'bank', 'lastStatement'] });
    expect((await admin.request('GET', settingsPath('87'))).body).toEqual(put.body);
    // Audited in the history of each coop of the department (A and B), not in C's.
    expect(await coopAudits('departement')).toBe(audits + 2);
    const change = {
      book: 'departement',
      action: 'update',
      login: WORLD.logins.t87,
      before: { mandataireFields: [...DEFAULT_MANDATAIRE_FIELDS] },
      after: put.body,
    };
    expect((await mA.request('GET', `${coopPath(A)}/history`)).body.at(-1)).toMatchObject(change);
    expect((await mB.request('GET', `${coopPath(B)}/history`)).body).toEqual([expect.objectContaining(change)]);
    expect((await mC.request('GET', `${coopPath(C)}/history`)).body).toEqual([]);

    expect((await mA.request('GET', coopPath(A))).body.editable).toEqual(put.body.mandataireFields);
    expect((await mB.request('GET', coopPath(B))).body.editable).toEqual(put.body.mandataireFields);
    expect((await mC.request('GET', coopPath(C))).body.editable).toEqual([...DEFAULT_MANDATAIRE_FIELDS]);
    const bank = await mA.request('PATCH', coopPath(A), { bank: { iban: OTHER_IBAN, bic: 'COBADEFFXXX', name: null } });
    expect(bank.status).toBe(200);
    expect(bank.body.bank).toEqual({ iban: OTHER_IBAN, bic: 'COBADEFFXXX', name: null });
    const address = await mA.request('PATCH', coopPath(A), { address: 'ailleurs' });
    expect(address.status).toBe(403);
    expect(address.body.errors).toEqual([
      { field: 'address', message: 'adresse : modifiable par le trésorier départemental seulement' },
    ]);

    // The same settings again: nothing written.
    expect((await t87.request('PUT', settingsPath('87'), put.body)).status).toBe(200);
    expect(await coopAudits('departement')).toBe(audits + 2);
    // An admin sets another department's; back to the default here.
    expect((await admin.request('PUT', settingsPath('23'), { mandataireFields: [] })).body).toEqual({
      mandataireFields: [],
    });
    expect((await mC.request('GET', coopPath(C))).body.editable).toEqual([]);
    expect((await mC.request('PATCH', coopPath(C), { school: 'École C' })).status).toBe(403);
    await t87.request('PUT', settingsPath('87'), { mandataireFields: [...DEFAULT_MANDATAIRE_FIELDS] });
  });

  test('the settings belong to the department: anyone else finds nothing there; unknown fields are refused', async () => {
    const notFound = (dep: string) => ({
      code: 'introuvable',
      detail: `Le département ${dep} est introuvable (ou vous n’y avez pas accès).`,
    });
    const before = await service.db.models.Department.findAll({ order: [['code', 'ASC']], raw: true });
    for (const [who, client, dep] of [
      ['trésorier of another department', t23, '87'],
      ['mandataire of the department', mA, '87'],
      ['mandataire of another department', mC, '87'],
      ['trésorier, department that does not exist', t87, '99'],
      ['admin, department that does not exist', admin, '99'],
    ] as const) {
      for (const [method, body] of [
        ['GET', undefined],
        ['PUT', { mandataireFields: ['bank'] }],
      ] as const) {
        const r = await client.request(method, settingsPath(dep), body);
        expect([who, method, r.status]).toEqual([who, method, 404]);
        expect(r.body).toMatchObject(notFound(dep));
      }
    }
    const bad = await t87.request('PUT', settingsPath('87'), { mandataireFields: ['school', 'number'] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('mandataireFields[1]');
    expect((await t87.request('PUT', settingsPath('87'), { fields: [] })).status).toBe(422);
    expect(await service.db.models.Department.findAll({ order: [['code', 'ASC']], raw: true })).toEqual(before);
  });

  test('a user of another coop or department finds coop A nowhere: 404, nothing stored', async () => {
    const before = await stored(A);
    const audits = await service.db.models.SideBookAudit.count();
    for (const client of [mB, mC, t23]) {
      for (const [method, path, body] of [
        ['GET', coopPath(A), undefined],
        ['PATCH', coopPath(A), { school: 'Piratée' }],
        ['PATCH', coopPath(A), { bank: { iban: IBAN } }],
        ['GET', `${coopPath(A)}/history`, undefined],
      ] as const) {
        const r = await client.request(method, path, body);
        expect([method, path, r.status]).toEqual([method, path, 404]);
        expect(r.body).toMatchObject({ detail: `La coopérative ${A} est introuvable (ou vous n’y avez pas accès).` });
      }
    }
    expect(await stored(A)).toEqual(before);
    expect(await service.db.models.SideBookAudit.count()).toBe(audits);
  });

  test('errors are French and name the field; an invalid field keeps the whole request from being stored', async () => {
    const before = await stored(B);
    const audits = await service.db.models.SideBookAudit.count();
    const refused = async (body: unknown) => {
      const r = await t87.request('PATCH', coopPath(B), body);
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('donnees_invalides');
      return r.body.errors as { field: string; message: string }[];
    };
    expect(await refused({ school: 'École B', bank: { iban: 'FR76 3000 6000 0112 3456 7890 188' } })).toEqual([
      { field: 'bank.iban', message: 'IBAN : la clé de contrôle ne correspond pas (vérifiez les chiffres)' },
    ]);
    expect(await refused({ bank: { iban: 'FR76 3000 6000 0112 3456 7890 18' } })).toEqual([
      { field: 'bank.iban', message: 'IBAN : un IBAN FR compte 27 caractères (26 saisis)' },
    ]);
    expect(await refused({ bank: { iban: IBAN, bic: 'AGRI' } })).toEqual([
      { field: 'bank.bic', message: expect.stringMatching(/^BIC : 8 ou 11 caractères/) },
    ]);
    expect(await refused({ bank: { bic: 'AGRIFRPP' } })).toEqual([
      { field: 'bank.iban', message: 'bank.iban : champ obligatoire' },
    ]);
    expect(
      await refused({
        mandataire: { name: 'Claire', email: 'claire.ac-limoges.fr' },
        cosignatory: { name: ' ', phone: '05 55 12' },
      }),
    ).toEqual([
      {
        field: 'mandataire.email',
        message: 'courriel du mandataire : adresse invalide (ex. prenom.nom@ac-limoges.fr)',
      },
      { field: 'cosignatory.name', message: 'nom du co-signataire : obligatoire' },
      {
        field: 'cosignatory.phone',
        message: 'téléphone du co-signataire : numéro invalide (ex. 05 55 12 34 56 ou +33 5 55 12 34 56)',
      },
    ]);
    expect(await refused({ lastStatement: { date: '2025-02-30', balance: 12.5 } })).toEqual([
      { field: 'lastStatement.date', message: 'date du dernier relevé : AAAA-MM-JJ attendu (une date qui existe)' },
      {
        field: 'lastStatement.balance',
        message: 'solde du dernier relevé : montant en centimes entiers (123456 pour 1 234,56 €)',
      },
    ]);
    expect(await refused({ lastStatement: { date: '2999-01-01', balance: 0 } })).toEqual([
      { field: 'lastStatement.date', message: 'date du dernier relevé : dans le futur' },
    ]);
    expect(await refused({ name: null })).toEqual([{ field: 'name', message: 'nom de la coopérative : obligatoire' }]);
    expect(await refused({ address: 'rue\u0007' })).toEqual([
      { field: 'address', message: 'adresse : caractère de contrôle interdit (U+0007)' },
    ]);
    expect(await refused({ number: '087-9999', department: '23' })).toEqual([
      { field: 'corps', message: 'corps : champ inconnu number, department' },
    ]);
    const whole = await t87.request('PATCH', coopPath(B), { bank: { iban: 'FR76 3000 6000 0112 3456 7890 188' } });
    expect(whole.body.detail).toBe(
      'La requête contient des champs invalides : IBAN : la clé de contrôle ne correspond pas (vérifiez les chiffres).',
    );
    expect(await stored(B)).toEqual(before);
    expect(await service.db.models.SideBookAudit.count()).toBe(audits);
  });

  test('null clears a field; the admin may rename the coop; empty text clears too', async () => {
    await t87.request('PATCH', coopPath(B), {
      bank: { iban: IBAN, bic: null, name: 'Banque' },
      mandataire: { name: 'Jean Dupuis' },
      school: 'École B',
    });
    const r = await admin.request('PATCH', coopPath(B), { bank: null, name: 'Coopérative de l’école B', school: '' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'Coopérative de l’école B',
      school: null,
      bank: null,
      mandataire: { name: 'Jean Dupuis', email: null, phone: null },
    });
    expect((await mB.request('GET', `${coopPath(B)}/history`)).body.at(-1)).toMatchObject({
      login: WORLD.logins.admin,
      before: { name: 'École B', school: 'École B', bank: { iban: IBAN, bic: null, name: 'Banque' } },
      after: { name: 'Coopérative de l’école B', school: null, bank: null },
    });
    expect((await mB.request('GET', '/api/coops')).body[0].name).toBe('Coopérative de l’école B');
  });

  test('the pointage threshold: the trésorier moves it, the closure follows; a mandataire cannot', async () => {
    const A = WORLD.coops.A;
    const closure = `/api/coops/${A}/exercises/2025/closure`;
    // An unpointed bank line of 15 June: after the default threshold (1 June), before 1 August.
    const id = '6f1c2a4e-0000-4000-8000-0000000000aa';
    const line = {
      pj: '615',
      date: '2026-06-15',
      libelle: 'Librairie – albums',
      mode: 'carte',
      kind: 'depense',
      account: 'banque',
      amount: 1_000,
      ventilation: [{ chapter: '6180', amount: 1_000 }],
    };
    expect((await mA.put(A, id, line)).status).toBe(201);
    const blocking = async () =>
      ((await mA.request('GET', closure)).body.problems as { code: string; lines: string[] }[])
        .filter((p) => p.code === 'pointage_ancien')
        .flatMap((p) => p.lines);
    expect(await blocking()).not.toContain(id);
    const refused = await mA.request('PATCH', `/api/coops/${A}`, { pointageThreshold: '08-01' });
    expect([refused.status, refused.body.code]).toEqual([403, 'champ_reserve']);
    const bad = await t87.request('PATCH', `/api/coops/${A}`, { pointageThreshold: '31-02' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('pointageThreshold');
    const set = await t87.request('PATCH', `/api/coops/${A}`, { pointageThreshold: '08-01' });
    expect([set.status, set.body.pointageThreshold]).toEqual([200, '08-01']);
    expect(await blocking()).toContain(id);
    expect((await t87.request('PATCH', `/api/coops/${A}`, { pointageThreshold: null })).body.pointageThreshold).toBe(
      null,
    );
    expect(await blocking()).not.toContain(id);
  });

  test('two users changing different fields at once both keep their change', async () => {
    const [a, b] = await Promise.all([
      t87.request('PATCH', coopPath(B), { address: '1 place de la Mairie' }),
      mB.request('PATCH', coopPath(B), { lastStatement: { date: '2025-10-31', balance: 5_000 } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await mB.request('GET', coopPath(B))).body).toMatchObject({
      address: '1 place de la Mairie',
      lastStatement: { date: '2025-10-31', balance: 5_000 },
    });
  });
});
