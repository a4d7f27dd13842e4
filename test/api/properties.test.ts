/**
 * Whatever a client sends, the service answers without a 5xx, and never stores as validated a
 * line the shared rules would refuse.
 */
import fc from 'fast-check';
import { hasErrors, validateLine, type LineInput } from '../../templates/definition';
import { Client, DATABASES, WORLD, loggedIn, seedWorld, startTestService, uuid, type TestService } from './harness';

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
});
