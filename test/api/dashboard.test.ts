/**
 * The department's dashboard through the HTTP API: who may see it; on a department generated
 * through the API (an empty exercise, a coop with no exercise, a generated year, drafts, an
 * imported statement, a clean year ready to close, a closed one with its compte rendu), every
 * figure equal to what the coop's own endpoints say (lines, closure errors, statement, cash
 * counts, archives); the blockers following a change made after a check (snapshot stale) and the
 * day (date_trop_tot); filter, order, totals; the CSV and the xlsx read back.
 */
import ExcelJS from 'exceljs';
import {
  DASHBOARD_COLUMNS,
  DASHBOARD_STATES,
  byAttention,
  defaultDashboardExercise,
  touchesBank,
  type DashboardCoop,
  type DashboardJson,
  type LineInput,
} from '../../templates/definition';
import { generateYear } from '../../server/demo/year';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import type { Principal } from '../../server/operations/access';
import { departmentDashboard } from '../../server/operations/dashboard';
import { toOfx2 } from '../fixtures/statement-files';
import { Client, DATABASES, expense, startTestService, uuid, type TestService } from './harness';

const PASSWORD = 'mot-de-passe-69';
const C = {
  empty: '069-0001',
  none: '069-0002',
  generated: '069-0003',
  drafts: '069-0004',
  statement: '069-0005',
  ready: '069-0006',
  closed: '069-0007',
} as const;
const OTHER = '013-0001';
const base = (coop: string) => `/api/coops/${coop}/exercises/2025`;
const DASHBOARD = '/api/departments/69/dashboard';
const ADMIN: Principal = { userId: 0, login: 'test', role: 'admin', coopId: null, departmentCode: null };

const receipt = (pj: string, amount: number, extra: Partial<LineInput> = {}): LineInput => ({
  ...expense(pj, amount),
  date: '2025-10-10',
  libelle: `Familles – participation ${pj}`,
  kind: 'recette',
  mode: 'virement',
  cheque: null,
  ventilation: [{ chapter: '7560', amount }],
  ...extra,
});

describe('the default exercise of the dashboard', () => {
  test.each([
    ['2026-11-23', 2025],
    ['2026-09-02', 2025],
    ['2026-12-31', 2025],
    ['2027-01-01', 2026],
    ['2026-06-15', 2025],
    ['2026-08-31', 2025],
    ['2026-04-30', 2025],
  ])('on %s: %i', (day, year) => expect(defaultDashboardExercise(day)).toBe(year));
});

