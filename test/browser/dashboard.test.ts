/**
 * The department's dashboard in the task pane, in a real browser against the real service: the
 * department's trésorier sees every coop of the department (the table's columns those of the
 * contract, the state in French, what blocks the closure in French), the chart of the closure
 * states with its counts, filters by state and exercise, downloads the table as CSV and xlsx and
 * a coop's whole workbook, and opens a coop's cahier in the pane; a mandataire is not offered it.
 */
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import {
  DASHBOARD_COLUMNS,
  DASHBOARD_STATES,
  DASHBOARD_STATE_LABELS,
  SHEETS,
  type DashboardJson,
} from '../../templates/definition';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import { BLOCKER_LABELS } from '../../addin/src/ui/departement';
import { Client } from '../api/harness';
import { expense, uuid } from '../api/harness';
import { COOP, expectText, logIn, openPane, shot, waitFor, type Pane } from './pane';

const TRESORIER = { login: 'tresorier.87', password: 'mot-de-passe-87' };
const READY = '087-0002';
const NONE = '087-0003';

describe('le tableau de bord du département dans le volet', () => {
  let pane: Pane;
  let page: Page;
  let tresorier: Client;
  const section = () => page.getByRole('region', { name: 'Tableau de bord du département' });
  const table = () => section().getByRole('table', { name: 'Coopératives du département' });
  const bodyRows = () => table().locator('tbody tr');
  const shownCoops = async () => await bodyRows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-coop')));
  const dashboard = async (query = '') =>
    (await tresorier.request<DashboardJson>('GET', `/api/departments/87/dashboard${query}`)).body;

  beforeAll(async () => {
    pane = await openPane('fr-FR');
    ({ page } = pane);
    const db = pane.db();
    const ready = await addCoop(db, { number: READY, name: 'École Paul Bert', department: '87' });
    await openExercise(db, ready.id, 2025, { banque: 0, caisse: 0 });
    await addCoop(db, { number: NONE, name: 'École des Tilleuls', department: '87' });
    await addUser(db, { ...TRESORIER, department: '87' });
    tresorier = await new Client(new URL(pane.url).origin).login(TRESORIER.login, TRESORIER.password);
    // The treasurer's coop: a valid line and a draft (a ventilation that does not add up).
    const lines = [
      { id: uuid(), version: null, line: expense('01', 1_250) },
      {
        id: uuid(),
        version: null,
        line: expense('02', 5_000, { ventilation: [{ chapter: '6180', amount: 4_550 }] }),
      },
    ];
    const r = await tresorier.request('POST', `/api/coops/${COOP}/exercises/2025/sync`, { lines });
    expect(r.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await pane?.close();
  });

  test('a mandataire is not offered the dashboard', async () => {
    await logIn(pane);
    await expectText(page, 'Créer le cahier dans ce classeur');
    expect(await page.getByRole('button', { name: 'Tableau de bord du département' }).count()).toBe(0);
  });

  test('the trésorier sees every coop, by attention, the states and blockers in French, the chart’s counts', async () => {
    const json = await dashboard();
    expect(json.exercise).toBe(2025);
    expect(json.coops.map((c) => c.number).sort()).toEqual([COOP, READY, NONE]);
    await logIn(pane, TRESORIER);
    await page.getByRole('button', { name: 'Tableau de bord du département' }).click();
    await expectText(section(), `Département 87 – exercice ${json.label}`);
    await table().waitFor();
    const headers = await table().locator('thead th').allTextContents();
    expect(headers).toEqual([...DASHBOARD_COLUMNS.map((c) => c.header), 'Actions']);
    expect(await shownCoops()).toEqual(json.coops.map((c) => c.number));
    for (const c of json.coops) {
      const row = table().locator(`tr[data-coop="${c.number}"]`);
      await expectText(row, DASHBOARD_STATE_LABELS[c.state]);
      await expectText(row, c.name);
      for (const code of c.blockers) {
        const item = row.locator(`li[data-code="${code}"]`);
        expect(await item.textContent()).toBe(BLOCKER_LABELS[code] ?? code);
      }
    }
    // The treasurer's coop is blocked by its draft, said in French.
    const mine = json.coops.find((c) => c.number === COOP)!;
    expect(mine.state).toBe('bloque');
    expect(mine.blockers).toContain('lignes_brouillon');
    await expectText(table().locator(`tr[data-coop="${COOP}"]`), 'Lignes en brouillon');

    const chart = section().getByRole('img');
    const label = (await chart.getAttribute('aria-label'))!;
    expect(label).toContain(`États de clôture des 3 coopératives du département`);
    const legend = section().getByRole('list', { name: 'Légende des états de clôture' });
    for (const s of DASHBOARD_STATES) {
      const said = `${DASHBOARD_STATE_LABELS[s]} : ${json.totals.byState[s]}`;
      expect(label).toContain(said);
      await expectText(legend, said);
    }
    await shot(page, 'dashboard');
  }, 60_000);

  test('filtered by state: only those coops, the chart still counting the department', async () => {
    await section().getByLabel('État de clôture').selectOption('vide');
    const json = await dashboard('?state=vide');
    await waitFor(async () => (await bodyRows().count()) === json.coops.length);
    expect(await shownCoops()).toEqual(json.coops.map((c) => c.number));
    expect(json.coops.every((c) => c.state === 'vide')).toBe(true);
    expect(await section().getByRole('img').getAttribute('aria-label')).toContain('3 coopératives');

    // The table downloaded as the service writes it, with the filter.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      section().getByRole('button', { name: 'Télécharger le tableau (CSV)' }).click(),
    ]);
    expect(csv.suggestedFilename()).toBe(`tableau-de-bord-87-${json.label}.csv`);
    const text = await readFile((await csv.path())!, 'utf8');
    expect(text.split('\r\n')[0]).toBe(`\uFEFF${DASHBOARD_COLUMNS.map((c) => c.header).join(';')}`);
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(json.coops.length + 1);

    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      section().getByRole('button', { name: 'Télécharger le tableau (xlsx)' }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toBe(`tableau-de-bord-87-${json.label}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile((await xlsx.path())!)) as unknown as ArrayBuffer);
    const cells = wb.worksheets.flatMap((ws) => {
      const out: string[] = [];
      ws.eachRow((row) => row.eachCell((cell) => out.push(String(cell.value))));
      return out;
    });
    expect(cells).toEqual(expect.arrayContaining(['Coopérative', ...json.coops.map((c) => c.number)]));

    // Back to every state; another exercise: no coop has one, all « Rien de saisi ».
    await section().getByLabel('État de clôture').selectOption('');
    await waitFor(async () => (await bodyRows().count()) === 3);
    await section().getByLabel('Exercice du tableau de bord').selectOption('2024');
    await expectText(section(), 'exercice 2024-2025');
    await waitFor(async () => (await table().locator('tr[data-state="vide"]').count()) === 3);
    await section().getByLabel('Exercice du tableau de bord').selectOption('2025');
    await waitFor(async () => (await table().locator('tr[data-state="bloque"]').count()) === 1);
  }, 60_000);

  test('« Exporter » downloads the coop’s whole workbook; « Ouvrir le cahier » switches the pane to it', async () => {
    const row = table().locator(`tr[data-coop="${READY}"]`);
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Exporter' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(`cahier-${READY}-2025.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile((await file.path())!)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toContain(SHEETS.cahier);

    await row.getByRole('button', { name: 'Ouvrir le cahier' }).click();
    await section().waitFor({ state: 'detached' });
    await waitFor(async () => (await page.getByLabel('Coopérative', { exact: true }).inputValue()) === READY);
    await waitFor(async () => (await page.getByLabel('Exercice', { exact: true }).inputValue()) === '2025');
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(page, '0 écriture(s) chargée(s) depuis le service.');
    await shot(page, 'dashboard-opened');
  }, 60_000);
});
