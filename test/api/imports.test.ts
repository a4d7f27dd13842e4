/**
 * POST /api/coops/{coop}/imports: a department imports a coop's old cahier (the legacy fixtures),
 * on SQLite and MariaDB. A dry run stores nothing; an import stores every line (validated, drafts
 * with their problems by row and column), the report à nouveau, the pointage and the audit, in one
 * transaction; the same file again changes nothing; an exercise holding other lines is refused
 * with the counts, then merged on request; the imported year's compte rendu is the sheet's.
 */
import { ImportFileReportSchema } from '../../server/http/routes/imports';
import { addCoop } from '../../server/operations/accounts';
import {
  RENAMED_CSV,
  departmentCahier,
  occeCahier,
  truncated,
  writeSheets,
  type LegacyFixture,
} from '../fixtures/legacy-files';
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

/** The keys of a file's report, as documented (`error` only when refused). */
const REPORT_KEYS = Object.keys(ImportFileReportSchema.shape).filter((k) => k !== 'error');

const OCCE = '087-0123';
const DEPT = '087-0456';
const TWINS = '087-0457';

function post(c: Client, coop: string, bytes: Buffer, name: string, query = '') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  return c.request('POST', `/api/coops/${coop}/imports${query}`, form);
}

describe.each(DATABASES)('import d’anciens cahiers ($name)', (kind) => {
  let service: TestService;
  let t87: Client;
  const occe: LegacyFixture = occeCahier();
  const dept: LegacyFixture = departmentCahier();
  let occeXlsx: Buffer;
  let deptXlsx: Buffer;
  /** The report of the first import of the OCCE cahier. */
  let first: Record<string, unknown>;

  beforeAll(async () => {
    service = await startTestService(kind);
    await seedWorld(service);
    await addCoop(service.db, { number: OCCE, name: 'École Jules Ferry', department: '87' });
    await addCoop(service.db, { number: DEPT, name: 'École Victor Hugo', department: '87' });
    await addCoop(service.db, { number: TWINS, name: 'École Jean Zay', department: '87' });
    t87 = await loggedIn(service, WORLD.logins.t87);
    [occeXlsx, deptXlsx] = await Promise.all([occe.xlsx(), dept.xlsx()]);
  });
  afterAll(() => service.stop());

  /** Everything an import could change. */
  const snapshot = async () => {
    const m = service.db.models;
    const all = async (model: typeof m.Exercise | typeof m.Department) =>
      JSON.stringify(
        await (model as typeof m.Exercise).findAll({ raw: true, order: [[model.primaryKeyAttribute, 'ASC']] }),
      );
    return {
      lines: JSON.stringify(await m.Line.findAll({ raw: true, order: [['id', 'ASC']] })),
      audit: await m.Audit.count(),
      exerciseAudit: await m.ExerciseAudit.count(),
      sideBooks: await m.SideBookAudit.count(),
      exercises: await all(m.Exercise),
      departments: await all(m.Department),
    };
  };

  test('a dry run answers the whole report and stores nothing', async () => {
    const before = await snapshot();
    const r = await post(t87, OCCE, occeXlsx, occe.file, '?dryRun=true');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(REPORT_KEYS);
    const { problems, ...figures } = r.body;
    expect(figures).toEqual(occe.report);
    // Each draft's errors are named by its row and column letter.
    for (const line of occe.expected.lines.filter((l) => l.errors.length)) {
      const mine = problems.filter(
        (p: { row: number; severity: string }) => p.row === line.row && p.severity === 'error',
      );
      expect(mine.map((p: { code: string }) => p.code)).toEqual(expect.arrayContaining(line.errors));
      for (const p of mine) expect(p.column).toMatch(/^[A-Z]{1,3}$/);
    }
    expect(await snapshot()).toEqual(before);
  });

  test('an import stores every line, the report à nouveau, the pointage and the new chapters, audited', async () => {
    const dry = await post(t87, OCCE, occeXlsx, occe.file, '?dryRun=true');
    const r = await post(t87, OCCE, occeXlsx, occe.file);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(dry.body);
    first = r.body;

    const exercise = await t87.request('GET', `/api/coops/${OCCE}/exercises/2025`);
    expect(exercise.body.opening).toEqual(occe.expected.openingBalances);
    const history = await t87.request('GET', `/api/coops/${OCCE}/exercises/2025/history`);
    expect(history.body).toEqual([
      expect.objectContaining({ action: 'open', login: WORLD.logins.t87, reason: expect.stringContaining(occe.file) }),
    ]);

    const { lines } = (await t87.request('GET', t87.linesPath(OCCE))).body as {
      lines: { id: string; pj: string; status: string; pointed: boolean; problems: { code: string }[] }[];
    };
    expect(lines).toHaveLength(occe.expected.lines.length);
    const byPj = new Map(lines.map((l) => [l.pj, l]));
    for (const e of occe.expected.lines) {
      const stored = byPj.get(e.line.pj)!;
      expect([e.line.pj, stored.status]).toEqual([e.line.pj, e.errors.length ? 'draft' : 'validated']);
      expect(stored.problems.map((p) => p.code)).toEqual(expect.arrayContaining(e.errors));
      expect([e.line.pj, stored.pointed]).toEqual([e.line.pj, e.pointed && e.errors.length === 0]);
    }
    expect(lines.filter((l) => l.pointed)).toHaveLength(occe.report.pointed);

    // A pointed line: created already pointed, by the trésorier (one write, one audit row).
    const pointed = lines.find((l) => l.pointed)!;
    const audit = await t87.request('GET', `${t87.linesPath(OCCE)}/${pointed.id}/history`);
    expect(
      audit.body.map((a: { action: string; login: string; after: { pointed: boolean } }) => [
        a.action,
        a.login,
        a.after.pointed,
      ]),
    ).toEqual([['create', WORLD.logins.t87, true]]);

    // The sheet's chapters missing from the chart are now the department's.
    const chart = (await t87.request('GET', '/api/chapters')).body as { code: string; label: string }[];
    for (const c of occe.expected.newChapters) {
      expect(chart).toContainEqual(expect.objectContaining({ code: c.code, label: c.label }));
    }
  });

  test('the same file again changes nothing: its lines are recognised', async () => {
    const before = await snapshot();
    const r = await post(t87, OCCE, occeXlsx, occe.file);
    expect(r.status).toBe(200);
    // The chapters it brought are in the chart now: nothing new.
    expect(r.body).toEqual({ ...first, newChapters: [] });
    expect(await snapshot()).toEqual(before);
  });

  test('the imported year’s compte rendu gives the figures of the original sheet', async () => {
    const crf = (await t87.request('GET', `/api/coops/${OCCE}/exercises/2025/report?format=json`)).body;
    const { totals, openingBalances } = occe.report;
    const chapters = new Map(
      [...crf.compteDeFonctionnement.charges, ...crf.compteDeFonctionnement.produits].map(
        (c: { chapter: string; total: number }) => [c.chapter, c.total],
      ),
    );
    for (const [code, cents] of Object.entries(totals.chapters))
      expect([code, chapters.get(code)]).toEqual([code, cents]);
    const sum = (side: string) =>
      Object.entries(totals.chapters)
        .filter(([code]) => code.startsWith(side))
        .reduce((s, [, c]) => s + c, 0);
    expect(crf.compteDeFonctionnement.totalCharges).toBe(sum('6'));
    expect(crf.compteDeFonctionnement.totalProduits).toBe(sum('7'));
    expect(crf.bilan.banque).toBe(openingBalances.banque + totals.banque.recettes - totals.banque.depenses);
    expect(crf.bilan.caisse).toBe(openingBalances.caisse + totals.caisse.recettes - totals.caisse.depenses);
    expect(crf.bilan.reportANouveau).toBe(openingBalances.banque + openingBalances.caisse);
    expect(crf.bilan.ecart).toBe(0);
  });

  test('identical rows are as many lines, each recognised when the file comes again', async () => {
    // The last line of the journal written twice more, without its PJ, after the totals.
    const sheets = structuredClone(dept.sheets);
    const journal = sheets.find((s) => s.name === dept.expected.sheet)!;
    const { A: _pj, ...copy } = journal.rows[dept.expected.lines.at(-1)!.row - 1]!;
    journal.rows.push({ ...copy }, { ...copy });
    const twins = [journal.rows.length - 1, journal.rows.length];
    const bytes = await writeSheets(sheets);

    const r = await post(t87, TWINS, bytes, 'journal-doublons.xlsx');
    expect(r.status).toBe(200);
    expect(r.body.entries).toEqual({
      validated: dept.report.entries.validated,
      drafts: dept.report.entries.drafts + 2,
    });
    for (const row of twins) {
      expect(r.body.problems).toContainEqual(expect.objectContaining({ row, column: 'A', code: 'pj_manquant' }));
    }
    const stored = async () => (await t87.request('GET', t87.linesPath(TWINS))).body.lines.length;
    expect(await stored()).toBe(dept.expected.lines.length + 2);

    const before = await snapshot();
    expect((await post(t87, TWINS, bytes, 'journal-doublons.xlsx')).body).toEqual(r.body);
    expect(await snapshot()).toEqual(before);
  });

  test('an exercise holding other lines is refused with the counts; merged on request, a PJ taken becomes a draft', async () => {
    const B = WORLD.coops.B;
    const mB = await loggedIn(service, WORLD.logins.mB);
    // The mandataire has already entered a line under the PJ of the file's first line.
    const taken = dept.expected.lines[0]!;
    expect((await mB.put(B, uuid(), expense(taken.line.pj))).status).toBe(201);

    const before = await snapshot();
    const refused = await post(t87, B, deptXlsx, dept.file);
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 422, code: 'donnee_invalide' });
    expect(refused.body.report).toMatchObject({
      file: dept.file,
      status: 'rejected',
      error: { code: 'exercice_non_vide' },
    });
    expect(refused.body.detail).toBe(refused.body.report.error.message);
    expect(refused.body.detail).toContain('1 ligne qui ne vient pas de ce fichier');
    expect(refused.body.detail).toContain(`en apporte ${dept.expected.lines.length}`);
    expect(refused.body.detail).toContain('merge=true');
    expect(await snapshot()).toEqual(before);

    const merged = await post(t87, B, deptXlsx, dept.file, '?merge=true');
    expect(merged.status).toBe(200);
    expect(merged.body.entries).toEqual({
      validated: dept.report.entries.validated - 1,
      drafts: dept.report.entries.drafts + 1,
    });
    const codes = merged.body.problems.map((p: { code: string }) => p.code);
    // The exercise existed with its own report à nouveau, and the file names another coop.
    expect(codes).toEqual(expect.arrayContaining(['report_a_nouveau_different', 'coop_differente']));
    expect(merged.body.problems).toContainEqual(
      expect.objectContaining({ row: taken.row, column: 'A', code: 'pj_deja_utilise', severity: 'error' }),
    );
    const { lines } = (await t87.request('GET', t87.linesPath(B))).body;
    expect(lines).toHaveLength(dept.expected.lines.length + 1);
    expect(lines.filter((l: { libelle: string }) => l.libelle.startsWith('Librairie Martin'))).toHaveLength(1);
    // The exercise's report à nouveau is not the file's to change.
    expect((await t87.request('GET', `/api/coops/${B}/exercises/2025`)).body.opening).toEqual({
      banque: 100_000,
      caisse: 5_000,
    });
  });

  test('one transaction: a refusal after the chart was completed leaves the chart as it was', async () => {
    const C = WORLD.coops.C;
    const mC = await loggedIn(service, WORLD.logins.mC);
    expect((await mC.put(C, uuid(), expense('001'))).status).toBe(201);
    const admin = await loggedIn(service, WORLD.logins.admin);
    const before = await snapshot();
    // Department 23 lacks the sheet's chapters 6181 and 7600: they are added, then the lines refused.
    const r = await post(admin, C, occeXlsx, occe.file);
    expect(r.status).toBe(422);
    expect(r.body.report).toMatchObject({ error: { code: 'exercice_non_vide' }, newChapters: ['6181', '7600'] });
    expect(await snapshot()).toEqual(before);
  });

  test('a mandataire is refused in French (403); a trésorier of another department finds no coop (404)', async () => {
    const before = await snapshot();
    const mA = await loggedIn(service, WORLD.logins.mA);
    const r = await post(mA, WORLD.coops.A, occeXlsx, occe.file, '?dryRun=true');
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({
      code: 'reservee_au_tresorier',
      detail: 'Seul le trésorier départemental (ou un administrateur) peut importer un ancien cahier.',
    });
    const t23 = await loggedIn(service, WORLD.logins.t23);
    expect((await post(t23, OCCE, occeXlsx, occe.file)).status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  test('a refused file names the file and its error; nothing is stored', async () => {
    const before = await snapshot();
    const csv = await post(t87, DEPT, RENAMED_CSV, 'releve-banque.xlsx');
    expect(csv.status).toBe(422);
    expect(csv.body.report).toEqual({
      file: 'releve-banque.xlsx',
      status: 'rejected',
      error: { code: 'format_inconnu', message: expect.stringContaining('releve-banque.xlsx') },
    });
    const cut = await post(t87, DEPT, truncated(deptXlsx), 'coupé.xlsx');
    expect(cut.status).toBe(422);
    expect(cut.body.report.error.message).toContain('coupé.xlsx');
    // The closed exercise of coop A takes nothing.
    const admin = await loggedIn(service, WORLD.logins.admin);
    const closed = await post(admin, WORLD.coops.A, occeXlsx, occe.file, '?exercise=2024');
    expect(closed.status).toBe(422);
    expect(closed.body.report.error.code).toBe('exercice_clos');
    expect(await snapshot()).toEqual(before);
  });

  test('a wrong parameter is a 422 naming it; the route is in the OpenAPI document', async () => {
    const r = await post(t87, OCCE, occeXlsx, occe.file, '?dryRun=peut-etre');
    expect(r.status).toBe(422);
    expect(r.body.errors[0].field).toBe('dryRun');
    const doc = (await t87.request('GET', '/api/openapi.json')).body;
    const op = doc.paths['/api/coops/{coop}/imports'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['multipart/form-data']);
    expect(op.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/ImportFileReport');
    expect(op.responses['422'].content['application/problem+json'].schema.$ref).toBe(
      '#/components/schemas/ImportRefusal',
    );
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['coop', 'dryRun', 'exercise', 'merge']);
  });
});
