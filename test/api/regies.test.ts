/**
 * The régies d'avance and the synthèse des actions through the service: per holder, given,
 * spent by chapter, returned and balance, the régie not back to zero reported with its lines;
 * per action, the same figures as the shared actionsSummary (the Actions sheet's function).
 */
import { actionsSummary, type LineInput } from '../../templates/definition';
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

const A = WORLD.coops.A;
const base = `/api/coops/${A}/exercises/2025`;

const given = (pj: string, holder: string | null, amount: number, date: string): LineInput => ({
  ...expense(pj, amount),
  date,
  libelle: `Régie ${holder ?? '?'} – avance`,
  kind: 'regie_versee',
  ventilation: [],
  holder,
});
const spent = (
  pj: string,
  holder: string,
  date: string,
  parts: Record<string, number>,
  action: string | null = null,
) => {
  const amount = Object.values(parts).reduce((s, a) => s + a, 0);
  return {
    ...expense(pj, amount),
    date,
    libelle: `Régie ${holder} – ticket ${pj}`,
    account: 'regie',
    mode: 'especes',
    cheque: null,
    action,
    ventilation: Object.entries(parts).map(([chapter, a]) => ({ chapter, amount: a })),
    holder,
  } satisfies LineInput;
};
const returned = (pj: string, holder: string, amount: number, date: string): LineInput => ({
  ...given(pj, holder, amount, date),
  libelle: `Régie ${holder} – reliquat`,
  kind: 'regie_remboursee',
  account: 'caisse',
  mode: 'especes',
  cheque: null,
});

