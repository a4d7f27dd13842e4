/**
 * What the service writes in its logs and how long it lets a request run: one JSON line per
 * request (method, route pattern, status, duration, coop, request id echoed in X-Request-Id),
 * never a token, a password, a body or a query string; unexpected errors with their stack;
 * LOG_LEVEL obeyed; a request past its time limit answered by a French 503, the long routes
 * given more. The service's own app on the suite's database, with the log lines captured.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, LONG_ROUTES, requestLimits, routeLimit } from '../../server/http/app';
import type { Services } from '../../server/http/context';
import { createLogger, logLevel } from '../../server/http/logging';
import { ROUTES } from '../../server/http/routes';
import * as dashboard from '../../server/operations/dashboard';
import { parseRequestTimeout } from '../../server/cli/serve-command';
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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  method?: string;
  route?: string;
  status?: number;
  ms?: number;
  coop?: string;
  err?: { type?: string; message?: string; stack?: string };
  [key: string]: unknown;
}

/** A pino destination keeping every line written. */
class Capture {
  text: string[] = [];
  write(line: string): void {
    this.text.push(line);
  }
  get lines(): LogLine[] {
    return this.text.map((l) => JSON.parse(l) as LogLine);
  }
  of(reqId: string): LogLine[] {
    return this.lines.filter((l) => l.reqId === reqId);
  }
  clear(): void {
    this.text = [];
  }
}

interface LoggedApp {
  url: string;
  capture: Capture;
  close(): Promise<void>;
}

