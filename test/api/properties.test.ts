/**
 * Whatever a client sends, the service answers without a 5xx, and never stores as validated a
 * line the shared rules would refuse. Text of every Unicode category is either refused naming
 * its field or stored exactly; no address, however malformed, gives a 5xx.
 */
import fc from 'fast-check';
import { hasErrors, validateLine, type LineInput } from '../../templates/definition';
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

const anything = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
/** Mostly well-typed, sometimes anything: both the rules and the shape checks get exercised. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 15 }, { arbitrary: anything as fc.Arbitrary<unknown>, weight: 1 });
const chapter = fc.constantFrom('6180', '6800', '7410', '7560', '6281', '9999', '', 'abc');
const part = fc.record({ chapter: mostly(chapter), amount: mostly(fc.integer({ min: -100_000, max: 100_000 })) });
const date = mostly(
  fc.oneof(
    fc
      .date({ min: new Date('2024-06-01'), max: new Date('2027-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    fc.constantFrom('2025-02-30', '15/09/2025', '', '2025-9-1'),
  ),
);
const fields = {
  pj: mostly(fc.oneof(fc.stringMatching(/^\d{1,4}$/), fc.constantFrom('', ' ', '001'))),
  date,
  libelle: mostly(fc.string({ maxLength: 60 })),
  mode: mostly(fc.constantFrom('cheque', 'virement', 'especes', 'carte', 'prelevement', null, 'bitcoin')),
  cheque: mostly(fc.oneof(fc.stringMatching(/^\d{0,8}$/), fc.constant(null))),
  action: mostly(fc.constantFrom('Kermesse', null, '')),
  kind: mostly(fc.constantFrom('recette', 'depense', 'depot', 'retrait', 'regie_versee', 'regie_remboursee')),
  account: mostly(fc.constantFrom('banque', 'caisse', 'regie')),
  amount: mostly(fc.integer({ min: -50_000, max: 500_000 })),
  ventilation: mostly(fc.array(part, { maxLength: 4 })),
};
const body = fc.oneof(
  { arbitrary: fc.record(fields, { requiredKeys: ['pj', 'date', 'libelle', 'kind', 'account', 'amount'] }), weight: 6 },
  { arbitrary: fc.record(fields, { requiredKeys: [] }), weight: 1 },
);

/**
 * One character of any kind: any code point (lone surrogates included), and the ones that
 * break naive code — NUL and other controls, line separators, right-to-left marks, BOM,
 * non-characters, combining marks, emoji sequences, quotes, SQL and path punctuation.
 */
const anyChar = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x9f }).map((cp) => String.fromCharCode(cp)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((cp) => String.fromCharCode(cp)) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\u2028',
      '\u2029',
      '\u200e',
      '\u200f',
      '\u202e',
      '\u2066',
      '\ufeff',
      '\ufffe',
      '\uffff',
      '\u0301',
      '🎉',
      '👩‍👩‍👧',
      '🇫🇷',
      'é',
      'ß',
      "'",
      '"',
      '\\',
      '%',
      '$1',
      '?',
      ':x',
      ';',
      '--',
      '/*',
    ),
  },
);
const anyText = (maxLength: number) => fc.string({ unit: anyChar, maxLength });

