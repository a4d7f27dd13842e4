/** Who may do what: tenant isolation over every endpoint (a coop not yours is as unknown), sessions. */
import { ROUTES } from '../../server/http/routes';
import { addUser } from '../../server/operations/accounts';
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
import { occeCahier } from '../fixtures/legacy-files';

const A = WORLD.coops.A;
const NOWHERE = '087-9999';

/** A tiny PNG: a pièce justificative any route accepting a file takes. */
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);

/** An old cahier, for the import of legacy workbooks (sent as a dry run: nothing is stored). */
let LEGACY_XLSX: Buffer;

const SUBSIDY = {
  financeur: 'Mairie',
  objet: 'Classe verte',
  chapter: '7410',
  granted: 50_000,
  decisionDate: '2025-10-01',
  actions: [],
  state: 'a_justifier',
  justifiedOn: null,
  note: null,
};

/** A plausible request for a route, on coop A (a body the route would accept from its owner). */
function requestFor(
  route: (typeof ROUTES)[number],
  lineId: string,
): { path: string; body?: unknown; headers: Record<string, string> } {
  const path = route.path
    .replace('{coop}', A)
    .replace('{year}', '2025')
    .replace('{id}', lineId)
    .replace('{statement}', '1')
    .replace('{date}', '2025-09-30')
    .replace('{subsidy}', '1')
    .replace('{item}', '1')
    .replace('{attachment}', '1')
    .replace('{archive}', '1');
  if (route.method === 'get') return { path, headers: {} };
  if (route.method === 'delete') return { path, headers: { 'If-Match': '"1"' } };
  let body: unknown;
  if (route.upload) return { path, body: 'Date;Libellé;Montant\n01/10/2025;Frais;-1,00\n', headers: {} };
  if (route.multipart && path.endsWith('/imports')) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(LEGACY_XLSX)]), 'cahier-087-0001.xlsx');
    return { path: `${path}?dryRun=true`, body: form, headers: {} };
  }
  if (route.multipart) {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'ticket.png');
    return { path, body: form, headers: {} };
  }
  if (route.method === 'put' && path.endsWith(lineId)) body = expense('900', 1);
  else if (path.includes('/cash-counts/')) body = { counts: { '500': 1 } };
  else if (path.endsWith('/subsidies/1/lines')) body = { line: lineId, role: 'use' };
  else if (/\/subsidies(\/1)?$/.test(path)) body = SUBSIDY;
  else if (/\/inventory(\/1)?$/.test(path)) {
    body = {
      designation: 'Tablette',
      acquiredOn: '2025-10-01',
      value: 30_000,
      lines: [],
      location: null,
      disposedOn: null,
      disposalReason: null,
    };
  } else if (route.method === 'patch') body = { address: '1 rue de l’École' };
  else if (route.method === 'put') body = { opening: { banque: 1, caisse: 1 } };
  else if (path.endsWith('/sync')) body = { lines: [{ id: uuid(), line: expense('901') }] };
  else if (path.endsWith('/duplicate')) body = { id: uuid() };
  else if (path.endsWith('/pointage')) body = { pointed: true };
  else if (path.endsWith('/accept')) body = { certain: true };
  else if (path.endsWith('/reopen')) body = { reason: 'Erreur de saisie' };
  return { path, body, headers: { 'If-Match': '"1"' } };
}

