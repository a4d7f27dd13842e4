/** Many clients at once: retries, replays and races never lose nor duplicate a line. */
import { generateYear, prng } from '../../server/demo/year';
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

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe.each(DATABASES)('les accès concurrents ($name)', (kind) => {
  let service: TestService;
  let mB: Client;
  const A = WORLD.coops.A;
  const B = WORLD.coops.B;
  const C = WORLD.coops.C;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mB = await loggedIn(service, WORLD.logins.mB);
  });
  afterAll(() => service.stop());

  test('1,000 lines replayed 3× in shuffled concurrent batches: exactly 1,000 lines', async () => {
    const year = generateYear({ seed: 11, perMonth: 90 });
    const lines = year.lines
      .slice(0, 1000)
      .map(({ pointed: _p, ...line }, i) => ({ id: uuid(), line: { ...line, pj: String(i + 1).padStart(4, '0') } }));
    expect(lines).toHaveLength(1000);
    const rand = prng(5);
    const batches = [0, 1, 2].flatMap(() => {
      const order = shuffle(lines, rand);
      return [order.slice(0, 400), order.slice(400, 750), order.slice(750)];
    });
    const replies = await Promise.all(
      shuffle(batches, rand).map((b) => mB.request('POST', `/api/coops/${B}/exercises/2025/sync`, { lines: b })),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    const counts = replies.reduce(
      (acc, r) => {
        for (const [k, v] of Object.entries(r.body.counts as Record<string, number>)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      },
      {} as Record<string, number>,
    );
    expect(counts).toEqual({ stored: 1000, unchanged: 2000, conflict: 0, invalid: 0 });
    const list = await mB.request('GET', `/api/coops/${B}/exercises/2025/lines`);
    expect(list.body.lines).toHaveLength(1000);
    expect(new Set(list.body.lines.map((l: { id: string }) => l.id))).toEqual(new Set(lines.map((l) => l.id)));
    expect(
      list.body.lines.every((l: { status: string; version: number }) => l.status === 'validated' && l.version === 1),
    ).toBe(true);
    // Replaying once more changes nothing, not even the cursor.
    const again = await mB.request('POST', `/api/coops/${B}/exercises/2025/sync`, { lines });
    expect(again.body.counts).toEqual({ stored: 0, unchanged: 1000, conflict: 0, invalid: 0 });
    expect(again.body.cursor).toBe(list.body.cursor);
    const audits = await service.db.models.Audit.count();
    expect(audits).toBeGreaterThanOrEqual(1000);
  });

  test('a batch answers per line: stored, conflict, invalid; the rest is stored', async () => {
    const id = uuid();
    await mB.put(B, id, expense('500'));
    const fresh = uuid();
    const r = await mB.request('POST', `/api/coops/${B}/exercises/2025/sync`, {
      lines: [
        { id: fresh, line: expense('501') },
        { id, version: 7, line: expense('500', 10) },
        { id: uuid(), line: { ...expense('502'), amount: '12,00' } },
        { id, version: 1, deleted: true },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { result: string }) => x.result)).toEqual([
      'stored',
      'conflict',
      'invalid',
      'stored',
    ]);
    expect(r.body.results[1].line).toMatchObject({ id, version: 1 });
    expect(r.body.results[2].errors).toEqual([
      { field: 'lines[2].line.amount', message: 'montant : nombre de centimes attendu' },
    ]);
    expect(r.body.results[3].line).toMatchObject({ id, deleted: true, version: 2 });
    expect((await mB.request('GET', `/api/coops/${B}/exercises/2025/lines/${fresh}`)).status).toBe(200);
  });

  test('50 concurrent writers on one line: one wins, 49 get 412, no lost update', async () => {
    const id = uuid();
    await mB.put(B, id, expense('600', 100));
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => mB.put(B, id, expense('600', 1_000 + i), 1)),
    );
    const won = replies.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(replies.filter((r) => r.status === 412)).toHaveLength(49);
    for (const r of replies.filter((x) => x.status === 412)) expect(r.body.current).toMatchObject({ version: 2 });
    const stored = await mB.request('GET', `/api/coops/${B}/exercises/2025/lines/${id}`);
    expect(stored.body).toMatchObject({ version: 2, amount: won[0]!.body.amount });
    const history = await mB.request('GET', `/api/coops/${B}/exercises/2025/lines/${id}/history`);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['create', 'replace']);
  });

  test('50 concurrent writers of new lines: every one stored, never a busy database', async () => {
    const mC = await loggedIn(service, WORLD.logins.mC);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => mC.put(C, uuid(), expense(String(700 + i)))),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
    const list = await mC.request('GET', `/api/coops/${C}/exercises/2025/lines`);
    expect(list.body.lines.filter((l: { status: string }) => l.status === 'validated')).toHaveLength(50);
  });

  test('treasurers of several coops writing at once (one closed year among them): each gets its own answer', async () => {
    const [mA, mC] = await Promise.all([loggedIn(service, WORLD.logins.mA), loggedIn(service, WORLD.logins.mC)]);
    // The same PJ numbers (9000–9019) in every coop: each exercise has its own.
    const sent = Array.from({ length: 60 }, (_, i) => {
      const pj = `90${String(i % 20).padStart(2, '0')}`;
      if (i % 3 === 0) return { coop: A, year: 2025, client: mA, id: uuid(), pj };
      if (i % 3 === 1) return { coop: C, year: 2025, client: mC, id: uuid(), pj };
      return { coop: A, year: 2024, client: mA, id: uuid(), pj };
    });
    const replies = await Promise.all(
      sent.map((s) =>
        s.client.request('PUT', `/api/coops/${s.coop}/exercises/${s.year}/lines/${s.id}`, {
          ...expense(s.pj),
          date: s.year === 2024 ? '2024-10-01' : '2025-10-01',
        }),
      ),
    );
    sent.forEach((s, i) => {
      const r = replies[i]!;
      if (s.year === 2024) {
        expect(r.status).toBe(409);
        expect(r.body.code).toBe('exercice_clos');
      } else {
        expect(r.status).toBe(201);
        expect(r.body.status).toBe('validated');
        expect(r.body.pj).toBe(s.pj);
      }
    });
    for (const [client, coop] of [
      [mA, A],
      [mC, C],
    ] as const) {
      const list = await client.request('GET', `/api/coops/${coop}/exercises/2025/lines`);
      const mine = list.body.lines.filter((l: { pj: string }) => /^90\d\d$/.test(l.pj));
      expect(mine).toHaveLength(20);
      expect(new Set(mine.map((l: { pj: string }) => l.pj)).size).toBe(20);
    }
    const closedList = await mA.request('GET', `/api/coops/${A}/exercises/2024/lines`);
    expect(closedList.body.lines.filter((l: { pj: string }) => /^90\d\d$/.test(l.pj))).toHaveLength(0);
    const history = await mA.request('GET', `/api/coops/${A}/exercises/2025/lines/${sent[0]!.id}/history`);
    expect(history.body.map((h: { action: string; login: string }) => [h.action, h.login])).toEqual([
      ['create', WORLD.logins.mA],
    ]);
  });
});