/** A path whose %-escapes may be truncated, not hex, or decode to invalid UTF-8. */
const percent = fc.oneof(
  fc.constant('%'),
  fc.constantFrom('0', 'A', 'f', 'G', '').map((h) => `%${h}`),
  fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`),
  fc.constantFrom('%ZZ', '%E0%A4%A', '%C3', '%ED%A0%80', '%00', '%2F', '%25', '..', '.'),
);
const segment = fc
  .array(fc.oneof(percent, fc.stringMatching(/^[a-z0-9_.-]{0,6}$/)), { maxLength: 4 })
  .map((a) => a.join(''));
const malformedPath = fc
  .tuple(
    fc.constantFrom(
      '/',
      '/api/',
      '/api/coops/',
      `/api/coops/${WORLD.coops.A}/exercises/`,
      '/health',
      '/problems/',
      '/taskpane.html',
    ),
    fc.array(segment, { maxLength: 4 }),
  )
  .map(([prefix, rest]) => `${prefix}${rest.join('/')}`);

describe.each(DATABASES)('des corps de requête quelconques ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
  });
  afterAll(() => service.stop());

  test('never a 5xx; a line stored as validated passes the rules', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const id = uuid();
        const r = await mA.put(WORLD.coops.A, id, b);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(r.status).toBeLessThan(500);
        expect([201, 422]).toContain(r.status);
        if (r.status === 422) {
          expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(r.body.errors.length).toBeGreaterThan(0);
          for (const e of r.body.errors) expect(e.message).toMatch(/\S/);
          return;
        }
        const stored = await mA.request('GET', `/api/coops/${WORLD.coops.A}/exercises/2025/lines/${id}`);
        const line = stored.body as LineInput & { status: string };
        // Validated by the service ⇔ no error by the shared rules (PJ reuse aside, it depends on the others).
        const problems = validateLine(line, { exercise: 2025 });
        if (line.status === 'validated') expect(hasErrors(problems)).toBe(false);
        else expect(stored.body.problems.some((p: { severity: string }) => p.severity === 'error')).toBe(true);
      }),
      { numRuns: 150, seed: 20251122 },
    );
    // The run exercised both outcomes.
    expect(statuses.get(201)).toBeGreaterThan(10);
    expect(statuses.get(422)).toBeGreaterThan(10);
  });

  test('batches of random entries: never a 5xx, each entry answered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            body.map((line) => ({ id: uuid(), line })),
            anything,
          ),
          { maxLength: 8 },
        ),
        async (entries) => {
          const r = await mA.request('POST', `/api/coops/${WORLD.coops.A}/exercises/2025/sync`, { lines: entries });
          expect(r.status).toBe(200);
          expect(r.body.results).toHaveLength(entries.length);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  test('text of every Unicode category: refused naming its field, or stored exactly — never a 5xx', async () => {
    const outcomes = { stored: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({ libelle: anyText(20), action: anyText(8), cheque: anyText(6), pj: anyText(4) }),
        async (texts) => {
          const id = uuid();
          const line = { ...expense('1'), ...texts, libelle: `L ${texts.libelle}`, pj: `P${texts.pj}` };
          const r = await mA.put(WORLD.coops.A, id, line);
          expect(r.status).toBeLessThan(500);
          if (r.status === 422) {
            outcomes.refused++;
            for (const e of r.body.errors) expect(['libelle', 'action', 'cheque', 'pj']).toContain(e.field);
            return;
          }
          expect(r.status).toBe(201);
          outcomes.stored++;
          const back = await mA.request('GET', `/api/coops/${WORLD.coops.A}/exercises/2025/lines/${id}`);
          expect([back.body.libelle, back.body.action, back.body.cheque]).toEqual([
            line.libelle,
            line.action,
            line.cheque,
          ]);
          expect(back.body.pj).toBe(line.pj.trim());
          // The identical retry is recognised as such.
          expect((await mA.put(WORLD.coops.A, id, line)).status).toBe(200);
        },
      ),
      { numRuns: 120, seed: 20261123 },
    );
    expect(outcomes.stored).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(10);
  });

  test('logins and passwords of every Unicode category: 401 or 422, never a 5xx', async () => {
    const anonymous = new Client(service.url);
    await fc.assert(
      fc.asyncProperty(anyText(20), anyText(20), async (login, password) => {
        const r = await anonymous.request('POST', '/api/session', { login: `x${login}`, password: `y${password}` });
        expect([401, 422, 429]).toContain(r.status);
      }),
      { numRuns: 40, seed: 5 },
    );
  });

  test('malformed addresses with any method: never a 5xx', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        malformedPath,
        fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND'),
        async (path, method) => {
          const r = await raw(
            service.url,
            method,
            path,
            {
              authorization: `Bearer ${mA.token}`,
              'content-type': 'application/json',
            },
            method === 'PUT' || method === 'POST' ? '{}' : undefined,
          );
          statuses.add(r.status);
          expect(r.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
    expect(statuses.has(400)).toBe(true);
  });
});