describe.each(DATABASES)('les droits ($name)', (kind) => {
  let service: TestService;
  let lineId: string;
  const coopRoutes = ROUTES.filter((r) => r.path.includes('{coop}'));

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    LEGACY_XLSX = await occeCahier().xlsx();
    const mA = await loggedIn(service, WORLD.logins.mA);
    lineId = uuid();
    expect((await mA.put(A, lineId, expense('001'))).status).toBe(201);
  });
  afterAll(() => service.stop());

  const snapshot = async () => ({
    lines: await service.db.models.Line.count(),
    audit: await service.db.models.Audit.count(),
    sideBooks: await service.db.models.SideBookAudit.count(),
    coops: JSON.stringify(await service.db.models.Coop.findAll({ order: [['id', 'ASC']], raw: true })),
    exercises: JSON.stringify(await service.db.models.Exercise.findAll({ order: [['id', 'ASC']], raw: true })),
  });

  test('the matrix covers every endpoint that names a coop', () => {
    expect(coopRoutes.length).toBeGreaterThanOrEqual(45);
  });

  test.each([
    ['mandataire of another coop', WORLD.logins.mB],
    ['mandataire of another department', WORLD.logins.mC],
    ['trésorier of another department', WORLD.logins.t23],
  ])(
    'a %s never reads or writes coop A: 404 on every endpoint, as for a coop that does not exist',
    async (_who, login) => {
      const other = await loggedIn(service, login);
      const before = await snapshot();
      for (const route of coopRoutes) {
        const { path, body, headers } = requestFor(route, lineId);
        const r = await other.request(route.method.toUpperCase(), path, body, headers);
        expect([route.method, route.path, r.status]).toEqual([route.method, route.path, 404]);
        expect(JSON.stringify(r.body)).not.toContain('Librairie');
        // The same request on a coop number that exists nowhere gets the same answer.
        const ghost = await other.request(route.method.toUpperCase(), path.replace(A, NOWHERE), body, headers);
        expect(ghost.status).toBe(404);
        expect(r.body).toEqual({ ...ghost.body, detail: ghost.body.detail.replace(NOWHERE, A) });
        expect(r.body).toMatchObject({
          code: 'introuvable',
          detail: `La coopérative ${A} est introuvable (ou vous n’y avez pas accès).`,
        });
      }
      expect(await snapshot()).toEqual(before);
    },
  );

  test('a line id of coop A, used under coop B, is refused without revealing the line', async () => {
    const mB = await loggedIn(service, WORLD.logins.mB);
    const before = await snapshot();
    for (const r of [
      await mB.put(WORLD.coops.B, lineId, expense('001')),
      await mB.request('GET', `/api/coops/${WORLD.coops.B}/exercises/2025/lines/${lineId}`),
      await mB.request('GET', `/api/coops/${WORLD.coops.B}/exercises/2025/lines/${lineId}/history`),
    ]) {
      expect(r.status).toBe(409);
      expect(JSON.stringify(r.body)).not.toContain('Librairie');
    }
    expect(await snapshot()).toEqual(before);
  });

  test('without a session every endpoint but health and login answers 401', async () => {
    const anonymous = new Client(service.url);
    for (const route of ROUTES.filter((r) => r.auth !== false)) {
      const { path, body, headers } = requestFor(route, lineId);
      const r = await anonymous.request(route.method.toUpperCase(), path, body, headers);
      expect([route.path, r.status]).toEqual([route.path, 401]);
    }
    anonymous.token = 'jeton-invente';
    expect((await anonymous.request('GET', '/api/coops')).status).toBe(401);
  });

  test('the department’s trésorier and the admin reach coop A; each sees only their coops', async () => {
    const t87 = await loggedIn(service, WORLD.logins.t87);
    expect((await t87.request('GET', `/api/coops/${A}/exercises/2025/lines/${lineId}`)).status).toBe(200);
    const numbers = async (c: Client) =>
      (await c.request('GET', '/api/coops')).body.map((x: { number: string }) => x.number);
    expect(await numbers(t87)).toEqual([WORLD.coops.A, WORLD.coops.B]);
    expect(await numbers(await loggedIn(service, WORLD.logins.mB))).toEqual([WORLD.coops.B]);
    expect(await numbers(await loggedIn(service, WORLD.logins.admin))).toEqual(
      [WORLD.coops.C, WORLD.coops.A, WORLD.coops.B].sort(),
    );
    expect((await t87.request('GET', `/api/coops/999-9999`)).status).toBe(404);
  });

  test.each([
    [WORLD.logins.t87, 200],
    [WORLD.logins.admin, 200],
    [WORLD.logins.mA, 403],
    [WORLD.logins.t23, 403],
  ])('the department’s dashboard (/api/departments/87/dashboard): %s gets %i', async (login, status) => {
    const r = await (await loggedIn(service, login)).request('GET', '/api/departments/87/dashboard');
    expect(r.status).toBe(status);
    if (status === 403) expect(JSON.stringify(r.body)).not.toContain(WORLD.coops.A);
    const admin = await loggedIn(service, WORLD.logins.admin);
    expect((await admin.request('GET', '/api/departments/99/dashboard')).status).toBe(404);
  });

  test.each([
    [WORLD.logins.t87, 200],
    [WORLD.logins.admin, 200],
    [WORLD.logins.mA, 403],
    [WORLD.logins.t23, 403],
  ])('the department’s workbooks (/api/departments/87/workbooks.zip): %s gets %i', async (login, status) => {
    const r = await (await loggedIn(service, login)).request('GET', '/api/departments/87/workbooks.zip?exercise=2025');
    expect(r.status).toBe(status);
    if (status === 403) expect(JSON.stringify(r.body)).not.toContain(WORLD.coops.A);
    const admin = await loggedIn(service, WORLD.logins.admin);
    expect((await admin.request('GET', '/api/departments/99/workbooks.zip?exercise=2025')).status).toBe(404);
  });

  test('logins are case-sensitive; logout revokes; an expired token is refused', async () => {
    const wrongCase = await new Client(service.url).request('POST', '/api/session', {
      login: WORLD.logins.mA.toUpperCase(),
      password: WORLD.password,
    });
    expect(wrongCase.status).toBe(401);
    expect(wrongCase.body.detail).toBe(
      'Identifiant ou mot de passe incorrect (attention aux majuscules et minuscules).',
    );
    const c = await loggedIn(service, WORLD.logins.mA);
    expect((await c.request('GET', '/api/coops')).status).toBe(200);
    expect((await c.request('DELETE', '/api/session')).status).toBe(204);
    expect((await c.request('GET', '/api/coops')).status).toBe(401);
    const d = await loggedIn(service, WORLD.logins.mA);
    await service.db.write((t) =>
      service.db.models.Session.update({ expiresAt: new Date(Date.now() - 1000) }, { where: {}, transaction: t }),
    );
    expect((await d.request('GET', '/api/coops')).status).toBe(401);
  });

  test('two logins that differ only by case are two users, each with their own password', async () => {
    await addUser(service.db, { login: 'Claire.Martin', password: 'mot-de-passe-C', coop: A });
    await addUser(service.db, { login: 'claire.martin', password: 'mot-de-passe-c', coop: A });
    const c = new Client(service.url);
    const as = (login: string, password: string) => c.request('POST', '/api/session', { login, password });
    expect((await as('Claire.Martin', 'mot-de-passe-C')).body.user.login).toBe('Claire.Martin');
    expect((await as('claire.martin', 'mot-de-passe-c')).body.user.login).toBe('claire.martin');
    expect((await as('claire.martin', 'mot-de-passe-C')).status).toBe(401);
    expect((await as('Claire.martin', 'mot-de-passe-C')).status).toBe(401);
  });
});