describe.each(DATABASES)('les régies d’avance et les actions ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  const lines: [string, LineInput][] = [
    [uuid(), given('01', 'Mme Martin', 15_000, '2025-10-01')],
    [uuid(), spent('02', 'Mme Martin', '2025-10-08', { '6180': 7_000, '6070': 2_000 }, 'Classe verte')],
    [uuid(), spent('03', 'Mme Martin', '2025-10-10', { '6180': 4_000 }, 'Classe verte')],
    [uuid(), returned('04', 'Mme Martin', 2_000, '2025-10-20')],
    [uuid(), given('05', 'M. Durand', 10_000, '2025-11-03')],
    [uuid(), spent('06', 'M. Durand', '2025-11-12', { '6180': 6_000 })],
    // A régie given without its holder: kept as a draft, reported.
    [uuid(), given('07', null, 5_000, '2025-11-20')],
    // Actions: receipts and expenses, an internal operation, a draft (unbalanced).
    [
      uuid(),
      {
        ...expense('08', 48_000),
        libelle: 'Familles – photos',
        kind: 'recette',
        action: 'Photos scolaires',
        ventilation: [{ chapter: '7070', amount: 48_000 }],
      },
    ],
    [
      uuid(),
      { ...expense('09', 31_000), action: 'Photos scolaires', ventilation: [{ chapter: '6070', amount: 31_000 }] },
    ],
    [
      uuid(),
      {
        ...expense('10', 2_000),
        kind: 'depot',
        mode: null,
        cheque: null,
        action: 'Photos scolaires',
        ventilation: [],
      },
    ],
    [
      uuid(),
      { ...expense('11', 9_000), action: 'Photos scolaires', ventilation: [{ chapter: '6070', amount: 8_000 }] },
    ],
    [
      uuid(),
      {
        ...expense('12', 1_500),
        kind: 'recette',
        account: 'caisse',
        mode: 'especes',
        cheque: null,
        action: 'Épicerie solidaire',
        ventilation: [{ chapter: '7080', amount: 1_500 }],
      },
    ],
  ];
  const idOf = (pj: string) => lines.find(([, l]) => l.pj === pj)![0];
  const ref = (pj: string) => {
    const l = lines.find(([, x]) => x.pj === pj)!;
    return { id: l[0], pj, date: l[1].date, libelle: l[1].libelle, kind: l[1].kind, amount: l[1].amount };
  };

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
    const sync = await mA.request('POST', `${base}/sync`, { lines: lines.map(([id, line]) => ({ id, line })) });
    expect(sync.body.counts).toMatchObject({ stored: lines.length });
  });
  afterAll(() => service.stop());

  test('per holder: given, spent by chapter, returned, balance; the régie not back to zero is reported', async () => {
    const r = await mA.request('GET', `${base}/regies`);
    expect(r.status).toBe(200);
    expect(r.body.regies).toEqual([
      {
        holder: 'M. Durand',
        given: 10_000,
        spent: 6_000,
        spentByChapter: [{ chapter: '6180', amount: 6_000 }],
        returned: 0,
        balance: 4_000,
        lines: [ref('05'), ref('06')],
      },
      {
        holder: 'Mme Martin',
        given: 15_000,
        spent: 13_000,
        spentByChapter: [
          { chapter: '6070', amount: 2_000 },
          { chapter: '6180', amount: 11_000 },
        ],
        returned: 2_000,
        balance: 0,
        lines: [ref('01'), ref('02'), ref('03'), ref('04')],
      },
    ]);
    expect(r.body.problems).toEqual([
      {
        code: 'regie_non_soldee',
        severity: 'error',
        message:
          'La régie de M. Durand n’est pas soldée : 40,00\u00a0€ restent à justifier. Saisissez les dépenses payées avec la régie, ou le reliquat rendu (« Régie remboursée »).',
        lines: [idOf('05'), idOf('06')],
      },
      {
        code: 'regie_sans_titulaire',
        severity: 'error',
        message:
          '1 ligne de régie d’avance n’indique pas son titulaire (PJ 07) : indiquez sur chacune l’enseignant qui tient la régie.',
        lines: [idOf('07')],
      },
    ]);
  });

  test('the régie settled: M. Durand returns the rest, nothing left to report but the line without holder', async () => {
    const id = uuid();
    expect((await mA.put(A, id, returned('13', 'M. Durand', 4_000, '2025-11-30'))).status).toBe(201);
    const r = await mA.request('GET', `${base}/regies`);
    expect(r.body.regies.map((x: { holder: string; balance: number }) => [x.holder, x.balance])).toEqual([
      ['M. Durand', 0],
      ['Mme Martin', 0],
    ]);
    expect(r.body.problems.map((p: { code: string }) => p.code)).toEqual(['regie_sans_titulaire']);
    const gone = await mA.request('DELETE', `${mA.linesPath(A)}/${id}`, undefined, { 'If-Match': '"1"' });
    expect(gone.status).toBe(200);
  });

  test('actions: the figures of actionsSummary over the validated lines, in the Actions sheet’s order', async () => {
    const r = await mA.request('GET', `${base}/actions`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { action: 'Classe verte', receipts: 0, expenses: 13_000, result: -13_000, lines: 2 },
      { action: 'Épicerie solidaire', receipts: 1_500, expenses: 0, result: 1_500, lines: 1 },
      { action: 'Photos scolaires', receipts: 48_000, expenses: 31_000, result: 17_000, lines: 2 },
    ]);
    const all = (await mA.request('GET', mA.linesPath(A))).body.lines as (LineInput & { status: string })[];
    expect(
      all
        .filter((l) => l.status === 'draft')
        .map((l) => l.pj)
        .sort(),
    ).toEqual(['07', '11']);
    const shared = actionsSummary(all.filter((l) => l.status === 'validated'));
    expect(r.body).toEqual(
      shared.map((a) => ({
        action: a.action,
        receipts: a.recettes,
        expenses: a.depenses,
        result: a.resultat,
        lines: a.lignes,
      })),
    );
  });

  test('an exercise without régie nor action answers empty', async () => {
    const mB = await loggedIn(service, WORLD.logins.mB);
    const coopB = `/api/coops/${WORLD.coops.B}/exercises/2025`;
    expect((await mB.request('GET', `${coopB}/regies`)).body).toEqual({ regies: [], problems: [] });
    expect((await mB.request('GET', `${coopB}/actions`)).body).toEqual([]);
    expect((await mB.request('GET', `${base}/regies`)).status).toBe(404);
  });
});
