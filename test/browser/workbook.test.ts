/**
 * The service's whole workbook in the task pane, in a real browser against the real service: on an
 * Excel with ExcelApi 1.13 (the in-memory workbook claims it: taskpane.html?excelApi=1.13),
 * « Créer le cahier » inserts the workbook of the exercise — every sheet of the template, the
 * Cahier table's rows the exercise's lines, read back here with ExcelJS — and « Mettre à jour les
 * feuilles du compte rendu » replaces those sheets after the Cahier sheet; sheets of the same names
 * are left alone, said in French. On an Excel without it, the three sheets as before and the
 * workbook offered to download, saying why.
 */
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { FIRST_DATA_ROW, HEADER_ROW, SHEETS, TABLE_NAME, cahierLayout } from '../../templates/definition';
import type { Insertion } from '../../addin/src/memory-workbook';
import { REPORT_SHEETS, WORKBOOK_SHEETS } from '../../addin/src/workbook';
import { expense, uuid } from '../api/harness';
import { COOP, LINES, LOGIN, expectText, openPane, shot, waitFor, type Pane } from './pane';

const EXERCISE = `/api/coops/${COOP}/exercises/2025`;
const layout = cahierLayout();
const ID = layout.byKey.get('id')!;
const VERSION = layout.byKey.get('version')!;

/** The sheets of an .xlsx (base64 or bytes) and the line ids of its Cahier table, top to bottom. */
async function readWorkbook(file: string | Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((typeof file === 'string' ? Buffer.from(file, 'base64') : file) as unknown as ArrayBuffer);
  const cahier = wb.getWorksheet(SHEETS.cahier);
  const ids: string[] = [];
  const versions: unknown[] = [];
  let header: unknown[] = [];
  let tables: string[] = [];
  if (cahier) {
    header = (cahier.getRow(HEADER_ROW).values as unknown[]).slice(1);
    tables = cahier.getTables().map((t) => {
      const table = (Array.isArray(t) ? t[0] : t) as { name?: string; table?: { name?: string } };
      return table.name ?? table.table?.name ?? '';
    });
    for (let r = FIRST_DATA_ROW; r <= cahier.rowCount; r++) {
      const v = cahier.getCell(`${ID.letter}${r}`).value;
      if (typeof v === 'string' && v) {
        ids.push(v);
        versions.push(cahier.getCell(`${VERSION.letter}${r}`).value);
      }
    }
  }
  return { sheets: wb.worksheets.map((s) => s.name), header, tables, ids, versions };
}

