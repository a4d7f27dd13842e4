/**
 * Bank statements through the service: import (dry run, then for real, then again), the
 * proposals against a generated quarter, accepting the certain ones, creating and clearing the
 * lines the bank alone knew, and the état de rapprochement reaching a nil gap.
 */
import { formatDateFr } from '../../templates/definition';
import { generateQuarter } from '../fixtures/quarter';
import {
  LCL_MAPPING,
  sampleStatement,
  toCamt053,
  toCfonb120,
  toCsv,
  toOfx1,
  toOfx2,
} from '../fixtures/statement-files';
import { Client, DATABASES, WORLD, loggedIn, seedWorld, startTestService, uuid, type TestService } from './harness';

const A = WORLD.coops.A;
const base = `/api/coops/${A}/exercises/2025`;

describe.each(DATABASES)('les relevés bancaires ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  const quarter = generateQuarter(7);
  // The service takes UUIDs: each line of the quarter gets one.
  const idOf = new Map(quarter.lines.map((l) => [l.id, uuid()]));
  const uuids = (ids: readonly string[]) => ids.map((id) => idOf.get(id)!).sort();
  const file = toOfx2({
    format: 'ofx',
    account: '00012345678',
    period: { from: quarter.from, to: quarter.to },
    openingBalance: null,
    closingBalance: quarter.statementBalance,
    lines: quarter.statement,
  }).toString('utf8');
  const upload = (c: Client, body: string, query = 'name=releve.ofx') =>
    c.request('POST', `${base}/statements?${query}`, body, { 'content-type': 'application/octet-stream' });

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    mA = await loggedIn(service, WORLD.logins.mA);
    await mA.request('PUT', base, { opening: { banque: quarter.opening.banque, caisse: quarter.opening.caisse } });
    const sync = await mA.request('POST', `${base}/sync`, {
      lines: quarter.lines.map(({ id, status: _s, pointed: _p, ...line }) => ({ id: idOf.get(id), line })),
    });
    expect(sync.status).toBe(200);
    for (const l of quarter.lines.filter((x) => x.pointed)) {
      const r = await mA.request(
        'POST',
        `${base}/lines/${idOf.get(l.id)}/pointage`,
        { pointed: true },
        { 'If-Match': '"1"' },
      );
      expect(r.status).toBe(200);
    }
  });
  afterAll(() => service.stop());

  test('a dry run stores nothing and proposes what the import will', async () => {
    const r = await upload(mA, file, 'name=releve.ofx&dryRun=true');
    expect(r.status).toBe(200);
    expect(r.body.lines).toEqual({ read: quarter.statement.length, new: quarter.statement.length, alreadyImported: 0 });
    expect(r.body.statement).toMatchObject({ id: null, format: 'ofx', period: { from: quarter.from, to: quarter.to } });
    expect(await service.db.models.Statement.count()).toBe(0);
    expect(await service.db.models.StatementLine.count()).toBe(0);
  });

  test('the same quarter written in the four formats gets the same proposals', async () => {
    const st = {
      format: 'ofx' as const,
      account: '00012345678',
      period: { from: quarter.from, to: quarter.to },
      openingBalance: 345_210,
      closingBalance: quarter.statementBalance,
      lines: quarter.statement,
    };
    const shape = (body: {
      proposals: { statementLine: { date: string; amount: number }; lines: { id: string }[]; certain: boolean }[];
    }) =>
      body.proposals
        .map(
          (p) =>
            `${p.statementLine.date} ${p.statementLine.amount} ${p.lines
              .map((l) => l.id)
              .sort()
              .join('+')} ${p.certain}`,
        )
        .sort();
    const reference = shape((await upload(mA, file, 'name=releve.ofx&dryRun=true')).body);
    expect(reference.length).toBeGreaterThan(10);
    for (const [name, bytes] of [
      ['releve.ofx', toOfx1(st)],
      ['releve.txt', toCfonb120(st, '\r\n')],
      ['releve.xml', toCamt053(st)],
      ['releve.csv', toCsv(st, 'societe-generale')],
    ] as const) {
      const r = await mA.request('POST', `${base}/statements?name=${name}&dryRun=true`, bytes, {
        'content-type': 'application/octet-stream',
      });
      expect([name, r.status, r.status === 200 ? '' : r.body.detail]).toEqual([name, 200, '']);
      expect([name, shape(r.body)]).toEqual([name, reference]);
    }
  });

  test('the import stores the lines once, proposes the expected matches, and a re-import adds nothing', async () => {
    const r = await upload(mA, file);
    expect(r.status).toBe(201);
    expect(r.body.lines.new).toBe(quarter.statement.length);
    const expected = new Map(quarter.expected.matches.map((m) => [m.statementIndex, uuids(m.lineIds)]));
    const byLine = new Map(quarter.statement.map((l, i) => [`${l.date}|${l.amount}|${l.label}`, i]));
    for (const p of r.body.proposals) {
      const i = byLine.get(`${p.statementLine.date}|${p.statementLine.amount}|${p.statementLine.label}`)!;
      if (p.certain) expect(p.lines.map((l: { id: string }) => l.id).sort()).toEqual(expected.get(i));
      expect(p.reasons.length).toBeGreaterThan(0);
      expect(typeof p.statementLine.id).toBe('number');
    }
    expect(r.body.proposals.filter((p: { certain: boolean }) => p.certain).length).toBeGreaterThan(3);
    const again = await upload(mA, file);
    expect(again.status).toBe(200);
    expect(again.body.statement.id).toBe(r.body.statement.id);
    expect(again.body.lines).toEqual({
      read: quarter.statement.length,
      new: 0,
      alreadyImported: quarter.statement.length,
    });
    expect(await service.db.models.StatementLine.count()).toBe(quarter.statement.length);
  });

  test('accepting the certain proposals points their lines with the statement line, in one click', async () => {
    const [statement] = (await mA.request('GET', `${base}/statements`)).body;
    const before = (await mA.request('GET', `${base}/statements/${statement.id}`)).body;
    const certain = before.proposals.filter((p: { certain: boolean }) => p.certain);
    const r = await mA.request('POST', `${base}/statements/${statement.id}/accept`, { certain: true });
    expect(r.status).toBe(200);
    const ids = certain.flatMap((p: { lines: { id: string }[] }) => p.lines.map((l) => l.id)).sort();
    expect(r.body.pointed.map((l: { id: string }) => l.id).sort()).toEqual(ids);
    for (const l of r.body.pointed) expect(l).toMatchObject({ pointed: true, statementLineId: expect.any(Number) });
    const after = (await mA.request('GET', `${base}/statements/${statement.id}`)).body;
    expect(after.proposals.filter((p: { certain: boolean }) => p.certain)).toEqual([]);
    const history = (await mA.request('GET', `${base}/lines/${ids[0]}/history`)).body;
    expect(history.at(-1)).toMatchObject({ action: 'pointage', login: WORLD.logins.mA });
  });

  test('a proposal whose lines do not make the amount is refused; a stale version gets 412', async () => {
    const [statement] = (await mA.request('GET', `${base}/statements`)).body;
    const detail = (await mA.request('GET', `${base}/statements/${statement.id}`)).body;
    const open = detail.lines.filter((l: { cleared: unknown[] }) => l.cleared.length === 0);
    const p = detail.proposals[0];
    const other = open.find((l: { id: number; amount: number }) => l.amount !== p.statementLine.amount);
    const wrong = await mA.request('POST', `${base}/statements/${statement.id}/accept`, {
      accept: [
        {
          statementLine: other.id,
          lines: p.lines.map((l: { id: string; version: number }) => ({ id: l.id, version: l.version })),
        },
      ],
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('montants_differents');
    const stale = await mA.request('POST', `${base}/statements/${statement.id}/accept`, {
      accept: [
        {
          statementLine: p.statementLine.id,
          lines: p.lines.map((l: { id: string; version: number }) => ({ id: l.id, version: l.version + 5 })),
        },
      ],
    });
    expect(stale.status).toBe(412);
    expect(stale.body.current.id).toBe(p.lines[0].id);
  });

  test('after every match is accepted and the bank-only lines are entered, the état de rapprochement is nil', async () => {
    const [statement] = (await mA.request('GET', `${base}/statements`)).body;
    let detail = (await mA.request('GET', `${base}/statements/${statement.id}`)).body;
    const accepted = await mA.request('POST', `${base}/statements/${statement.id}/accept`, {
      accept: detail.proposals.map(
        (p: { statementLine: { id: number }; lines: { id: string; version: number }[] }) => ({
          statementLine: p.statementLine.id,
          lines: p.lines.map((l) => ({ id: l.id, version: l.version })),
        }),
      ),
    });
    expect(accepted.status).toBe(200);
    // The lines only the bank knew: created from their suggestion, then cleared.
    let pj = 900;
    for (const u of detail.unmatched) {
      const id = uuid();
      const created = await mA.put(A, id, { ...u.suggestion, pj: String(pj++) });
      expect(created.status).toBe(201);
      if (created.body.status !== 'validated') {
        // No chapter guessed: the treasurer picks one (here the first charge or produit chapter).
        const chapter = u.statementLine.amount < 0 ? '6500' : '7700';
        const fixed = await mA.put(
          A,
          id,
          { ...u.suggestion, pj: created.body.pj, ventilation: [{ chapter, amount: created.body.amount }] },
          created.body.version,
        );
        expect(fixed.body.status).toBe('validated');
      }
    }
    detail = (await mA.request('GET', `${base}/statements/${statement.id}`)).body;
    const rest = await mA.request('POST', `${base}/statements/${statement.id}/accept`, {
      accept: detail.proposals.map(
        (p: { statementLine: { id: number }; lines: { id: string; version: number }[] }) => ({
          statementLine: p.statementLine.id,
          lines: p.lines.map((l) => ({ id: l.id, version: l.version })),
        }),
      ),
    });
    expect(rest.status).toBe(200);
    const rec = await mA.request('GET', `${base}/reconciliation?date=${quarter.to}`);
    expect(rec.status).toBe(200);
    expect(rec.body).toMatchObject({ date: quarter.to, statementBalance: quarter.statementBalance, gap: 0 });
    const outstanding = [...rec.body.outstanding.payments.lines, ...rec.body.outstanding.receipts.lines].map(
      (l: { id: string }) => l.id,
    );
    expect(outstanding.sort()).toEqual(uuids(quarter.expected.outstanding));
    expect(rec.body.statement).toMatchObject({ id: statement.id, date: quarter.to });
    expect(formatDateFr(rec.body.date)).toBe(formatDateFr(quarter.to));
  });

  test('a file that is not a statement is refused in French, nothing stored', async () => {
    const before = await service.db.models.StatementLine.count();
    const r = await upload(mA, '%PDF-1.4\n1 0 obj\n', 'name=releve.pdf');
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('releve_illisible');
    expect(r.body.detail).toMatch(/releve\.pdf/);
    expect(r.body.detail).toMatch(/OFX/);
    const broken = await upload(mA, file.replace('<TRNAMT>', '<TRNAMT>x'), 'name=casse.ofx');
    expect(broken.status).toBe(422);
    expect(broken.body.detail).toMatch(/^Fichier « casse\.ofx », ligne \d+ : /);
    expect(await service.db.models.StatementLine.count()).toBe(before);
  });

  test('a CSV whose columns are not recognised: refused with its cells, read with a mapping kept for the coop', async () => {
    const csv = toCsv(sampleStatement(), 'lcl').toString('latin1');
    const upload = (query: string) =>
      mA.request('POST', `${base}/statements?name=lcl.csv${query}`, csv, {
        'content-type': 'application/octet-stream',
      });
    const refused = await upload('');
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'releve_illisible', reason: 'colonnes_introuvables' });
    expect(refused.body.headerCells.length).toBeGreaterThan(3);
    const badMapping = await upload(`&mapping=${encodeURIComponent('{"date":0}')}`);
    expect(badMapping.status).toBe(422);
    expect(badMapping.body.errors[0].field).toBe('mapping');
    const read = await upload(`&mapping=${encodeURIComponent(JSON.stringify(LCL_MAPPING))}`);
    expect(read.status).toBe(201);
    expect(read.body.lines.new).toBe(sampleStatement().lines.length);
    // The next export of the same bank is read with the mapping kept.
    const again = await upload('');
    expect(again.status).toBe(200);
    expect(again.body.lines).toMatchObject({ new: 0, alreadyImported: sampleStatement().lines.length });
  });

  test('another coop’s statements are not found', async () => {
    const mB = await loggedIn(service, WORLD.logins.mB);
    const [statement] = (await mA.request('GET', `${base}/statements`)).body;
    const r = await mB.request('GET', `/api/coops/${WORLD.coops.B}/exercises/2025/statements/${statement.id}`);
    expect(r.status).toBe(404);
    expect((await mB.request('GET', `/api/coops/${WORLD.coops.B}/exercises/2025/statements`)).body).toEqual([]);
  });
});
