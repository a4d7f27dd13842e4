/**
 * The login throttle: password checks counted, not answers. Attempts sent all at once, from one
 * address or from many, directly or behind a proxy; every password check is seen by a spy on the
 * password module, so a test knows how many guesses really ran.
 */
import { Op, QueryTypes } from 'sequelize';
import * as password from '../../server/auth/password';
import { LOCKOUT } from '../../server/operations/sessions';
import { startService, type RunningService } from '../../server/service';
import { Client, DATABASES, WORLD, seedWorld, startTestService, type Response, type TestService } from './harness';

const verify = password.verifyPassword;
const BLOCKED = /^Trop d’essais infructueux : la connexion est bloquée jusqu’à (demain )?\d\d:\d\d\. Réessayez ensuite/;
const SHORT = LOCKOUT.windowMinutes * 60;
const LONG = LOCKOUT.everywhereWindowMinutes * 60;

/** A 429 as a user sees it: French sentence, stable code, Retry-After within `max` seconds. */
function expectBlocked(r: Response<any>, max = SHORT): void {
  expect(r.status).toBe(429);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body.code).toBe('connexion_bloquee');
  expect(r.body.detail).toMatch(BLOCKED);
  const wait = Number(r.headers.get('retry-after'));
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(max);
}

const count = (answers: Response[], status: number) => answers.filter((a) => a.status === status).length;

/** The URL of the database a test service runs on, for a second instance on the same data. */
async function sameDatabase(service: TestService): Promise<string> {
  if (service.db.dialect === 'sqlite') {
    const [main] = await service.db.sequelize.query<{ file: string }>('PRAGMA database_list', {
      type: QueryTypes.SELECT,
    });
    return `sqlite:${main!.file}`;
  }
  const c = service.db.sequelize.config;
  const auth = c.password ? `${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}` : c.username;
  return `mysql://${auth}@${c.host}:${c.port}/${c.database}`;
}