describe('le classeur complet du service dans le volet', () => {
  let pane: Pane;
  let page: Page;
  let stored: string[];
  const workbookState = () =>
    page.evaluate(() => ({
      sheets: window.cahierWorkbook!.sheets,
      inserted: window.cahierWorkbook!.inserted,
      rows: window.cahierWorkbook!.rows?.length ?? null,
    })) as Promise<{ sheets: string[]; inserted: Insertion[]; rows: number | null }>;
  const sheetIds = () =>
    page.evaluate((i) => (window.cahierWorkbook!.rows ?? []).map((r) => String(r[i] ?? '')), ID.index) as Promise<
      string[]
    >;

  /** Opens the pane afresh (a new in-memory workbook claiming `excelApi`) and logs in. */
  const open = async (excelApi: string | null, before?: () => Promise<void>) => {
    await page.goto(excelApi ? `${pane.url}?excelApi=${excelApi}` : pane.url);
    await before?.();
    await page.getByLabel('Identifiant').fill(LOGIN.login);
    await page.getByLabel('Mot de passe').fill(LOGIN.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expectText(page, 'Créer le cahier dans ce classeur');
  };

  beforeAll(async () => {
    pane = await openPane('fr-FR');
    ({ page } = pane);
    const lines = [
      { id: uuid(), version: null, line: expense('01', 1_250) },
      { id: uuid(), version: null, line: expense('02', 4_590, { date: '2025-10-02' }) },
      { id: uuid(), version: null, line: expense('03', 780, { date: '2025-11-20' }) },
    ];
    const r = await pane.api.request('POST', `${EXERCISE}/sync`, { lines });
    expect(r.status).toBe(200);
    stored = ((await pane.api.request<{ lines: { id: string }[] }>('GET', LINES)).body.lines ?? []).map((l) => l.id);
    expect(stored).toHaveLength(3);
  }, 60_000);

  afterAll(async () => {
    await pane?.close();
  });

  test('ExcelApi 1.13: every sheet of the template inserted, its Cahier table holding the exercise’s lines', async () => {
    await open('1.13');
    // Nothing to download: the whole workbook comes into this one.
    expect(await page.getByRole('button', { name: 'Télécharger le classeur complet (.xlsx)' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(page, 'Classeur complet inséré');
    await expectText(page, '3 écriture(s) chargée(s) depuis le service.');
    const state = await workbookState();
    expect(state.sheets).toEqual(['Feuil1', ...WORKBOOK_SHEETS]);
    expect(state.inserted).toHaveLength(1);
    expect(state.inserted[0]).toMatchObject({ sheetNames: null, after: null });
    const inserted = await readWorkbook(state.inserted[0]!.base64);
    expect(inserted.sheets).toEqual([...WORKBOOK_SHEETS]);
    expect(inserted.header).toEqual(layout.columns.map((c) => c.header));
    expect(inserted.tables).toContain(TABLE_NAME);
    expect([...inserted.ids].sort()).toEqual([...stored].sort());
    expect(inserted.versions).toEqual([1, 1, 1]);
    // The sync engine took the lines over: ids and versions in the hidden columns.
    await waitFor(async () => (await sheetIds()).length === 3);
    expect([...(await sheetIds())].sort()).toEqual([...stored].sort());
    await shot(page, 'workbook-inserted');
  }, 60_000);

  test('« Mettre à jour les feuilles du compte rendu » replaces those sheets after the Cahier sheet', async () => {
    await page.getByRole('tab', { name: 'Livres annexes' }).click();
    await page.getByRole('button', { name: 'Mettre à jour les feuilles du compte rendu' }).click();
    await expectText(page, 'Feuilles mises à jour depuis le service : « Compte rendu », « Caisse »');
    const state = await workbookState();
    expect(state.inserted).toHaveLength(2);
    expect(state.inserted[1]).toMatchObject({ sheetNames: [...REPORT_SHEETS], after: SHEETS.cahier });
    expect(state.sheets).toEqual(['Feuil1', SHEETS.cahier, ...REPORT_SHEETS, SHEETS.coop, SHEETS.chapitres]);
    const refreshed = await readWorkbook(state.inserted[1]!.base64);
    expect(refreshed.sheets).toEqual(expect.arrayContaining([...REPORT_SHEETS]));
    // The Cahier is left as it was.
    expect(state.rows).toBe(3);
    // The same button in the Clôture tab.
    await page.getByRole('tab', { name: 'Clôture' }).click();
    await page.getByRole('button', { name: 'Mettre à jour les feuilles du compte rendu' }).waitFor();
    await shot(page, 'workbook-refreshed');
  }, 60_000);

  test('sheets of the same names already there: said in French, nothing inserted, nothing created', async () => {
    await open('1.13', async () => {
      await page.evaluate(() => window.cahierWorkbook!.sheets.push('Caisse', 'Compte rendu'));
    });
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(
      page,
      'Ce classeur contient déjà des feuilles nommées « Compte rendu » et « Caisse » : le cahier n’y est pas créé, pour ne pas les écraser.',
    );
    const state = await workbookState();
    expect(state).toEqual({ sheets: ['Feuil1', 'Caisse', 'Compte rendu'], inserted: [], rows: null });
  }, 60_000);

  test('names the formulas use left behind by Excel: said in French, the workbook offered to download', async () => {
    await open('1.13', async () => {
      await page.evaluate(() => (window.cahierWorkbook!.brokenNames = ['RAN_Banque']));
    });
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(page, '3 écriture(s) chargée(s) depuis le service.');
    await expectText(
      page,
      'Excel n’a pas repris le nom « RAN_Banque » du classeur du service : les formules qui s’en servent affichent une erreur',
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Télécharger le classeur complet (.xlsx)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`cahier-${COOP}-2025.xlsx`);
    // The refresh says it too.
    await page.getByRole('tab', { name: 'Livres annexes' }).click();
    await page.getByRole('button', { name: 'Mettre à jour les feuilles du compte rendu' }).click();
    const group = page.getByRole('group', { name: 'Feuilles du compte rendu' });
    await expectText(group, 'Excel n’a pas repris le nom « RAN_Banque »');
    await group.getByRole('button', { name: 'Télécharger le classeur complet (.xlsx)' }).waitFor();
  }, 60_000);

  test('without ExcelApi 1.13: the three sheets as before, and the whole workbook offered to download', async () => {
    await open(null);
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(page, '3 écriture(s) chargée(s) depuis le service.');
    const state = await workbookState();
    expect(state).toEqual({
      sheets: ['Feuil1', SHEETS.cahier, SHEETS.coop, SHEETS.chapitres],
      inserted: [],
      rows: 3,
    });
    await expectText(
      page,
      'Cette version d’Excel ne sait pas insérer les feuilles d’un classeur (il faut ExcelApi 1.13',
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Télécharger le classeur complet (.xlsx)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`cahier-${COOP}-2025.xlsx`);
    const whole = await readWorkbook(await readFile((await download.path())!));
    expect(whole.sheets).toEqual([...WORKBOOK_SHEETS]);
    expect([...whole.ids].sort()).toEqual([...stored].sort());
    await shot(page, 'workbook-download');

    // The sheets of the compte rendu cannot be replaced here: the download instead, saying why.
    await page.getByRole('tab', { name: 'Livres annexes' }).click();
    const group = page.getByRole('group', { name: 'Feuilles du compte rendu' });
    await expectText(group, 'Les feuilles du compte rendu ne peuvent donc pas être remplacées dans ce classeur');
    expect(await page.getByRole('button', { name: 'Mettre à jour les feuilles du compte rendu' }).count()).toBe(0);
    await group.getByRole('button', { name: 'Télécharger le classeur complet (.xlsx)' }).waitFor();
  }, 60_000);

  test('without ExcelApi 1.13, a sheet « Cahier » already there is left alone, said in French', async () => {
    await open(null, async () => {
      await page.evaluate(() => window.cahierWorkbook!.sheets.push('Cahier'));
    });
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(page, 'Ce classeur contient déjà une feuille nommée « Cahier » : le cahier n’y est pas créé');
    expect((await workbookState()).rows).toBeNull();
  }, 60_000);
});