describe.each(DATABASES)('the department’s dashboard on $name', (kind) => {
  let service: TestService;
  let t69: Client;
  let clock = new Date(2026, 8, 2, 12); // 2 September 2026: the year 2025-2026 can close
  const ids = { paid: uuid(), late: uuid(), readyPaid: uuid(), closedPaid: uuid() };

  const login = (l: string) => new Client(service.url).login(l, PASSWORD);
  const dashboard = async (query = '', client = t69) => {
    const r = await client.request<DashboardJson>('GET', `${DASHBOARD}${query}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const point = async (api: Client, coop: string, id: string) => {
    const line = await api.request<{ version: number }>('GET', `${base(coop)}/lines/${id}`);
    const r = await api.request(
      'POST',
      `${base(coop)}/lines/${id}/pointage`,
      { pointed: true },
      { 'If-Match': `"${line.body.version}"` },
    );
    expect(r.status).toBe(200);
  };
  /** A clean year: one cheque paid and pointed, the statement of 31 August entered. */
  const cleanYear = async (coop: string, id: string) => {
    expect((await t69.put(coop, id, expense('001', 4_590))).status).toBe(201);
    await point(t69, coop, id);
    const r = await t69.request('PATCH', `/api/coops/${coop}`, {
      lastStatement: { date: '2026-08-31', balance: 100_000 - 4_590 },
    });
    expect(r.status).toBe(200);
  };

  /** What the coop's own endpoints say, for the fields of the dashboard. */
  async function expected(number: string): Promise<Omit<DashboardCoop, 'name' | 'school' | 'state'>> {
    const exercise = await t69.request('GET', base(number));
    if (exercise.status === 404) {
      return {
        number,
        blockers: [],
        lines: 0,
        drafts: 0,
        lastSync: null,
        unpointedBankLines: 0,
        lastStatement: null,
        lastCashCount: null,
        crfSent: false,
      };
    }
    const listed = (await t69.request('GET', `${base(number)}/lines?since=0`)).body;
    const all = [...listed.lines, ...listed.tombstones] as {
      deleted?: boolean;
      status: string;
      pointed: boolean;
      kind: LineInput['kind'];
      account: LineInput['account'];
      amount: number;
      updatedAt: string;
    }[];
    const live = all.filter((l) => !l.deleted);
    const closure = (await t69.request('GET', `${base(number)}/closure`)).body;
    const counts = (await t69.request('GET', `${base(number)}/cash-counts`)).body as { date: string }[];
    const archives = (await t69.request('GET', `${base(number)}/archives`)).body as { kind: string }[];
    const closed = exercise.body.status === 'closed';
    const errors: string[] = closure.problems
      .filter((p: { severity: string }) => p.severity === 'error')
      .map((p: { code: string }) => p.code);
    const statement = closure.figures.statement;
    return {
      number,
      blockers: closed ? [] : [...new Set(errors)],
      lines: live.length,
      drafts: live.filter((l) => l.status !== 'validated').length,
      lastSync: all.length
        ? all
            .map((l) => l.updatedAt)
            .sort()
            .at(-1)!
        : null,
      unpointedBankLines: live.filter((l) => l.status === 'validated' && !l.pointed && l.amount !== 0 && touchesBank(l))
        .length,
      lastStatement: statement ? { date: statement.date, balance: statement.balance } : null,
      lastCashCount: counts.length
        ? counts
            .map((c) => c.date)
            .sort()
            .at(-1)!
        : null,
      crfSent: closed && archives.some((a) => a.kind === 'crf'),
    };
  }

  beforeAll(async () => {
    service = await startTestService(kind, { now: () => clock });
    const db = service.db;
    const coops: Record<string, number> = {};
    const names: Record<string, string> = {
      [C.empty]: '=1+2 École du Lac',
      [C.none]: 'École; du Parc',
      [C.generated]: 'École Jean Jaurès',
      [C.drafts]: 'École des Tilleuls',
      [C.statement]: 'École Victor Hugo',
      [C.ready]: 'École Paul Bert',
      [C.closed]: 'École Louise Michel',
    };
    for (const [number, name] of Object.entries(names)) {
      coops[number] = (await addCoop(db, { number, name, department: '69' })).id;
      if (number !== C.none) {
        const opening = number === C.generated ? { banque: 123_456, caisse: 8_520 } : { banque: 100_000, caisse: 0 };
        await openExercise(db, coops[number]!, 2025, opening, { today: '2025-09-01' });
      }
    }
    const other = await addCoop(db, { number: OTHER, name: 'École de Marseille', department: '13' });
    await openExercise(db, other.id, 2025, { banque: 0, caisse: 0 }, { today: '2025-09-01' });
    await addUser(db, { login: 'tresorier.69', password: PASSWORD, department: '69' });
    await addUser(db, { login: 'tresorier.13', password: PASSWORD, department: '13' });
    await addUser(db, { login: 'mandataire.69', password: PASSWORD, coop: C.empty });
    await addUser(db, { login: 'admin.69', password: PASSWORD, role: 'admin' });
    t69 = await login('tresorier.69');
    const t13 = await login('tresorier.13');
    expect((await t13.put(OTHER, uuid(), expense('001', 1_000))).status).toBe(201);

    // A generated year (a few lines a month), synced, its first cash counts entered.
    const year = generateYear({ exercise: 2025, seed: 7, perMonth: 3 });
    const sync = await t69.request('POST', `${base(C.generated)}/sync`, {
      lines: year.lines.map(({ pointed: _p, ...line }) => ({ id: uuid(), line })),
    });
    expect(sync.status).toBe(200);
    for (const count of year.cashCounts.slice(0, 2)) {
      const r = await t69.request('PUT', `${base(C.generated)}/cash-counts/${count.date}`, { counts: count.counts });
      expect(r.status).toBe(201);
    }

    // Drafts: an unbalanced line and a line of the wrong year, beside a valid one.
    expect((await t69.put(C.drafts, uuid(), expense('001', 2_000))).status).toBe(201);
    const unbalanced = expense('002', 5_000, { ventilation: [{ chapter: '6180', amount: 4_550 }] });
    expect((await t69.put(C.drafts, uuid(), unbalanced)).body.status).toBe('draft');
    expect((await t69.put(C.drafts, uuid(), expense('003', 700, { date: '2026-09-02' }))).body.status).toBe('draft');

    // An imported statement that shows the first cheque, not the second nor the receipt.
    expect((await t69.put(C.statement, ids.paid, expense('001', 4_590))).status).toBe(201);
    expect((await t69.put(C.statement, ids.late, expense('002', 1_200, { date: '2025-10-02' }))).status).toBe(201);
    expect((await t69.put(C.statement, uuid(), receipt('003', 3_000))).status).toBe(201);
    const ofx = toOfx2({
      format: 'ofx',
      account: '00012345678',
      period: { from: '2025-09-01', to: '2025-09-30' },
      openingBalance: 100_000,
      closingBalance: 100_000 - 4_590,
      lines: [{ date: '2025-09-16', amount: -4_590, label: 'CHEQUE 45001', cheque: '45001', bankRef: null }],
    });
    const imported = await t69.request('POST', `${base(C.statement)}/statements?name=releve.ofx`, ofx, {
      'content-type': 'application/octet-stream',
    });
    expect(imported.status).toBe(201);
    await point(t69, C.statement, ids.paid);

    // Ready, and closed through the service.
    await cleanYear(C.ready, ids.readyPaid);
    await cleanYear(C.closed, ids.closedPaid);
    expect((await t69.request('POST', `${base(C.closed)}/closure`)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
  });

  test('its trésorier and an admin see it; a mandataire, another department’s trésorier: 403; unknown: 404', async () => {
    expect((await dashboard('', await login('admin.69'))).coops).toHaveLength(7);
    for (const who of ['mandataire.69', 'tresorier.13']) {
      const r = await (await login(who)).request('GET', DASHBOARD);
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body.code).toBe('reservee_au_tresorier');
      expect(JSON.stringify(r.body)).not.toContain('École');
    }
    const unknown = await (await login('admin.69')).request('GET', '/api/departments/99/dashboard');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'introuvable']);
    expect((await t69.request('GET', '/api/departments/99/dashboard')).status).toBe(403);
    expect((await new Client(service.url).request('GET', DASHBOARD)).status).toBe(401);
    const bad = await t69.request('GET', `${DASHBOARD}?state=perdu`);
    expect([bad.status, bad.body.errors?.[0]?.field ?? bad.body.detail]).toEqual([
      422,
      expect.stringContaining('state'),
    ]);
  });

  test('every figure is what the coop’s own endpoints say', async () => {
    const body = await dashboard();
    expect(body).toMatchObject({ department: '69', exercise: 2025, label: '2025-2026', date: '2026-09-02' });
    expect(body.coops.map((c) => c.number).sort()).toEqual(Object.values(C).sort());
    for (const c of body.coops) {
      const { name: _n, school: _s, state: _st, ...figures } = c;
      expect(figures).toEqual(await expected(c.number));
    }
    const by = new Map(body.coops.map((c) => [c.number, c]));
    expect(by.get(C.empty)).toMatchObject({ state: 'vide', lines: 0 });
    expect(by.get(C.none)).toMatchObject({ state: 'vide', lines: 0, blockers: [] });
    expect(by.get(C.generated)!.state).toBe('bloque');
    expect(by.get(C.generated)!.lastCashCount).not.toBeNull();
    expect(by.get(C.drafts)).toMatchObject({ state: 'bloque', drafts: 2, lines: 3 });
    expect(by.get(C.drafts)!.blockers).toContain('lignes_brouillon');
    expect(by.get(C.statement)).toMatchObject({
      state: 'bloque',
      unpointedBankLines: 2,
      lastStatement: { date: '2025-09-30', balance: 95_410 },
    });
    expect(by.get(C.ready)).toMatchObject({
      state: 'pret',
      blockers: [],
      lastStatement: { date: '2026-08-31', balance: 95_410 },
    });
    expect(by.get(C.closed)).toMatchObject({ state: 'cloture', crfSent: true, blockers: [] });
  });

  test('sorted by attention; totals over every coop whatever the filter; the filter', async () => {
    const body = await dashboard();
    expect(body.coops).toEqual([...body.coops].sort(byAttention));
    const ranks = body.coops.map((c) => DASHBOARD_STATES.indexOf(c.state));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const count = (s: string) => body.coops.filter((c) => c.state === s).length;
    expect(body.totals).toEqual({
      coops: 7,
      byState: { bloque: count('bloque'), vide: 2, pret: 1, cloture: 1 },
      lines: body.coops.reduce((s, c) => s + c.lines, 0),
      drafts: body.coops.reduce((s, c) => s + c.drafts, 0),
      unpointedBankLines: body.coops.reduce((s, c) => s + c.unpointedBankLines, 0),
      crfSent: 1,
    });
    for (const state of DASHBOARD_STATES) {
      const filtered = await dashboard(`?state=${state}&exercise=2025`);
      expect(filtered.totals).toEqual(body.totals);
      expect(filtered.coops).toEqual(body.coops.filter((c) => c.state === state));
    }
    // Another exercise: no coop has it (a closed year opens the next one).
    const next = await dashboard('?exercise=2026');
    expect(next.coops.find((c) => c.number === C.closed)).toMatchObject({ state: 'vide', lines: 0 });
    expect(next.totals.byState.vide).toBe(7);
  });

  test('the snapshots hold until something changes; a change after a check makes the blockers follow', async () => {
    const q = { department: '69', exercise: 2025, today: '2026-09-02' };
    await departmentDashboard(service.db, ADMIN, q);
    expect((await departmentDashboard(service.db, ADMIN, q)).checked).toBe(0);

    // A cheque of October never pointed: the ready coop is blocked now.
    const late = uuid();
    expect((await t69.put(C.ready, late, expense('009', 800, { date: '2025-10-20' }))).status).toBe(201);
    const after = await departmentDashboard(service.db, ADMIN, q);
    expect(after.checked).toBe(1);
    const ready = after.json.coops.find((c) => c.number === C.ready)!;
    expect(ready.state).toBe('bloque');
    expect(ready.blockers).toEqual((await expected(C.ready)).blockers);
    expect(ready.blockers).toEqual(expect.arrayContaining(['pointage_ancien']));

    // A side book (the statement balance entered anew) is a change too.
    const patch = await t69.request('PATCH', `/api/coops/${C.ready}`, {
      lastStatement: { date: '2026-08-31', balance: 100_000 - 4_590 - 800 },
    });
    expect(patch.status).toBe(200);
    const again = await dashboard();
    expect(again.coops.find((c) => c.number === C.ready)!.blockers).toEqual((await expected(C.ready)).blockers);

    // Deleted, the line leaves the coop ready again.
    const line = await t69.request('GET', `${base(C.ready)}/lines/${late}`);
    const del = await t69.request('DELETE', `${base(C.ready)}/lines/${late}`, undefined, {
      'If-Match': `"${line.body.version}"`,
    });
    expect(del.status).toBe(200);
    await t69.request('PATCH', `/api/coops/${C.ready}`, { lastStatement: { date: '2026-08-31', balance: 95_410 } });
    const back = await dashboard();
    expect(back.coops.find((c) => c.number === C.ready)).toMatchObject({ state: 'pret', blockers: [] });
    expect(back.coops.find((c) => c.number === C.ready)!.lastSync).toBe((await expected(C.ready)).lastSync);
  });

  test('a new report à nouveau (the exercise’s history) makes the blockers follow too', async () => {
    const put = (banque: number) =>
      t69.request('PUT', base(C.ready), { opening: { banque, caisse: 0 }, reason: 'Report corrigé' });
    expect((await put(100_100)).status).toBe(200);
    const moved = (await dashboard()).coops.find((c) => c.number === C.ready)!;
    expect(moved.blockers).toContain('rapprochement_ecart');
    expect(moved.blockers).toEqual((await expected(C.ready)).blockers);
    expect((await put(100_000)).status).toBe(200);
    expect((await dashboard()).coops.find((c) => c.number === C.ready)).toMatchObject({ state: 'pret' });
  });

  test('before 31 August every open exercise says date_trop_tot first, as GET …/closure does', async () => {
    clock = new Date(2026, 5, 15, 12); // 15 June 2026
    try {
      const body = await dashboard();
      expect(body.exercise).toBe(2025);
      for (const c of body.coops) {
        if (c.number === C.none || c.state === 'cloture') continue;
        expect(c.blockers[0]).toBe('date_trop_tot');
        expect(c.blockers).toEqual((await expected(c.number)).blockers);
      }
      expect(body.coops.find((c) => c.number === C.ready)!.state).toBe('bloque');
    } finally {
      clock = new Date(2026, 8, 2, 12);
    }
  });

  test('CSV: BOM, semicolons, French headers, JJ/MM/AAAA, euros with a comma, formula-like cells made inert', async () => {
    const res = await fetch(`${service.url}${DASHBOARD}?format=csv`, {
      headers: { authorization: `Bearer ${t69.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toContain('tableau-de-bord-69-2025-2026.csv');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = bytes.toString('utf8').slice(1).split('\r\n');
    expect(rows[0]).toBe(DASHBOARD_COLUMNS.map((c) => c.header).join(';'));
    expect(rows.at(-1)).toBe('');
    const json = await dashboard();
    expect(rows.length - 2).toBe(json.coops.length);
    const row = (n: string) => rows.find((r) => r.startsWith(`${n};`))!;
    expect(row(C.empty)).toContain(";'=1+2 École du Lac;");
    expect(row(C.none)).toContain(';"École; du Parc";');
    expect(row(C.ready)).toContain(';31/08/2026 : 954,10 €;');
    expect(row(C.ready).split(';').at(-1)).toBe('non');
    expect(row(C.closed).split(';').at(-1)).toBe('oui');
    const generated = json.coops.find((c) => c.number === C.generated)!;
    const [y, m, d] = generated.lastCashCount!.split('-');
    expect(row(C.generated)).toContain(`;${d}/${m}/${y};`);
    expect(row(C.drafts)).toContain(';Clôture bloquée;');
  });

  test('xlsx: one sheet, the same columns, text as text and never a formula', async () => {
    const res = await fetch(`${service.url}${DASHBOARD}?format=xlsx&state=vide`, {
      headers: { authorization: `Bearer ${t69.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets).toHaveLength(1);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(DASHBOARD_COLUMNS.map((c) => c.header));
    expect(ws.rowCount).toBe(3);
    const cells = [2, 3].map((r) => (ws.getRow(r).values as unknown[]).slice(1));
    const lac = cells.find((c) => c[0] === C.empty)!;
    expect(lac[1]).toBe('=1+2 École du Lac');
    for (let r = 2; r <= 3; r++) {
      ws.getRow(r).eachCell((cell) => {
        expect(cell.formula).toBeUndefined();
        expect([ExcelJS.ValueType.String, ExcelJS.ValueType.Number]).toContain(cell.type);
        if (cell.type === ExcelJS.ValueType.String) expect(cell.numFmt).toBe('@');
      });
    }
    expect(lac[4]).toBe(0);
  });
});
