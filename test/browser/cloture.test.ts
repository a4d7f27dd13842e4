/**
 * Clôture in the task pane, in a real browser against the real service: the problems the
 * service reports, errors first, in French, each with the PJ of its lines; refreshed on demand
 * once a problem is fixed.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { Client } from '../api/harness';
import { LINES, expectText, logInAndCreate, openPane, rowOf, shot, waitFor, type Pane } from './pane';

const EXERCISE = LINES.replace(/\/lines$/, '');
const ids = { cotisation: randomUUID(), brouillon: randomUUID() };

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
    await expectText(page, '2 écriture(s) chargée(s) depuis le service.');
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

  test('refreshed on demand once a problem is fixed', async () => {
    const r = await api.request('DELETE', `${LINES}/${ids.brouillon}`, undefined, { 'If-Match': '"1"' });
    expect(r.status).toBe(200);
    await page.getByRole('button', { name: 'Actualiser les contrôles' }).click();
    await waitFor(async () => !(await codes()).includes('lignes_brouillon'));
    expect(await codes()).toEqual(['releve_manquant', 'pointage_ancien', 'caisse_non_comptee']);
  });
});