describe.each(DATABASES)('le blocage des connexions ($name)', (kind) => {
  /** Clients reach it directly: X-Forwarded-For is ignored. */
  let direct: TestService;
  /** A second instance on the same database. */
  let twin: RunningService;
  /** Behind one reverse proxy (proxyHops: 1). */
  let proxied: TestService;
  let checks: jest.SpiedFunction<typeof password.verifyPassword>;

  beforeAll(async () => {
    [direct, proxied] = await Promise.all([startTestService(kind), startTestService(kind, { proxyHops: 1 })]);
    await Promise.all([seedWorld(direct), seedWorld(proxied)]);
    twin = await startService({ dbUrl: await sameDatabase(direct), port: 0, sessionHours: 1 });
  });
  afterAll(async () => {
    await twin?.close();
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });
  beforeEach(async () => {
    for (const s of [direct, proxied]) {
      await s.db.write((t) => s.db.models.LoginAttempt.destroy({ where: {}, transaction: t }));
    }
    checks = jest.spyOn(password, 'verifyPassword');
  });
  afterEach(() => checks.mockRestore());

  const attempt = (s: RunningService, login: string, pw: string, from?: string) =>
    new Client(s.url).request('POST', '/api/session', { login, password: pw }, from ? { 'X-Forwarded-For': from } : {});

  test(`50 essais simultanés sur un identifiant, sur deux instances : ${LOCKOUT.perLogin} vérifications, les autres refusés, le bon mot de passe aussi`, async () => {
    const login = WORLD.logins.mA;
    const burst = 50;
    // Wrong passwords wait at the check until every attempt of the burst is either being
    // checked or answered: the right password then comes while they are all in flight.
    let open!: () => void;
    const gate = new Promise<void>((ok) => (open = ok));
    let inFlight!: () => void;
    const allInFlight = new Promise<void>((ok) => (inFlight = ok));
    let arrived = 0;
    const arrive = () => {
      if (++arrived === burst) inFlight();
    };
    checks.mockImplementation(async (pw, stored) => {
      if (pw !== WORLD.password) {
        arrive();
        await gate;
      }
      return verify(pw, stored);
    });
    const wrong = Array.from({ length: burst }, (_, i) =>
      attempt(i % 2 ? twin : direct, login, `mauvais-mot-${i}`).then((r) => {
        arrive();
        return r;
      }),
    );
    await allInFlight;
    const right = await attempt(direct, login, WORLD.password);
    open();
    const answers = await Promise.all(wrong);

    expectBlocked(right);
    expect(count(answers, 401)).toBe(LOCKOUT.perLogin);
    expect(count(answers, 429)).toBe(burst - LOCKOUT.perLogin);
    for (const a of answers.filter((x) => x.status === 429)) expectBlocked(a);
    // Only the reserved attempts were checked: a refused one hashes nothing.
    expect(checks).toHaveBeenCalledTimes(LOCKOUT.perLogin);
    expect(checks.mock.calls.every(([pw]) => pw !== WORLD.password)).toBe(true);
    // Still locked once the burst is over, on both instances, still without a check.
    expectBlocked(await attempt(direct, login, WORLD.password));
    expectBlocked(await attempt(twin, login, WORLD.password));
    expect(checks).toHaveBeenCalledTimes(LOCKOUT.perLogin);
  });

  test(`200 essais simultanés d’une adresse sur 200 identifiants : ${LOCKOUT.perAddress} vérifications au plus`, async () => {
    const dummies = jest.spyOn(password, 'dummyHash');
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => attempt(direct, `eleve.${i}`, 'mauvais-mot')),
    );
    expect(count(answers, 401)).toBe(LOCKOUT.perAddress);
    expect(count(answers, 429)).toBe(200 - LOCKOUT.perAddress);
    for (const a of answers.filter((x) => x.status === 429)) expectBlocked(a);
    // Logins that do not exist are checked all the same (against a dummy hash), once each.
    expect(checks).toHaveBeenCalledTimes(LOCKOUT.perAddress);
    expect(dummies).toHaveBeenCalledTimes(LOCKOUT.perAddress);
    dummies.mockRestore();
    // The address is held, whatever the login and even with the right password.
    expectBlocked(await attempt(direct, WORLD.logins.mC, WORLD.password));
    expect(checks).toHaveBeenCalledTimes(LOCKOUT.perAddress);
  });

  test('une connexion réussie rend son essai ; les échecs d’avant comptent toujours', async () => {
    const login = WORLD.logins.mB;
    const answers: number[] = [];
    for (let i = 0; i < LOCKOUT.perLogin - 1; i++) answers.push((await attempt(direct, login, 'mauvais-mot')).status);
    answers.push((await attempt(direct, login, WORLD.password)).status);
    answers.push((await attempt(direct, login, 'mauvais-mot')).status);
    const last = await attempt(direct, login, WORLD.password);
    expect(answers).toEqual([...Array<number>(LOCKOUT.perLogin - 1).fill(401), 201, 401]);
    expectBlocked(last);
    expect(checks).toHaveBeenCalledTimes(LOCKOUT.perLogin + 1);
    // Once the window is over, the right password works again.
    const before = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    await direct.db.write((t) =>
      direct.db.models.LoginAttempt.update(
        { windowStart: before(LOCKOUT.windowMinutes + 1), lockedUntil: before(1) },
        { where: { key: { [Op.like]: 'pair:%' } }, transaction: t },
      ),
    );
    expect((await attempt(direct, login, WORLD.password)).status).toBe(201);
  });

  test('une autre casse ou un espace final est un autre identifiant : compté à part, jamais ouvert', async () => {
    const login = WORLD.logins.mA;
    for (const variant of [login.toUpperCase(), `${login} `]) {
      const answers = [];
      for (let i = 0; i <= LOCKOUT.perLogin; i++) answers.push(await attempt(direct, variant, WORLD.password));
      expect(answers.slice(0, -1).map((a) => a.status)).toEqual(Array<number>(LOCKOUT.perLogin).fill(401));
      expectBlocked(answers.at(-1)!);
    }
    expect(checks).toHaveBeenCalledTimes(2 * LOCKOUT.perLogin);
    expect((await attempt(direct, login, WORLD.password)).status).toBe(201);
  });

  test('un identifiant bloqué depuis une adresse s’ouvre ailleurs ; une attaque répartie est arrêtée, pas la trésorière à son école', async () => {
    const login = WORLD.logins.t87;
    const school = '192.0.2.10';
    const attacker = '203.0.113.5';
    const home = '198.51.100.20';
    expect((await attempt(proxied, login, WORLD.password, school)).status).toBe(201);
    // Five wrong passwords from elsewhere lock that address only.
    for (let i = 0; i < LOCKOUT.perLogin; i++) {
      expect((await attempt(proxied, login, `mauvais-mot-${i}`, attacker)).status).toBe(401);
    }
    expectBlocked(await attempt(proxied, login, WORLD.password, attacker));
    expect((await attempt(proxied, login, WORLD.password, school)).status).toBe(201);
    expect((await attempt(proxied, login, WORLD.password, home)).status).toBe(201);

    // The same login from 30 addresses at once, five wrong passwords each: the login's limit
    // from every address together stops it.
    checks.mockClear();
    const left = LOCKOUT.perLoginEverywhere - LOCKOUT.perLogin;
    const addresses = Array.from({ length: Math.ceil(left / LOCKOUT.perLogin) + 10 }, (_, i) => `10.0.${i}.1`);
    const answers = await Promise.all(
      addresses.flatMap((a) =>
        Array.from({ length: LOCKOUT.perLogin }, (_, i) => attempt(proxied, login, `essai-${a}-${i}`, a)),
      ),
    );
    expect(count(answers, 401)).toBe(left);
    expect(count(answers, 429)).toBe(addresses.length * LOCKOUT.perLogin - left);
    expect(checks).toHaveBeenCalledTimes(left);
    // A new address is refused for the long window, even with the right password, unchecked...
    const elsewhere = await attempt(proxied, login, WORLD.password, '198.51.100.77');
    expectBlocked(elsewhere, LONG);
    expect(Number(elsewhere.headers.get('retry-after'))).toBeGreaterThan(SHORT);
    expect(checks).toHaveBeenCalledTimes(left);
    // ...but where she has logged in before, she still gets in.
    expect((await attempt(proxied, login, WORLD.password, school)).status).toBe(201);
    expect((await attempt(proxied, login, WORLD.password, home)).status).toBe(201);
    // Another login is not affected.
    expect((await attempt(proxied, WORLD.logins.t23, WORLD.password, '198.51.100.77')).status).toBe(201);
  });

  test('derrière le proxy, l’adresse du client est celle que le proxy a ajoutée : une première adresse inventée n’y change rien', async () => {
    const seen = '203.0.113.99';
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        attempt(proxied, `eleve.${i}`, 'mauvais-mot', `10.${i % 250}.${(i * 7) % 250}.${i % 13}, ${seen}`),
      ),
    );
    expect(count(answers, 401)).toBe(LOCKOUT.perAddress);
    expect(checks).toHaveBeenCalledTimes(LOCKOUT.perAddress);
    // The address the proxy saw is held; another one is not.
    expectBlocked(await attempt(proxied, WORLD.logins.mC, WORLD.password, seen));
    expect((await attempt(proxied, WORLD.logins.mC, WORLD.password, '198.51.100.30')).status).toBe(201);
  });

  test('sans proxy déclaré, X-Forwarded-For est ignoré', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => attempt(direct, `eleve.${i}`, 'mauvais-mot', `10.1.${i % 250}.${i % 7}`)),
    );
    expect(count(answers, 401)).toBe(LOCKOUT.perAddress);
    expect(checks).toHaveBeenCalledTimes(LOCKOUT.perAddress);
  });
});
