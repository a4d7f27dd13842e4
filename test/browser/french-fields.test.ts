/**
 * The pane's dates and amounts are French whatever the browser's language: chromium in English
 * (en-US, where a native date input shows mm/dd/yyyy), the pane still shows and reads
 * jj/mm/aaaa and 1 234,56 — in the entry form, the selected line, the pointage filters and the
 * statement balance — and the service stores ISO dates and cents.
 */
import type { Page } from 'playwright-core';
import type { Client } from '../api/harness';
import {
  LINES,
  badge,
  expectBadge,
  expectText,
  expectValue,
  logInAndCreate,
  openPane,
  selectRow,
  shot,
  waitFor,
  type Pane,
} from './pane';

/** 1 234,56 with any of the spaces French typography uses between thousands. */
const frenchAmount = (text: string) => new RegExp(`^${text.replace(/ /g, '[ \\u00a0\\u202f]')}$`);

describe('dates et montants à la française, navigateur en anglais', () => {
  let pane: Pane;
  let page: Page;
  let api: Client;

  beforeAll(async () => {
    pane = await openPane('en-US');
    ({ page, api } = pane);
  });

  afterAll(async () => {
    await pane?.close();
  });

  test('the browser is English, the entry form is French: jj/mm/aaaa and 1 234,56', async () => {
    await logInAndCreate(pane);
    expect(await page.evaluate(() => [navigator.language, new Date(2025, 8, 15).toLocaleDateString()])).toEqual([
      'en-US',
      '9/15/2025',
    ]);
    const form = page.getByRole('form', { name: 'Nouvelle écriture' });
    const date = form.getByLabel('Date');
    expect(await date.getAttribute('type')).toBe('text');
    // Today's date, proposed jj/mm/aaaa.
    const today = await page.evaluate(() => {
      const d = new Date();
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
    });
    expect(await date.inputValue()).toBe(today);
    // A date that does not exist is refused in French; a short form is rewritten in full.
    await date.fill('31/02/2026');
    await date.blur();
    await expectText(form, 'Le 31/02/2026 n’existe pas dans le calendrier.');
    await date.fill('15/9/25');
    await date.blur();
    await expectValue(date, '15/09/2025');
    await form.getByLabel('Libellé (qui – quoi)').fill('Librairie Martin – albums de la BCD');
    await form.getByLabel('N° de chèque').fill('4500124');
    const amount = form.getByLabel('Montant (€)');
    await amount.fill('1 234,56');
    await amount.blur();
    expect(await amount.inputValue()).toMatch(frenchAmount('1 234,56'));
    await form.getByLabel('Chapitre', { exact: true }).selectOption('6180');
    await shot(page, '11-saisie-en-anglais');
    await form.getByRole('button', { name: 'Enregistrer l’écriture' }).click();
    await expectText(page, 'Écriture enregistrée.');
    await expectBadge(badge(page), 'Tout est synchronisé');

    // The second line: typed 03/10/2025 and 18,4 (shown 18,40).
    await date.fill('03/10/2025');
    await form.getByLabel('Libellé (qui – quoi)').fill('Boulangerie – goûter');
    await form.getByLabel('Compte').selectOption('caisse');
    await form.getByLabel('Mode').selectOption('especes');
    await amount.fill('18,4');
    await amount.blur();
    await expectValue(amount, '18,40');
    await form.getByLabel('Chapitre', { exact: true }).selectOption('6180');
    await form.getByRole('button', { name: 'Enregistrer l’écriture' }).click();
    await expectText(page, 'Écriture enregistrée.');
    await expectBadge(badge(page), 'Tout est synchronisé');
    await waitFor(async () => (await api.request('GET', LINES)).body.lines.length === 2);
    const stored = (await api.request('GET', LINES)).body.lines;
    expect(stored.map((l: { pj: string; date: string; amount: number }) => [l.pj, l.date, l.amount])).toEqual([
      ['01', '2025-09-15', 123_456],
      ['02', '2025-10-03', 1_840],
    ]);
  });

  test('the selected line and its modification show jj/mm/aaaa and 1 234,56', async () => {
    await selectRow(page, 0);
    await page.getByRole('tab', { name: 'Ligne sélectionnée' }).click();
    await page.getByRole('button', { name: 'Lire la ligne sélectionnée' }).click();
    await page
      .getByText(/^01 · 15\/09\/2025 · Librairie Martin – albums de la BCD · 1[\u00a0\u202f ]234,56\u00a0€$/)
      .waitFor();
    await page.getByRole('button', { name: 'Modifier' }).click();
    const form = page.getByRole('form', { name: 'Modifier l’écriture' });
    expect(await form.getByLabel('Date').inputValue()).toBe('15/09/2025');
    expect(await form.getByLabel('Montant (€)').inputValue()).toMatch(frenchAmount('1 234,56'));
    await form.getByLabel('Date').fill('16092025');
    await form.getByLabel('Date').blur();
    await expectValue(form.getByLabel('Date'), '16/09/2025');
    await form.getByRole('button', { name: 'Enregistrer la modification' }).click();
    await expectBadge(badge(page), 'Tout est synchronisé');
    await waitFor(async () => (await api.request('GET', LINES)).body.lines[0].date === '2025-09-16');
    expect((await api.request('GET', LINES)).body.lines[0]).toMatchObject({ amount: 123_456, version: 2 });
  });

  test('pointage: dates filtered jj/mm/aaaa, the statement balance typed 1 234,56', async () => {
    await page.getByRole('tab', { name: 'Pointage' }).click();
    const todo = page.getByRole('list', { name: 'Lignes à pointer' });
    await expectText(todo, '01 · 16/09/2025 · Librairie Martin');
    await page.getByLabel('Du', { exact: true }).fill('01/10/2025');
    await page.getByLabel('Du', { exact: true }).blur();
    await expectText(todo, 'Aucune ligne.');
    await page.getByLabel('Du', { exact: true }).fill('1/9/25');
    await page.getByLabel('Au', { exact: true }).fill('30/09/2025');
    await page.getByLabel('Au', { exact: true }).blur();
    await expectValue(page.getByLabel('Du', { exact: true }), '01/09/2025');
    await expectText(todo, '01 · 16/09/2025 · Librairie Martin');
    await page.getByLabel('Au', { exact: true }).fill('31/09/2025');
    await page.getByLabel('Au', { exact: true }).blur();
    await expectText(page, 'Le 31/09/2025 n’existe pas dans le calendrier.');
    // The cahier: 1 500,00 − 1 234,56 = 265,44 in the bank, 1 234,56 not yet on a statement.
    const releve = page.getByLabel('Solde du relevé bancaire (€)');
    await releve.fill('1234,56');
    await releve.blur();
    expect(await releve.inputValue()).toMatch(frenchAmount('1 234,56'));
    await page.getByText(/^Écart de rapprochement : -265,44\u00a0€/).waitFor();
    await releve.fill('1 500');
    await releve.blur();
    expect(await releve.inputValue()).toMatch(frenchAmount('1 500,00'));
    await expectText(page, 'Rapprochement juste : le relevé et le cahier concordent.');
    await shot(page, '12-pointage-en-anglais');
  });
});
