/**
 * The exercise itself: opening balances (report à nouveau) and state are audited like lines,
 * a change of the opening once lines exist needs a reason, and no exercise opens beyond the
 * next one.
 */
import { exerciseLabel, exerciseOf } from '../../templates/definition';
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

const { A, B } = WORLD.coops;
const exercisePath = (coop: string, year: number) => `/api/coops/${coop}/exercises/${year}`;

describe.each(DATABASES)('les exercices ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  let mB: Client;
  let t87: Client;
  const current = exerciseOf(new Date().toISOString().slice(0, 10));

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    [mA, mB, t87] = await Promise.all([
      loggedIn(service, WORLD.logins.mA),
      loggedIn(service, WORLD.logins.mB),
      loggedIn(service, WORLD.logins.t87),
    ]);
  });
  afterAll(() => service.stop());

  const history = async (c: Client, coop: string, year: number) => {
    const r = await c.request('GET', `${exercisePath(coop, year)}/history`);
    expect(r.status).toBe(200);
    return r.body as { action: string; login: string; reason: string | null; before: any; after: any; at: string }[];
  };

  test('opening an exercise, then correcting its report à nouveau while empty, is audited', async () => {
    const opened = await history(mB, B, 2025);
    expect(opened).toEqual([
      {
        action: 'open',
        login: 'ligne de commande',
        reason: null,
        before: null,
        after: { status: 'open', opening: { banque: 100_000, caisse: 5_000 } },
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    const r = await mB.request('PUT', exercisePath(B, 2025), { opening: { banque: 123_456, caisse: 5_000 } });
    expect(r.status).toBe(200);
    expect(r.body.opening).toEqual({ banque: 123_456, caisse: 5_000 });
    // The same opening again changes nothing and writes nothing.
    expect(
      (await mB.request('PUT', exercisePath(B, 2025), { opening: { banque: 123_456, caisse: 5_000 } })).status,
    ).toBe(200);
    const after = await history(mB, B, 2025);
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({
      action: 'opening',
      login: WORLD.logins.mB,
      reason: null,
      before: { status: 'open', opening: { banque: 100_000, caisse: 5_000 } },
      after: { status: 'open', opening: { banque: 123_456, caisse: 5_000 } },
    });
  });

  test('once the exercise holds lines, the opening changes only with a reason (422 naming reason)', async () => {
    expect((await mA.put(A, uuid(), expense('001'))).status).toBe(201);
    const before = await history(mA, A, 2025);
    for (const body of [
      { opening: { banque: 1, caisse: 5_000 } },
      { opening: { banque: 1, caisse: 5_000 }, reason: '   ' },
      { opening: { banque: 1, caisse: 5_000 }, reason: null },
    ]) {
      const refused = await mA.request('PUT', exercisePath(A, 2025), body);
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([
        {
          field: 'reason',
          message: `reason : l’exercice ${exerciseLabel(2025)} contient déjà 1 ligne ; indiquez pourquoi le report à nouveau change.`,
        },
      ]);
    }
    // Nothing changed, nothing written.
    expect((await mA.request('GET', exercisePath(A, 2025))).body.opening).toEqual({ banque: 100_000, caisse: 5_000 });
    expect(await history(mA, A, 2025)).toEqual(before);

    const reason = 'Relevé du 31/08 relu : le solde reporté était faux de 10 €';
    const ok = await t87.request('PUT', exercisePath(A, 2025), { opening: { banque: 101_000, caisse: 5_000 }, reason });
    expect(ok.status).toBe(200);
    const last = (await history(mA, A, 2025)).at(-1);
    expect(last).toMatchObject({
      action: 'opening',
      login: WORLD.logins.t87,
      reason,
      before: { opening: { banque: 100_000, caisse: 5_000 } },
      after: { opening: { banque: 101_000, caisse: 5_000 } },
    });
  });

  test('a reason holds no control character (422 naming reason)', async () => {
    const r = await mA.request('PUT', exercisePath(A, 2025), {
      opening: { banque: 7, caisse: 5_000 },
      reason: 'erreur\u0000',
    });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toEqual({
      field: 'reason',
      message: 'raison (reason) : caractère de contrôle interdit (U+0000)',
    });
  });

  test('closing and reopening are audited; a closed exercise refuses a new opening', async () => {
    const ex = await service.db.models.Exercise.findOne({
      where: { coopId: (await service.db.models.Coop.findOne({ where: { number: B } }))!.id, year: 2025 },
    });
    await setExerciseStatus(service.db, ex!.id, 'closed', { reason: 'clôture de test' });
    const refused = await mB.request('PUT', exercisePath(B, 2025), { opening: { banque: 1, caisse: 1 }, reason: 'x' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('exercice_clos');
    await setExerciseStatus(service.db, ex!.id, 'open', { reason: 'réouverture demandée par l’école' });
    const actions = (await history(mB, B, 2025)).map((h) => [h.action, h.reason, h.after.status]);
    expect(actions.slice(-2)).toEqual([
      ['close', 'clôture de test', 'closed'],
      ['reopen', 'réouverture demandée par l’école', 'open'],
    ]);
  });

  test('past exercises open; none beyond the next one (422 naming year)', async () => {
    expect((await mA.request('PUT', exercisePath(A, 2019), { opening: { banque: 0, caisse: 0 } })).status).toBe(200);
    expect((await mA.request('PUT', exercisePath(A, current + 1), { opening: { banque: 0, caisse: 0 } })).status).toBe(
      200,
    );
    const far = await mA.request('PUT', exercisePath(A, current + 2), { opening: { banque: 0, caisse: 0 } });
    expect(far.status).toBe(422);
    expect(far.body.errors).toEqual([
      {
        field: 'year',
        message: `year : l’exercice ${exerciseLabel(current + 2)} ne peut pas encore être ouvert (au plus tard : ${exerciseLabel(current + 1)}).`,
      },
    ]);
    expect((await mA.request('GET', exercisePath(A, current + 2))).status).toBe(404);
    expect((await mA.request('PUT', exercisePath(A, 2100), { opening: { banque: 0, caisse: 0 } })).status).toBe(422);
  });

  test('the history of another coop’s exercise is not found', async () => {
    const r = await mB.request('GET', `${exercisePath(A, 2025)}/history`);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toContain('101000');
  });
});
