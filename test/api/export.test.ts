/**
 * The export of cahier workbooks: GET …/workbook.xlsx (every live line, drafts marked and not
 * counted, ids and versions in the hidden columns, text never turned into a formula), its round
 * trip through the import of old cahiers into an empty coop, the demo's export recalculated by
 * LibreOffice against the JSON compte rendu, and a department's zip.
 */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import {
  DEFAULT_CHART,
  HEADER_ROW,
  FIRST_DATA_ROW,
  SHEETS,
  cahierLayout,
  exerciseLabel,
  statusText,
  type Crf,
  type LineInput,
} from '../../templates/definition';
import { recalculateXlsx } from '../../server/libreoffice';
import { addCoop } from '../../server/operations/accounts';
import { centsAt, errorCells, expectCrfSheets, loadWorkbook, rowWith, shown, textAt } from '../workbook/read';
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
const YEAR = 2025;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const INJECTION = '=HYPERLINK("http://x","y")';
const layout = cahierLayout(DEFAULT_CHART);
const letter = (key: string) => layout.byKey.get(key)!.letter;

async function download(c: Client, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(`${c.base}${path}`, { headers: { Authorization: `Bearer ${c.token ?? ''}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const workbookPath = (coop: string, year = YEAR) => `/api/coops/${coop}/exercises/${year}/workbook.xlsx`;

/** The filled rows of the Cahier sheet: each cell as the sheet shows it, by column key. */
function cahierRows(wb: ExcelJS.Workbook): Record<string, unknown>[] {
  const ws = wb.getWorksheet(SHEETS.cahier)!;
  // The header row is the definition's (the reader of the sheet relies on it too).
  for (const c of layout.columns) expect(textAt(ws, `${c.letter}${HEADER_ROW}`)).toBe(c.header);
  const rows: Record<string, unknown>[] = [];
  for (let r = FIRST_DATA_ROW; textAt(ws, `${letter('id')}${r}`) !== ''; r++) {
    rows.push(Object.fromEntries(layout.columns.map((c) => [c.key, shown(ws.getCell(`${c.letter}${r}`))])));
  }
  return rows;
}

interface ApiLine extends LineInput {
  id: string;
  version: number;
  status: 'draft' | 'validated';
  problems: { severity: string; message: string; code: string }[];
  pointed: boolean;
}

const linesOf = async (c: Client, coop: string, year = YEAR) =>
  (await c.request<{ lines: ApiLine[] }>('GET', `/api/coops/${coop}/exercises/${year}/lines`)).body.lines;

/** A line's content as the round trip must keep it (ids differ: the import names its own). */
const content = (l: ApiLine) => ({
  pj: l.pj,
  date: l.date,
  libelle: l.libelle,
  mode: l.mode ?? null,
  cheque: l.cheque ?? null,
  action: l.action ?? null,
  kind: l.kind,
  account: l.account,
  amount: l.amount,
  // The sheet has one column per chapter: the parts come back in the chart's order.
  ventilation: [...l.ventilation].sort((a, b) => a.chapter.localeCompare(b.chapter)),
  holder: l.holder ?? null,
  status: l.status,
  pointed: l.pointed,
});
const byPj = (a: { pj: string; date: string }, b: { pj: string; date: string }) =>
  a.pj.localeCompare(b.pj) || a.date.localeCompare(b.date);

/** Imports a workbook into a coop as the department's trésorier would (POST …/imports). */
async function importInto(t: Client, coop: string, bytes: Buffer, name: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  return t.request('POST', `/api/coops/${coop}/imports?dryRun=false`, form);
}

/** The Compte rendu sheet of a recalculated workbook against the JSON compte rendu, to the cent. */
function expectCompteRendu(wb: ExcelJS.Workbook, crf: Crf): void {
  expectCrfSheets(wb, crf);
  // The totals row of the table: the balances of the compte rendu, drafts left out.
  const cahier = wb.getWorksheet(SHEETS.cahier)!;
  const totals = rowWith(cahier, 'A', 'Totaux');
  expect(centsAt(cahier, `${letter('solde_banque')}${totals}`)).toBe(crf.bilan.banque);
  expect(centsAt(cahier, `${letter('solde_caisse')}${totals}`)).toBe(crf.bilan.caisse);
  // The running balances of the last line that shows them come to the same (drafts left out).
  const lastShown = (key: string) => {
    for (let r = totals - 1; r > 0; r--) {
      const cents = centsAt(cahier, `${letter(key)}${r}`);
      if (cents !== null) return cents;
    }
    return null;
  };
  expect(lastShown('solde_banque')).toBe(crf.bilan.banque);
  expect(lastShown('solde_caisse')).toBe(crf.bilan.caisse);
}

describe.each(DATABASES)('l’export des cahiers ($name)', (kind) => {
  let service: TestService;
  let mA: Client;
  let t87: Client;
  let admin: Client;
  let demoYear: number;
  const ids = { pointed: uuid(), draftGap: uuid(), draftPj: uuid(), injection: uuid(), regie: uuid(), edited: uuid() };

  beforeAll(async () => {
    service = await startTestService(kind, { demo: true });
    demoYear = service.demo!.exercise;
    await seedWorld(service);
    await addCoop(service.db, { number: '087-0077', name: 'École vide', department: '87' });
    await addCoop(service.db, { number: '087-0078', name: 'École vide bis', department: '87' });
    mA = await loggedIn(service, WORLD.logins.mA);
    t87 = await loggedIn(service, WORLD.logins.t87);
    admin = await loggedIn(service, WORLD.logins.admin);
    const put = async (id: string, line: LineInput) => {
      const r = await mA.put(A, id, line);
      expect(r.status).toBe(201);
      return r.body as ApiLine;
    };
    await put(uuid(), expense('001', 4590, { action: 'Kermesse' }));
    await put(ids.pointed, expense('002', 12_000, { date: '2025-10-02' }));
    await put(uuid(), {
      ...expense('003', 35_000, { date: '2025-10-05', mode: 'virement', cheque: null, action: 'Kermesse' }),
      libelle: 'Mairie – subvention sortie',
      kind: 'recette',
      ventilation: [{ chapter: '7410', amount: 35_000 }],
    });
    await put(uuid(), {
      ...expense('004', 2_500, { date: '2025-10-06', mode: 'especes', cheque: null }),
      libelle: 'Familles – photos',
      kind: 'recette',
      account: 'caisse',
      ventilation: [{ chapter: '7070', amount: 2_500 }],
    });
    await put(ids.regie, {
      ...expense('005', 5_000, { date: '2025-10-07', mode: 'especes', cheque: null }),
      libelle: 'Avance à Mme Durand',
      kind: 'regie_versee',
      account: 'caisse',
      ventilation: [],
      holder: 'Mme Durand',
    });
    // Drafts: a ventilation that does not make the amount; a PJ already taken.
    const gap = await put(ids.draftGap, expense('006', 8_000, { ventilation: [{ chapter: '6180', amount: 3_000 }] }));
    expect(gap.status).toBe('draft');
    const dup = await put(ids.draftPj, expense('001', 1_990, { date: '2025-11-03', libelle: 'Doublon de pièce' }));
    expect(dup.status).toBe('draft');
    await put(ids.injection, expense('007', 990, { libelle: INJECTION, action: '+SUM(1;2)' }));
    // A line changed twice: version 3 in the hidden column.
    await put(ids.edited, expense('008', 100));
    expect((await mA.put(A, ids.edited, expense('008', 200), 1)).status).toBe(200);
    expect((await mA.put(A, ids.edited, expense('008', 300), 2)).status).toBe(200);
    const p = await mA.request(
      'POST',
      `/api/coops/${A}/exercises/${YEAR}/lines/${ids.pointed}/pointage`,
      {
        pointed: true,
      },
      { 'If-Match': '"1"' },
    );
    expect(p.status).toBe(200);
  }, 120_000);
  afterAll(() => service?.stop());

  test('GET …/workbook.xlsx: the coop’s mandataire, the department’s trésorier and an admin; 404 for anyone else', async () => {
    for (const c of [mA, t87, admin]) {
      const r = await download(c, workbookPath(A));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe(XLSX);
      expect(r.headers.get('content-disposition')).toBe(`attachment; filename="cahier-${A}-2025-2026.xlsx"`);
      expect(r.bytes.subarray(0, 2).toString()).toBe('PK');
    }
    for (const login of [WORLD.logins.mB, WORLD.logins.mC, WORLD.logins.t23]) {
      const r = await (await loggedIn(service, login)).request('GET', workbookPath(A));
      expect([login, r.status, r.body.code]).toEqual([login, 404, 'introuvable']);
    }
    expect((await mA.request('GET', workbookPath(A, 2031))).status).toBe(404);
    expect((await new Client(service.url).request('GET', workbookPath(A))).status).toBe(401);
  });

  test('every live line, drafts marked ✗ with their first problem, ids and versions in the hidden columns', async () => {
    const wb = await loadWorkbook((await download(mA, workbookPath(A))).bytes);
    const rows = cahierRows(wb);
    const lines = await linesOf(mA, A);
    expect(rows).toHaveLength(lines.length);
    const ws = wb.getWorksheet(SHEETS.cahier)!;
    expect(ws.getColumn(letter('id')).hidden).toBe(true);
    expect(ws.getColumn(letter('version')).hidden).toBe(true);
    for (const l of lines) {
      const row = rows.find((r) => r.id === l.id)!;
      expect(row).toBeDefined();
      expect([l.pj, row.version]).toEqual([l.pj, l.version]);
      expect([l.pj, row.status]).toEqual([l.pj, statusText(l.problems as never)]);
      expect(String(row.status).startsWith('✗')).toBe(l.status === 'draft');
      expect(row.pointage ?? null).toBe(l.pointed ? 'X' : null);
    }
    expect(rows.find((r) => r.id === ids.edited)!.version).toBe(3);
    expect(String(rows.find((r) => r.id === ids.draftGap)!.status)).toMatch(/^✗ /);
    // The coop's identity and its report à nouveau.
    const coop = wb.getWorksheet(SHEETS.coop)!;
    expect([textAt(coop, 'B3'), textAt(coop, 'B4'), textAt(coop, 'B5')]).toEqual(['École A', A, '87']);
    expect([centsAt(coop, 'B13'), centsAt(coop, 'B14')]).toEqual([100_000, 5_000]);
  });

  test('a libellé starting with = is written as text in a text-formatted cell, and stays text once recalculated', async () => {
    const bytes = (await download(mA, workbookPath(A))).bytes;
    const before = await loadWorkbook(bytes);
    const ws = before.getWorksheet(SHEETS.cahier)!;
    const r = rowWith(ws, letter('id'), ids.injection);
    const cell = ws.getCell(`${letter('libelle')}${r}`);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe(INJECTION);
    for (const key of ['pj', 'libelle', 'cheque', 'action', 'holder']) {
      expect([key, ws.getCell(`${letter(key)}${r}`).numFmt]).toEqual([key, '@']);
    }
    // What the file holds: a shared string, no formula in that cell.
    const sheet = await (await JSZip.loadAsync(bytes)).file('xl/worksheets/sheet1.xml')!.async('string');
    const xml = new RegExp(`<c r="${letter('libelle')}${r}"[^>]*>(.*?)</c>`).exec(sheet)![1]!;
    expect(xml).not.toContain('<f>');
    if (kind.name !== 'sqlite') return;
    const after = await loadWorkbook(await recalculateXlsx(bytes));
    const again = after.getWorksheet(SHEETS.cahier)!;
    expect(again.getCell(`${letter('libelle')}${r}`).value).toBe(INJECTION);
    expect(again.getCell(`${letter('action')}${r}`).value).toBe('+SUM(1;2)');
    expect(errorCells(after)).toEqual([]);
  }, 120_000);

  (kind.name === 'sqlite' ? test : test.skip)(
    'recalculated by LibreOffice, the workbook with drafts shows the JSON compte rendu (drafts not counted)',
    async () => {
      const crf = (await mA.request<Crf>('GET', `/api/coops/${A}/exercises/${YEAR}/report`)).body;
      const wb = await loadWorkbook(await recalculateXlsx((await download(mA, workbookPath(A))).bytes));
      expect(errorCells(wb)).toEqual([]);
      expectCompteRendu(wb, crf);
    },
    120_000,
  );

  test('round trip: the export imported into an empty coop gives the same lines, balances and compte rendu', async () => {
    const bytes = (await download(mA, workbookPath(A))).bytes;
    const imported = await importInto(t87, '087-0077', bytes, `cahier-${A}-2025-2026.xlsx`);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({
      status: 'ok',
      coop: '087-0077',
      openingBalances: { banque: 100_000, caisse: 5_000 },
    });
    const original = (await linesOf(mA, A)).map(content).sort(byPj);
    const copy = (await linesOf(t87, '087-0077')).map(content).sort(byPj);
    expect(copy).toEqual(original);
    const report = async (coop: string) => {
      const { coop: _identity, ...rest } = (
        await t87.request<Crf>('GET', `/api/coops/${coop}/exercises/${YEAR}/report`)
      ).body;
      // Line ids differ (the import names its own): the figures and lines listed must not.
      return JSON.parse(JSON.stringify(rest, (key, value: unknown) => (key === 'id' ? undefined : value))) as unknown;
    };
    expect(await report('087-0077')).toEqual(await report(A));
  });

  test('the demo: its export has no error cell once recalculated and shows the JSON compte rendu to the cent; its lines come back through the import', async () => {
    const demo = await loggedIn(service, 'demo').catch(() => null);
    const client = demo ?? (await new Client(service.url).login('demo', 'cahier-demo'));
    const path = workbookPath('087-0123', demoYear);
    const bytes = (await download(client, path)).bytes;
    const crf = (await client.request<Crf>('GET', `/api/coops/087-0123/exercises/${demoYear}/report`)).body;
    if (kind.name === 'sqlite') {
      const wb = await loadWorkbook(await recalculateXlsx(bytes));
      expect(errorCells(wb)).toEqual([]);
      expectCompteRendu(wb, crf);
      const coop = wb.getWorksheet(SHEETS.coop)!;
      expect(textAt(coop, 'B4')).toBe('087-0123');
      expect(centsAt(coop, 'B18')).toBe(crf.rapprochement.statementBalance);
    }
    const imported = await importInto(t87, '087-0078', bytes, `cahier-087-0123-${exerciseLabel(demoYear)}.xlsx`);
    expect(imported.status).toBe(200);
    const original = (await linesOf(client, '087-0123', demoYear)).map(content).sort(byPj);
    const copy = (await linesOf(t87, '087-0078', demoYear)).map(content).sort(byPj);
    expect(copy).toEqual(original);
    // The side books are not part of the workbook's import: the figures the lines make are equal.
    const copyCrf = (await t87.request<Crf>('GET', `/api/coops/087-0078/exercises/${demoYear}/report`)).body;
    expect(copyCrf.compteDeFonctionnement).toEqual(crf.compteDeFonctionnement);
    expect(copyCrf.bilan).toEqual(crf.bilan);
    expect(copyCrf.actions).toEqual(crf.actions);
    expect(copyCrf.regies).toEqual(crf.regies);
    expect(copyCrf.rapprochement.cahierBalance).toBe(crf.rapprochement.cahierBalance);
  }, 180_000);

  test('GET /api/departments/{code}/workbooks.zip: one workbook per coop that has the exercise, streamed', async () => {
    const path = `/api/departments/87/workbooks.zip?exercise=${YEAR}`;
    const { Coop, Exercise } = service.db.models;
    const coops = await Coop.findAll({ where: { departmentCode: '87' }, raw: true });
    const having = new Set((await Exercise.findAll({ where: { year: YEAR }, raw: true })).map((e) => Number(e.coopId)));
    const expected = coops
      .filter((c) => having.has(Number(c.id)))
      .map((c) => c.number)
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(4);
    for (const c of [t87, admin]) {
      const r = await download(c, path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/zip');
      expect(r.headers.get('content-disposition')).toBe('attachment; filename="cahiers-87-2025-2026.zip"');
      // Sent as it is built: no length known in advance.
      expect(r.headers.get('content-length')).toBeNull();
      const zip = await JSZip.loadAsync(r.bytes, { checkCRC32: true });
      const names = Object.keys(zip.files).sort();
      expect(names).toEqual(expected.map((n) => `cahier-${n}-2025-2026.xlsx`));
      for (const n of expected) {
        const wb = await loadWorkbook(await zip.file(`cahier-${n}-2025-2026.xlsx`)!.async('nodebuffer'));
        expect(textAt(wb.getWorksheet(SHEETS.coop)!, 'B4')).toBe(n);
        expect(textAt(wb.getWorksheet(SHEETS.coop)!, 'B8')).toBe(String(YEAR));
      }
    }
    const mandataire = await mA.request('GET', path);
    expect([mandataire.status, mandataire.body.code]).toEqual([403, 'reservee_au_tresorier']);
    const other = await (await loggedIn(service, WORLD.logins.t23)).request('GET', path);
    expect([other.status, other.body.code]).toEqual([403, 'reservee_au_tresorier']);
    expect(other.body.detail).toContain('département 87');
    expect((await admin.request('GET', `/api/departments/99/workbooks.zip?exercise=${YEAR}`)).status).toBe(404);
    expect((await t87.request('GET', '/api/departments/87/workbooks.zip?exercise=2031')).status).toBe(404);
    const missing = await t87.request('GET', '/api/departments/87/workbooks.zip');
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ field: 'exercise', message: expect.stringMatching(/^exercise : /) }]);
    const bad = await t87.request('GET', '/api/departments/87/workbooks.zip?exercise=25');
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('exercise');
  }, 180_000);
});
