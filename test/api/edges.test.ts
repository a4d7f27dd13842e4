/**
 * What comes from outside the add-in: odd characters, malformed addresses, wrong methods —
 * never a 5xx, always a French problem+json naming the field — and the headers every answer
 * carries.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_CHART } from '../../templates/definition';
import { syncLines } from '../../server/operations/lines';
import { PROBLEM_CODES } from '../../server/operations/errors';
import {
  Client,
  DATABASES,
  WORLD,
  expense,
  loggedIn,
  raw,
  seedWorld,
  startTestService,
  uuid,
  type TestService,
} from './harness';

const A = WORLD.coops.A;
const lines = `/api/coops/${A}/exercises/2025/lines`;

describe.each(DATABASES)('les bords du service ($name)', (kind) => {
  let service: TestService;
  let mA: Client;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
  });
  afterAll(() => service.stop());

  test.each([
    ['libelle', 'Librairie\u0000Martin', 'libellé : caractère de contrôle interdit (U+0000)'],
    ['pj', '0\u00001', 'N° de pièce : caractère de contrôle interdit (U+0000)'],
    ['action', 'Kermesse\u0007', 'action : caractère de contrôle interdit (U+0007)'],
    ['cheque', '45\u001b12', 'N° de chèque : caractère de contrôle interdit (U+001B)'],
    ['libelle', 'x\ud800y', 'libellé : caractère invalide (U+D800, moitié d’un caractère)'],
    ['libelle', 'Sortie\u0085', 'libellé : caractère de contrôle interdit (U+0085)'],
  ])('a %s holding %j is refused with 422 naming the field; nothing is stored', async (field, value, message) => {
    const before = await service.db.models.Line.count();
    const id = uuid();
    const r = await mA.put(A, id, { ...expense('050'), [field]: value });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body.errors).toEqual([{ field, message }]);
    // The identical retry gets the identical answer (not a 428 against a mangled copy).
    expect((await mA.put(A, id, { ...expense('050'), [field]: value })).status).toBe(422);
    expect(await service.db.models.Line.count()).toBe(before);
  });

  test('text that is merely unusual is stored exactly: emoji, right-to-left marks, quotes, backslashes', async () => {
    const libelle = `Fête 🎉 \u200fمدرسة\u200e – l’« école » \\ 'quote' "double" \u202e\ufeff\u0301`;
    const id = uuid();
    const r = await mA.put(A, id, { ...expense('051'), libelle, action: '🌱 Jardin' });
    expect(r.status).toBe(201);
    const back = await mA.request('GET', `${lines}/${id}`);
    expect(back.body.libelle).toBe(libelle);
    expect(back.body.action).toBe('🌱 Jardin');
    expect((await mA.put(A, id, { ...expense('051'), libelle, action: '🌱 Jardin' })).status).toBe(200);
  });

  test('in a batch, a line with a NUL is answered invalid; the others are stored', async () => {
    const good = [uuid(), uuid()];
    const bad = uuid();
    const r = await mA.request('POST', `/api/coops/${A}/exercises/2025/sync`, {
      lines: [
        { id: good[0], line: expense('060') },
        { id: bad, line: { ...expense('061'), libelle: 'Photos\u0000' } },
        { id: good[1], line: expense('062') },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.counts).toEqual({ stored: 2, unchanged: 0, conflict: 0, invalid: 1 });
    expect(r.body.results[1]).toEqual({
      id: bad,
      result: 'invalid',
      errors: [{ field: 'lines[1].line.libelle', message: 'libellé : caractère de contrôle interdit (U+0000)' }],
    });
    for (const id of good) expect((await mA.request('GET', `${lines}/${id}`)).status).toBe(200);
    expect((await mA.request('GET', `${lines}/${bad}`)).status).toBe(404);
  });

  test('a login with a control character is refused (422 naming login), never a 5xx', async () => {
    const r = await new Client(service.url).request('POST', '/api/session', { login: 'demo\u0000', password: 'x' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([{ field: 'login', message: 'login : caractère de contrôle interdit (U+0000)' }]);
  });

  test('the writer binds every value: what the operations receive is stored byte for byte', async () => {
    // Below the HTTP edge (an import, a script): the multi-row insert must never paste values into SQL.
    const scope = {
      db: service.db,
      principal: { userId: 1, login: 'import', role: 'admin' as const, coopId: null, departmentCode: null },
      exercise: (await service.db.models.Exercise.findOne({ where: { year: 2025 } }))!,
      chart: DEFAULT_CHART,
    };
    const libelle = `NUL\u0000 quote' backslash\\ $1 ? :name 🎉`;
    const ids = [randomUUID(), randomUUID()];
    const { outcomes } = await syncLines(
      scope,
      ids.map((id, i) => ({ id, line: { ...expense(`07${i}`), libelle } })),
    );
    expect(outcomes.map((o) => o.outcome.result)).toEqual(['stored', 'stored']);
    const rows = await service.db.models.Line.findAll({ where: { id: ids } });
    expect(rows.map((r) => r.libelle)).toEqual([libelle, libelle]);
    const audit = await service.db.models.Audit.findAll({ where: { lineId: ids } });
    expect(audit.map((a) => JSON.parse(a.after!).libelle)).toEqual([libelle, libelle]);
  });

  test.each(['/%E0%A4%A', '/%', '/foo%ZZ', '/health%E0%A4%A', `/api/coops/%E0%A4%A/exercises`, '/taskpane.html%'])(
    'GET %s: 400 problem+json in French, not a 5xx',
    async (path) => {
      const r = await raw(service.url, 'GET', path);
      expect(r.status).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({
        type: '/problems/chemin_invalide',
        code: 'chemin_invalide',
        detail: 'Adresse mal formée : un caractère encodé (%…) est invalide.',
      });
    },
  );

  test('a known path with a wrong method: 405 problem+json in French with Allow', async () => {
    const r = await mA.request('DELETE', '/api/coops');
    expect(r.status).toBe(405);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.headers.get('allow')).toBe('HEAD, GET');
    expect(r.body).toMatchObject({
      type: '/problems/methode_non_permise',
      title: 'Méthode non permise à cette adresse (voir l’en-tête Allow)',
      status: 405,
      code: 'methode_non_permise',
      detail: 'La méthode DELETE n’est pas permise à l’adresse /api/coops (permises : HEAD, GET).',
    });
    const patch = await mA.request('PATCH', `${lines}/${uuid()}`, {});
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('HEAD, GET, PUT, DELETE');
    // A method no route knows, on a known path and on an unknown one.
    const propfind = await raw(service.url, 'PROPFIND', '/api/coops', { authorization: `Bearer ${mA.token}` });
    expect([propfind.status, propfind.headers.allow, propfind.body.code]).toEqual([
      405,
      'HEAD, GET',
      'methode_non_permise',
    ]);
    const nowhere = await raw(service.url, 'PROPFIND', '/nulle-part');
    expect([nowhere.status, nowhere.body.code]).toEqual([404, 'introuvable']);
  });

  test('every problem type is a URI of the service that describes it, and the OpenAPI lists them all', async () => {
    const r = await mA.request('PUT', `${lines}/${uuid()}`, { pj: 1 });
    expect(r.body.type).toBe('/problems/donnees_invalides');
    const described = await new Client(service.url).request('GET', r.body.type);
    expect(described.status).toBe(200);
    expect(described.body).toEqual({
      type: '/problems/donnees_invalides',
      code: 'donnees_invalides',
      status: 422,
      title: 'Champs invalides (liste dans errors)',
    });
    const all = await new Client(service.url).request('GET', '/problems');
    expect(all.body.map((p: { code: string }) => p.code)).toEqual(PROBLEM_CODES);
    expect((await new Client(service.url).request('GET', '/problems/nimporte')).status).toBe(404);
    const doc = await new Client(service.url).request('GET', '/api/openapi.json');
    expect(doc.body.components.schemas.ProblemDetails.properties.code.enum).toEqual(PROBLEM_CODES);
    expect(JSON.stringify(doc.body)).not.toContain('cahier-coop.fr');
  });

  test('security headers on every answer; no-store on the API; no X-Frame-Options', async () => {
    const anonymous = new Client(service.url);
    const answers = [
      await anonymous.request('GET', '/health'),
      await anonymous.request('GET', '/taskpane.html'),
      await anonymous.request('GET', '/api/coops'),
      await anonymous.request('POST', '/api/session', { login: WORLD.logins.mC, password: WORLD.password }),
      await mA.request('GET', lines),
      await anonymous.request('GET', '/nulle-part'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, expect.any(Number), 401, 201, 200, 404]);
    for (const a of answers) {
      expect(a.headers.get('x-content-type-options')).toBe('nosniff');
      expect(a.headers.get('referrer-policy')).toBe('no-referrer');
      expect(a.headers.get('x-frame-options')).toBeNull();
      const csp = a.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self' https://appsforoffice.microsoft.com;");
      expect(csp).toMatch(/frame-ancestors 'self' https:\/\/\*\.office\.com .*https:\/\/\*\.officeapps\.live\.com/);
      expect(a.headers.get('strict-transport-security')).toBeNull(); // plain http
    }
    expect(answers.slice(2, 5).map((a) => a.headers.get('cache-control'))).toEqual([
      'no-store',
      'no-store',
      'no-store',
    ]);
    expect(answers[0]!.headers.get('cache-control')).toBeNull();
  });
});

describe.each(DATABASES)('derrière un proxy https ($name)', (kind) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(kind, { proxyHops: 1 });
  });
  afterAll(() => service.stop());

  test('HSTS when the proxy says the request came in https, for a real host name', async () => {
    const https = await raw(service.url, 'GET', '/health', {
      host: 'cahier.occe87.fr',
      'x-forwarded-proto': 'https',
    });
    expect(https.headers['strict-transport-security']).toBe('max-age=31536000');
    const http = await raw(service.url, 'GET', '/health', { host: 'cahier.occe87.fr', 'x-forwarded-proto': 'http' });
    expect(http.headers['strict-transport-security']).toBeUndefined();
  });
});
