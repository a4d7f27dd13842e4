/**
 * Clôture in the task pane, in a real browser against the real service: the problems the
 * service reports, errors first, in French, each with the PJ of its lines (one line, or all of a
 * problem's lines at once, selected in the sheet); refreshed on demand once a problem is fixed.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { Client } from '../api/harness';
import {
  LINES,
  expectText,
  logInAndCreate,
  openPane,
  rowOf,
  selectRow,
  selectedRows,
  shot,
  waitFor,
  type Pane,
} from './pane';

const EXERCISE = LINES.replace(/\/lines$/, '');
const ids = { cotisation: randomUUID(), brouillon: randomUUID(), kermesse: randomUUID() };

const YEAR = [
  {
    id: ids.cotisation,
    line: {
      pj: '01',
      date: '2025-10-06',
      libelle: 'Familles – cotisations',
      kind: 'recette',
      account: 'banque',
      mode: 'cheque',
      cheque: null,
      action: null,
      amount: 42_000,
      ventilation: [{ chapter: '7560', amount: 42_000 }],
    },
  },
  {
    // No libellé: the service keeps it as a draft.
    id: ids.brouillon,
    line: {
      pj: '02',
      date: '2025-10-20',
      libelle: '',
      kind: 'depense',
      account: 'banque',
      mode: 'virement',
      cheque: null,
      action: null,
      amount: 8_000,
      ventilation: [{ chapter: '6180', amount: 8_000 }],
    },
  },
  {
    // Unpointed since November, like the first: the two lines of one problem.
    id: ids.kermesse,
    line: {
      pj: '03',
      date: '2025-11-17',
      libelle: 'Familles – sortie au musée',
      kind: 'recette',
      account: 'banque',
      mode: 'virement',
      cheque: null,
      action: null,
      amount: 15_500,
      ventilation: [{ chapter: '7560', amount: 15_500 }],
    },
  },
];

describe('clôture dans le volet', () => {
  let pane: Pane;
  let page: Page;
  let api: Client;
  const list = () => page.getByRole('list', { name: 'Points de clôture' });
  const codes = () =>
    list()
      .locator('li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-code')));

  beforeAll(async () => {
    pane = await openPane('fr-FR');
    ({ page, api } = pane);
    await logInAndCreate(pane);
    const r = await api.request('POST', `${EXERCISE}/sync`, { lines: YEAR.map((l) => ({ ...l, version: null })) });
    expect(r.status).toBe(200);
    await page.getByRole('button', { name: 'Charger l’exercice depuis le service' }).click();
    await expectText(page, '3 écriture(s) chargée(s) depuis le service.');
    await page.getByRole('tab', { name: 'Clôture' }).click();
  });

  afterAll(async () => {
    await pane?.close();
  });

  test('the problems, errors first, in French, with the PJ of their lines', async () => {
    await expectText(page, 'La clôture n’est pas encore possible');
    const drafts = list().locator('li[data-code="lignes_brouillon"]');
    await expectText(drafts, '1 ligne est en brouillon (PJ 02)');
    await expectText(drafts, 'PJ : 02');
    await expectText(list().locator('li[data-code="releve_manquant"]'), 'Aucun relevé bancaire de l’exercice');
    await expectText(list().locator('li[data-code="pointage_ancien"]'), 'PJ : 01');
    await list().locator('li[data-code="pointage_ancien"]').getByRole('button', { name: '03', exact: true }).waitFor();
    const shown = await codes();
    expect(shown.slice(0, 3)).toEqual(
      expect.arrayContaining(['lignes_brouillon', 'releve_manquant', 'pointage_ancien']),
    );
    expect(await list().getByText('Bloquant').count()).toBe(shown.length);
    await shot(page, 'cloture');
  });

  test('a PJ selects its line in the sheet; no closing while something blocks', async () => {
    await page.evaluate(() => {
      window.cahierWorkbook!.selection = null;
    });
    await list().locator('li[data-code="pointage_ancien"]').getByRole('button', { name: '01' }).click();
    const row = await rowOf(page, 'id', ids.cotisation);
    await waitFor(async () => (await page.evaluate(() => window.cahierWorkbook!.selection)) === row);
    expect(await page.getByRole('button', { name: 'Clôturer l’exercice' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Rouvrir' }).count()).toBe(0);
  });

  test('« Sélectionner les 2 lignes » selects every line of a problem at once in the sheet', async () => {
    const old = list().locator('li[data-code="pointage_ancien"]');
    const drafts = list().locator('li[data-code="lignes_brouillon"]');
    // A problem with one line has its PJ button only.
    expect(await drafts.getByRole('button', { name: /^Sélectionner les/ }).count()).toBe(0);
    await selectRow(page, null);
    await old.getByRole('button', { name: 'Sélectionner les 2 lignes' }).click();
    const rows = [await rowOf(page, 'id', ids.cotisation), await rowOf(page, 'id', ids.kermesse)];
    // Not next to each other: the draft lies between them, and stays out of the selection.
    expect(rows).toEqual([0, 2]);
    await waitFor(async () => JSON.stringify(await selectedRows(page)) === JSON.stringify(rows));
    expect(await page.evaluate(() => window.cahierWorkbook!.selection)).toBe(0);
    expect(await page.getByText('ne sont plus dans la feuille').count()).toBe(0);
    expect(await page.getByText('Excel ne peut pas sélectionner').count()).toBe(0);
    await shot(page, 'cloture-selection');

    // A line gone from the sheet since: the other one is selected, the missing one said.
    const removed = await page.evaluate((r) => window.cahierWorkbook!.rows!.splice(r, 1)[0]!, rows[1]!);
    try {
      await selectRow(page, null);
      await old.getByRole('button', { name: 'Sélectionner les 2 lignes' }).click();
      await expectText(page, '1 ligne n’est plus dans la feuille.');
      expect(await selectedRows(page)).toEqual([0]);
    } finally {
      await page.evaluate(([r, cells]) => window.cahierWorkbook!.rows!.splice(r as number, 0, cells as never), [
        rows[1]!,
        removed,
      ] as const);
    }
    await rowOf(page, 'id', ids.kermesse);
  });

  test('refreshed on demand once a problem is fixed', async () => {
    const r = await api.request('DELETE', `${LINES}/${ids.brouillon}`, undefined, { 'If-Match': '"1"' });
    expect(r.status).toBe(200);
    await page.getByRole('button', { name: 'Actualiser les contrôles' }).click();
    await waitFor(async () => !(await codes()).includes('lignes_brouillon'));
    expect(await codes()).toEqual(['releve_manquant', 'pointage_ancien', 'caisse_non_comptee']);
  });
});