/** The service's app on the suite's database, its logs at `level` into a Capture. */
async function loggedApp(service: TestService, level: string, extra: Partial<Services> = {}): Promise<LoggedApp> {
  const capture = new Capture();
  const app = createApp({
    db: service.db,
    sessionHours: 1,
    attachments: service.attachments,
    logger: createLogger({ level, destination: capture }),
    ...extra,
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    capture,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** A client of `app` with a session opened on the suite's service (same database). */
async function sessionOn(app: LoggedApp, service: TestService, login: string): Promise<Client> {
  const client = new Client(app.url);
  client.token = (await loggedIn(service, login)).token;
  return client;
}

/** A promise and the function that settles it, to hold a request where a test wants. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((ok) => (open = ok));
  return { wait, open };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('attente dépassée');
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

describe.each(DATABASES)('le journal des requêtes ($name)', (kind) => {
  let service: TestService;
  let logged: LoggedApp;
  let mA: Client;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    logged = await loggedApp(service, 'info');
    mA = await sessionOn(logged, service, WORLD.logins.mA);
  });
  afterAll(async () => {
    await logged.close();
    await service.stop();
  });
  afterEach(() => jest.restoreAllMocks());

  test('one line per request: method, route pattern, status, duration, coop, and the request id echoed', async () => {
    const id = uuid();
    const put = await mA.put(A, id, expense('301'));
    expect(put.status).toBe(201);
    const r = await mA.request('GET', `${mA.linesPath(A)}/${id}`, undefined, { 'X-Request-Id': 'essai-42' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('essai-42');
    const lines = logged.capture.of('essai-42');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'requête',
      method: 'GET',
      route: '/api/coops/:coop/exercises/:year/lines/:id',
      status: 200,
      coop: A,
    });
    expect(lines[0]!.ms).toEqual(expect.any(Number));
    expect(lines[0]!.ms).toBeGreaterThanOrEqual(0);
    expect(lines[0]!.ms).toBeLessThan(60_000);
    // The write too, under an id the service made.
    const putId = put.headers.get('x-request-id')!;
    expect(putId).toMatch(UUID);
    expect(logged.capture.of(putId)).toEqual([
      expect.objectContaining({
        method: 'PUT',
        status: 201,
        coop: A,
        route: '/api/coops/:coop/exercises/:year/lines/:id',
      }),
    ]);
  });

  test('no route: the path (without its query); no coop; a fresh id for every request', async () => {
    const r = await raw(logged.url, 'GET', '/nulle-part/ici?x=1');
    expect(r.status).toBe(404);
    const reqId = r.headers['x-request-id'] as string;
    expect(reqId).toMatch(UUID);
    const [line, ...more] = logged.capture.of(reqId);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ method: 'GET', route: '/nulle-part/ici', status: 404 });
    expect(line).not.toHaveProperty('coop');
    const again = await raw(logged.url, 'GET', '/nulle-part/ici');
    expect(again.headers['x-request-id']).toMatch(UUID);
    expect(again.headers['x-request-id']).not.toBe(reqId);
  });

  test.each([['avec espace'], ['x'.repeat(65)], ['évité'], ['a;b=c'], ['<script>']])(
    'an X-Request-Id that is not a short token (%j) is replaced by a new one',
    async (incoming) => {
      const r = await raw(logged.url, 'GET', '/health', { 'x-request-id': incoming });
      const reqId = r.headers['x-request-id'] as string;
      expect(reqId).toMatch(UUID);
      expect(logged.capture.of(reqId)).toEqual([expect.objectContaining({ route: '/health', status: 200 })]);
    },
  );

  test('neither a token, a password, a body nor a query string reaches the logs', async () => {
    logged.capture.clear();
    const client = new Client(logged.url);
    const refused = await client.request('POST', '/api/session', {
      login: WORLD.logins.mB,
      password: 'MAUVAIS-mot-de-passe-9',
    });
    expect(refused.status).toBe(401);
    await client.login(WORLD.logins.mB);
    const token = client.token!;
    expect(token.length).toBeGreaterThan(10);
    const listed = await client.request('GET', '/api/coops?jeton=SECRET-DE-REQUETE');
    expect(listed.status).toBe(200);
    const stored = await client.put(WORLD.coops.B, uuid(), expense('302', 1200, { libelle: 'LIBELLE-CONFIDENTIEL' }));
    expect(stored.status).toBe(201);
    const out = await client.request('DELETE', '/api/session');
    expect(out.status).toBeLessThan(300);

    const lines = logged.capture.lines;
    expect(lines.map((l) => [l.method, l.route, l.status])).toEqual([
      ['POST', '/api/session', 401],
      ['POST', '/api/session', 201],
      ['GET', '/api/coops', 200],
      ['PUT', '/api/coops/:coop/exercises/:year/lines/:id', 201],
      ['DELETE', '/api/session', out.status],
    ]);
    const text = logged.capture.text.join('\n');
    for (const secret of [
      token,
      WORLD.password,
      'MAUVAIS-mot-de-passe-9',
      'SECRET-DE-REQUETE',
      'jeton',
      'LIBELLE-CONFIDENTIEL',
      'Bearer',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text.toLowerCase()).not.toContain('authorization');
  });

  test('an unexpected error: the French 500, its request line at error level and the error with its stack', async () => {
    jest.spyOn(service.db.models.Coop, 'findAll').mockRejectedValue(new Error('panne simulée du disque'));
    const r = await mA.request('GET', '/api/coops', undefined, { 'X-Request-Id': 'panne-1' });
    expect([r.status, r.body.code]).toEqual([500, 'erreur_interne']);
    const lines = logged.capture.of('panne-1');
    expect(lines).toHaveLength(2);
    const error = lines.find((l) => l.msg === 'erreur inattendue')!;
    expect(error).toMatchObject({ level: 50, method: 'GET', route: '/api/coops' });
    expect(error.err).toMatchObject({ type: 'Error', message: 'panne simulée du disque' });
    expect(error.err!.stack).toContain('panne simulée du disque');
    expect(error.err!.stack).toMatch(/\n\s+at /);
    expect(lines.find((l) => l.msg === 'requête')).toMatchObject({ level: 50, status: 500 });
  });

  test('LOG_LEVEL: warn leaves the request lines out and keeps the errors; silent writes nothing', async () => {
    const warn = await loggedApp(service, logLevel({ LOG_LEVEL: 'warn' }));
    const silent = await loggedApp(service, logLevel({ LOG_LEVEL: 'silent' }));
    try {
      for (const app of [warn, silent]) {
        expect((await raw(app.url, 'GET', '/health')).status).toBe(200);
        const client = await sessionOn(app, service, WORLD.logins.mA);
        jest.spyOn(service.db.models.Coop, 'findAll').mockRejectedValueOnce(new Error('panne simulée'));
        expect((await client.request('GET', '/api/coops')).status).toBe(500);
      }
      expect(warn.capture.lines.map((l) => [l.level, l.msg, l.status])).toEqual([
        [50, 'erreur inattendue', undefined],
        [50, 'requête', 500],
      ]);
      expect(silent.capture.text).toEqual([]);
    } finally {
      await warn.close();
      await silent.close();
    }
  });
});

describe('LOG_LEVEL read from the environment', () => {
  test('info by default, silent under the tests unless set, any case, a French error otherwise', () => {
    expect(logLevel({})).toBe('info');
    expect(logLevel({ NODE_ENV: 'production' })).toBe('info');
    expect(logLevel({ NODE_ENV: 'test' })).toBe('silent');
    expect(logLevel({ NODE_ENV: 'test', LOG_LEVEL: 'debug' })).toBe('debug');
    expect(logLevel({ LOG_LEVEL: 'WARN' })).toBe('warn');
    expect(logLevel({ LOG_LEVEL: 'silent' })).toBe('silent');
    expect(() => logLevel({ LOG_LEVEL: 'bavard' })).toThrow(
      'LOG_LEVEL doit valoir fatal, error, warn, info, debug, trace, silent (pas « bavard »).',
    );
  });
});

describe.each(DATABASES)('le délai des requêtes ($name)', (kind) => {
  let service: TestService;
  let logged: LoggedApp;
  let client: Client;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    // 1 s for the ordinary routes, 10 s for the long ones.
    logged = await loggedApp(service, 'info', { requestTimeout: 1 });
    // Logged in on the suite's service: a login (its password hash) is slow on purpose.
    client = await sessionOn(logged, service, WORLD.logins.t87);
  });
  afterAll(async () => {
    await logged.close();
    await service.stop();
  });
  afterEach(() => jest.restoreAllMocks());

  test('a request held by the database past its limit: French 503 problem+json, and how it ended is logged', async () => {
    const held = gate();
    const Coop = service.db.models.Coop;
    const findAll = Coop.findAll.bind(Coop);
    jest.spyOn(Coop, 'findAll').mockImplementationOnce((async (...args: Parameters<typeof findAll>) => {
      await held.wait;
      return findAll(...args);
    }) as typeof Coop.findAll);
    const started = Date.now();
    const r = await client.request('GET', '/api/coops', undefined, { 'X-Request-Id': 'lent-1' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.headers.get('x-request-id')).toBe('lent-1');
    expect(r.body).toEqual({
      type: '/problems/delai_depasse',
      title: 'Délai de traitement dépassé : l’opération a pu aboutir ou non, vérifiez',
      status: 503,
      code: 'delai_depasse',
      detail:
        'Le service n’a pas répondu dans le délai de 1 s. L’opération a pu aboutir malgré tout : vérifiez avant de la refaire.',
    });
    expect(logged.capture.of('lent-1')).toEqual([
      expect.objectContaining({ msg: 'requête', status: 503, route: '/api/coops' }),
    ]);
    held.open();
    await until(() => logged.capture.of('lent-1').length === 2);
    expect(logged.capture.of('lent-1')[1]).toMatchObject({
      level: 40,
      msg: 'requête finie après son délai',
      route: '/api/coops',
    });
    // The service answers normally afterwards.
    expect((await client.request('GET', '/api/coops')).status).toBe(200);
  });

  test('a long route (the department’s dashboard) is given ten times the limit', async () => {
    const real = dashboard.departmentDashboard;
    jest.spyOn(dashboard, 'departmentDashboard').mockImplementation(async (...args) => {
      await new Promise((ok) => setTimeout(ok, 1500));
      return real(...args);
    });
    const r = await client.request('GET', '/api/departments/87/dashboard');
    expect(r.status).toBe(200);
    expect(dashboard.departmentDashboard).toHaveBeenCalledTimes(1);
    // The same wait on an ordinary route is cut.
    const Coop = service.db.models.Coop;
    const findAll = Coop.findAll.bind(Coop);
    jest.spyOn(Coop, 'findAll').mockImplementationOnce((async (...args: Parameters<typeof findAll>) => {
      await new Promise((ok) => setTimeout(ok, 1500));
      return findAll(...args);
    }) as typeof Coop.findAll);
    expect((await client.request('GET', '/api/coops')).body.code).toBe('delai_depasse');
  });

  test('which routes are long: files received, exports, PDFs, dashboard, closure; the line writes are not', () => {
    const key = (r: (typeof ROUTES)[number]) => `${r.method} ${r.path}`;
    const keys = new Set(ROUTES.map(key));
    for (const long of LONG_ROUTES) expect(keys).toContain(long);
    const { normal, long } = requestLimits();
    expect([normal, long]).toEqual([30_000, 300_000]);
    const limitOf = (method: string, path: string) => routeLimit(ROUTES.find((r) => key(r) === `${method} ${path}`)!);
    expect(limitOf('post', '/api/coops/{coop}/imports')).toBe(long);
    expect(limitOf('post', '/api/coops/{coop}/exercises/{year}/statements')).toBe(long);
    expect(limitOf('post', '/api/coops/{coop}/exercises/{year}/lines/{id}/attachments')).toBe(long);
    expect(limitOf('get', '/api/departments/{code}/workbooks.zip')).toBe(long);
    expect(limitOf('put', '/api/coops/{coop}/exercises/{year}/lines/{id}')).toBe(normal);
    expect(limitOf('post', '/api/coops/{coop}/exercises/{year}/sync')).toBe(normal);
    expect(
      routeLimit(
        ROUTES.find((r) => r.path.endsWith('/sync'))!,
        2,
      ),
    ).toBe(2000);
  });
});

describe('--request-timeout and REQUEST_TIMEOUT', () => {
  const saved = process.env.REQUEST_TIMEOUT;
  afterEach(() => {
    if (saved === undefined) delete process.env.REQUEST_TIMEOUT;
    else process.env.REQUEST_TIMEOUT = saved;
  });

  test('seconds between 1 and 3600, the flag before the variable; a French usage error otherwise', () => {
    delete process.env.REQUEST_TIMEOUT;
    expect(parseRequestTimeout({})).toBeUndefined();
    expect(parseRequestTimeout({ 'request-timeout': '45' })).toBe(45);
    process.env.REQUEST_TIMEOUT = '90';
    expect(parseRequestTimeout({})).toBe(90);
    expect(parseRequestTimeout({ 'request-timeout': '2.5' })).toBe(2.5);
    for (const wrong of ['0', '-3', 'trente', '4000']) {
      expect(() => parseRequestTimeout({ 'request-timeout': wrong })).toThrow(
        `--request-timeout attend un nombre de secondes entre 1 et 3600, pas « ${wrong} ».`,
      );
    }
  });
});

describe('cahier serve writes its logs on stdout after its first line', () => {
  test('JSON lines under LOG_LEVEL=info, written within seconds, all of them by the time the process has stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-logs-'));
    try {
      const child = spawn(
        process.execPath,
        [join(__dirname, '../../bin/cahier.js'), 'serve', '--port', '0', '--db', `sqlite:${join(dir, 'c.sqlite')}`],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
      await until(() => /service démarré sur (\S+) \(base sqlite\)\.\n/.test(out), 60_000);
      const url = /service démarré sur (\S+) \(base sqlite\)\.\n/.exec(out)![1]!;
      expect(out.split('\n')[0]).toBe(`Cahier Coop : service démarré sur ${url} (base sqlite).`);
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`${url}/health`, { headers: { 'X-Request-Id': `cli-${i}` } });
        expect(r.status).toBe(200);
      }
      // Written within a second or so on an idle service (lines are gathered up to 4 KB)…
      await until(() => out.includes('"reqId":"cli-19"'), 5000);
      // …and the last ones by the time the process has exited.
      expect((await fetch(`${url}/health`, { headers: { 'X-Request-Id': 'cli-20' } })).status).toBe(200);
      child.kill('SIGTERM');
      await exited;
      const json = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine);
      expect(json.filter((l) => l.msg === 'requête').map((l) => [l.reqId, l.route, l.status])).toEqual(
        Array.from({ length: 21 }, (_, i) => [`cli-${i}`, '/health', 200]),
      );
      expect(json[0]).toMatchObject({ level: 30, pid: child.pid, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
