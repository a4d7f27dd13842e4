/**
 * The task pane in a real browser (Debian chromium driven by playwright-core), served by the
 * real service, with the in-memory workbook behind the adapter's interface: log in, create a
 * split line, see it validated and stored, point it, lose the service mid-sync and see the
 * queue drain when it returns, resolve a conflict. Screenshots go to test-results/.
 */
import type { Page } from 'playwright-core';
import type { Client } from '../api/harness';
import {
  LINES as lines,
  badge as badgeOf,
  cell,
  expectBadge,
  expectText,
  expectValue,
  openPane,
  queueLength,
  selectRow,
  shot as shotOf,
  waitFor,
  type Pane,
} from './pane';

describe('le volet Office dans un vrai navigateur', () => {
  let pane: Pane;
  let page: Page;
  let api: Client;

  const badge = () => badgeOf(page);
  const shot = (name: string) => shotOf(page, name);
  const statusCell = (row: number) => cell(page, row, 'status');

  beforeAll(async () => {
    pane = await openPane('fr-FR');
    ({ page, api } = pane);
  });

  afterAll(async () => {
    await pane?.close();
  });

  test('log in, create the cahier, enter a split line: validated and stored in the service', async () => {
    await page.goto(pane.url);
    await page.getByLabel('Identifiant').fill('claire');
    await page.getByLabel('Mot de passe').fill('mot-de-passe-1');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expectText(page, 'Identifiant ou mot de passe incorrect (attention aux majuscules et minuscules).');
    await page.getByLabel('Identifiant').fill('Claire');
    await shot('01-connexion');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(page, '0 écriture(s) chargée(s) depuis le service.');

    const form = page.getByRole('form', { name: 'Nouvelle écriture' });
    await expectValue(form.getByLabel('N° de pièce'), '01');
    await form.getByLabel('Date').fill('20/09/2025');
    await form.getByLabel('Libellé (qui – quoi)').fill('OCCE – cotisation et assurance');
    await form.getByLabel('N° de chèque').fill('4500123');
    await form.getByLabel('Montant (€)').fill('482,30');
    await form.getByRole('radio', { name: 'Sur plusieurs chapitres' }).check();
    await form.getByRole('button', { name: 'Ajouter un chapitre' }).click();
    const parts: [string, string][] = [
      ['6281', '312'],
      ['6282', '124,30'],
    ];
    for (const [i, [code, amount]] of parts.entries()) {
      await form.getByLabel(`Chapitre ${i + 1}`, { exact: true }).selectOption(code);
      await form.getByLabel(`Montant du chapitre ${i + 1}`).fill(amount);
    }
    await expectText(page, 'Reste à ventiler : 46,00\u00a0€');
    await form.getByLabel('Chapitre 3', { exact: true }).selectOption('6180');
    await form.getByLabel('Montant du chapitre 3').fill('46');
    await expectText(page, 'Ventilation équilibrée');
    await shot('02-nouvelle-ecriture');
    await form.getByRole('button', { name: 'Enregistrer l’écriture' }).click();
    await expectText(page, 'Écriture enregistrée.');
    await expectBadge(badge(), 'Tout est synchronisé');
    expect(await statusCell(0)).toBe('✓');

    const stored = await api.request('GET', lines);
    expect(stored.body.lines).toHaveLength(1);
    expect(stored.body.lines[0]).toMatchObject({
      pj: '01',
      date: '2025-09-20',
      amount: 48_230,
      cheque: '4500123',
      status: 'validated',
      version: 1,
      ventilation: [
        { chapter: '6281', amount: 31_200 },
        { chapter: '6282', amount: 12_430 },
        { chapter: '6180', amount: 4_600 },
      ],
    });
  });

  test('point it, with a confirmation; the statement balance shows the gap', async () => {
    await page.getByRole('tab', { name: 'Pointage' }).click();
    const todo = page.getByRole('list', { name: 'Lignes à pointer' });
    await todo.getByRole('button', { name: 'Pointer' }).click();
    await page.getByRole('button', { name: 'Confirmation' }).click();
    await expectBadge(badge(), 'Tout est synchronisé');
    await waitFor(async () => (await api.request('GET', lines)).body.lines[0].pointed === true);
    await page.getByLabel('Solde du relevé bancaire (€)').fill('1 017,70');
    await expectText(page, 'Rapprochement juste : le relevé et le cahier concordent.');
    await page.getByLabel('Solde du relevé bancaire (€)').fill('1 000,00');
    await expectText(page, 'Écart de rapprochement : -17,70\u00a0€');
    await shot('03-pointage');
  });

  test('the service goes away mid-sync: the line waits, marked, and leaves when it returns', async () => {
    await pane.stopService();
    await page.getByRole('tab', { name: 'Nouvelle écriture' }).click();
    const form = page.getByRole('form', { name: 'Nouvelle écriture' });
    await form.getByLabel('Libellé (qui – quoi)').fill('Boulangerie – goûter');
    await form.getByLabel('Date').fill('03/10/2025');
    await form.getByLabel('Compte').selectOption('caisse');
    await form.getByLabel('Mode').selectOption('especes');
    await form.getByLabel('N° de chèque').fill('');
    await form.getByLabel('Montant (€)').fill('18,40');
    await form.getByRole('radio', { name: 'Automatique' }).check();
    await form.getByLabel('Chapitre', { exact: true }).selectOption('6180');
    await form.getByRole('button', { name: 'Enregistrer l’écriture' }).click();
    await expectBadge(badge(), '1 en attente – service injoignable');
    expect(await statusCell(1)).toBe('⏳ à envoyer');
    expect(await queueLength(page)).toBe(1);
    await shot('04-hors-ligne');
    await pane.start();
    await expectBadge(badge(), 'Tout est synchronisé', 40_000);
    const stored = await api.request('GET', lines);
    expect(stored.body.lines.map((l: { pj: string; amount: number }) => [l.pj, l.amount])).toEqual([
      ['01', 48_230],
      ['02', 1_840],
    ]);
    expect(await statusCell(1)).toBe('✓');
  });

  test('a conflict shows both versions and the treasurer keeps hers', async () => {
    const [first] = (await api.request('GET', lines)).body.lines;
    // Someone else (the department) corrects the libellé meanwhile.
    const theirs = { ...strip(first), libelle: 'OCCE – cotisation 2025 (corrigée par l’AD)' };
    expect((await api.put('087-0001', first.id, theirs, first.version)).status).toBe(200);
    // The treasurer types a new libellé in the sheet, on her older version.
    await page.evaluate(() => window.cahierWorkbook!.type(0, { libelle: 'OCCE – cotisation et assurance MAE' }));
    const dialog = page.getByRole('dialog', { name: 'Conflit sur une écriture' });
    await dialog.waitFor();
    await expectText(dialog, 'OCCE – cotisation et assurance MAE');
    await expectText(dialog, 'OCCE – cotisation 2025 (corrigée par l’AD)');
    await shot('05-conflit');
    await dialog.getByRole('button', { name: 'Garder ma version' }).click();
    await expectBadge(badge(), 'Tout est synchronisé');
    const after = (await api.request('GET', `${lines}/${first.id}`)).body;
    expect(after).toMatchObject({
      libelle: 'OCCE – cotisation et assurance MAE',
      version: first.version + 2,
      pointed: true,
    });
    const history = (await api.request('GET', `${lines}/${first.id}/history`)).body;
    expect(history.map((h: { action: string }) => h.action)).toEqual(['create', 'pointage', 'replace', 'replace']);
  });

  test('the selected line: modify it in the form, duplicate it, delete it after confirmation', async () => {
    await selectRow(page, 1);
    await page.getByRole('tab', { name: 'Ligne sélectionnée' }).click();
    await page.getByRole('button', { name: 'Lire la ligne sélectionnée' }).click();
    await expectText(page, '02 · 03/10/2025 · Boulangerie – goûter · 18,40');
    await page.getByRole('button', { name: 'Modifier' }).click();
    const form = page.getByRole('form', { name: 'Modifier l’écriture' });
    await form.getByLabel('Montant (€)').fill('19,60');
    await form.getByRole('button', { name: 'Enregistrer la modification' }).click();
    await expectBadge(badge(), 'Tout est synchronisé');
    await waitFor(async () => (await api.request('GET', lines)).body.lines[1]?.amount === 1_960);
    await page.getByRole('button', { name: 'Lire la ligne sélectionnée' }).click();
    await page.getByRole('button', { name: 'Dupliquer' }).click();
    await expectText(page, 'Ligne dupliquée');
    await expectBadge(badge(), 'Tout est synchronisé');
    await waitFor(async () => (await api.request('GET', lines)).body.lines.length === 3);
    const copy = (await api.request('GET', lines)).body.lines[2];
    expect(copy).toMatchObject({ pj: '03', libelle: 'Boulangerie – goûter', amount: 1_960 });
    await selectRow(page, 2);
    await page.getByRole('button', { name: 'Lire la ligne sélectionnée' }).click();
    await page.getByRole('button', { name: 'Supprimer' }).click();
    await shot('06-supprimer');
    await page
      .getByRole('dialog', { name: 'Supprimer cette écriture ?' })
      .getByRole('button', { name: 'Supprimer' })
      .click();
    await expectText(page, 'Écriture supprimée.');
    await expectBadge(badge(), 'Tout est synchronisé');
    await waitFor(async () => (await api.request('GET', lines)).body.lines.length === 2);
    expect(await page.evaluate(() => window.cahierWorkbook!.rows!.length)).toBe(2);
  });

  test('everything above ran under the service’s Content-Security-Policy without a violation', async () => {
    const r = await pane.page.request.get(pane.url);
    expect(r.headers()['content-security-policy']).toContain("script-src 'self' https://appsforoffice.microsoft.com");
    expect(r.headers()['x-frame-options']).toBeUndefined();
    expect(pane.cspViolations).toEqual([]);
  });
});

function strip(line: Record<string, unknown>) {
  const {
    id: _i,
    version: _v,
    status: _s,
    problems: _p,
    pointed: _pt,
    statementLineId: _sl,
    createdAt: _c,
    updatedAt: _u,
    ...rest
  } = line;
  return rest;
}
