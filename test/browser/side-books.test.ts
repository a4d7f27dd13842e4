/**
 * The side books in the task pane, in a real browser against the real service: the treasurer's
 * September (caisse opening 100,00 €; a receipt and an expense in cash; a régie d'avance given
 * to a teacher and partly spent; two actions), a régie given from the entry form, which asks
 * for its holder; the arrêté de caisse counted note by note to « Bravo » and stored, a count
 * short of a coin shown with its gap in red, an earlier arrêté loaded back into the grid; the
 * régies with their balances and one holder's lines; the synthèse des actions; the coop's
 * address saved and a refused phone number explained under its field.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { Client } from '../api/harness';
import {
  COOP,
  LINES,
  badge,
  expectBadge,
  expectText,
  expectValue,
  logInAndCreate,
  openPane,
  shot,
  waitFor,
  type Pane,
} from './pane';

interface TestLine {
  pj: string;
  date: string;
  libelle: string;
  kind: 'depense' | 'recette' | 'regie_versee' | 'regie_remboursee';
  account: 'banque' | 'caisse' | 'regie';
  mode: string | null;
  amount: number;
  chapter?: string;
  action?: string;
  holder?: string;
}

/** Caisse: 100,00 € + 25,50 € − 8,00 € = 117,50 € at the end of September. */
const SEPTEMBER: TestLine[] = [
  {
    pj: '01',
    date: '2025-09-08',
    libelle: 'Mme Martin – régie d’avance sortie au musée',
    kind: 'regie_versee',
    account: 'banque',
    mode: 'cheque',
    amount: 10_000,
    holder: 'Mme Martin (CE1)',
  },
  {
    pj: '02',
    date: '2025-09-12',
    libelle: 'Musée des Beaux-Arts – entrées',
    kind: 'depense',
    account: 'regie',
    mode: 'especes',
    amount: 6_240,
    chapter: '6180',
    action: 'Sortie musée',
    holder: 'Mme Martin (CE1)',
  },
  {
    pj: '03',
    date: '2025-09-15',
    libelle: 'Familles – participation sortie musée',
    kind: 'recette',
    account: 'caisse',
    mode: 'especes',
    amount: 2_550,
    chapter: '7080',
    action: 'Sortie musée',
  },
  {
    pj: '04',
    date: '2025-09-20',
    libelle: 'La Poste – timbres',
    kind: 'depense',
    account: 'caisse',
    mode: 'especes',
    amount: 800,
    chapter: '6500',
  },
  {
    pj: '05',
    date: '2025-09-22',
    libelle: 'Photographe – photos de classe',
    kind: 'depense',
    account: 'banque',
    mode: 'cheque',
    amount: 18_000,
    chapter: '6070',
    action: 'Photos scolaires',
  },
  {
    pj: '06',
    date: '2025-09-26',
    libelle: 'Familles – photos de classe',
    kind: 'recette',
    account: 'banque',
    mode: 'cheque',
    amount: 31_500,
    chapter: '7070',
    action: 'Photos scolaires',
  },
];

const BOOKS = LINES.replace(/\/lines$/, '');
const TAB = (name: string) => ({ name, exact: true });

describe('les livres annexes dans le volet', () => {
  let pane: Pane;
  let page: Page;
  let api: Client;

  const stored = async () =>
    (await api.request<{ lines: (TestLine & { id: string; status: string })[] }>('GET', LINES)).body.lines;
  const caisse = () => page.getByRole('region', { name: 'Arrêté de caisse' });
  const count = async (counts: Record<string, string>) => {
    for (const [label, n] of Object.entries(counts)) await caisse().getByLabel(label, { exact: true }).fill(n);
  };
  const verdict = () => caisse().getByRole('status', { name: 'Résultat de l’arrêté' });

  beforeAll(async () => {
    pane = await openPane('fr-FR');
    ({ page, api } = pane);
    await logInAndCreate(pane);
    const r = await api.request('POST', `${BOOKS}/sync`, {
      lines: SEPTEMBER.map(({ chapter, action, holder, ...l }) => ({
        id: randomUUID(),
        version: null,
        line: {
          ...l,
          cheque: null,
          action: action ?? null,
          holder: holder ?? null,
          ventilation: chapter ? [{ chapter, amount: l.amount }] : [],
        },
      })),
    });
    expect(r.status).toBe(200);
    expect((await stored()).every((l) => l.status === 'validated')).toBe(true);
    await page.getByRole('button', { name: 'Charger l’exercice depuis le service' }).click();
    await expectText(page, '6 écriture(s) chargée(s) depuis le service.');
  });

  afterAll(async () => {
    await pane?.close();
  });

  test('a régie given from the entry form: the holder is asked for, then stored with the line', async () => {
    await page.getByRole('tab', TAB('Nouvelle écriture')).click();
    const form = page.getByRole('form', { name: 'Nouvelle écriture' });
    expect(await form.getByLabel('Titulaire de la régie').count()).toBe(0);
    await form.getByLabel('Date').fill('29/09/2025');
    // The form was shown before the exercise was loaded: back in it, it proposes the next PJ.
    await expectValue(form.getByLabel('N° de pièce'), '07');
    await form.getByLabel('Libellé (qui – quoi)').fill('M. Durand – régie d’avance piscine');
    await form.getByLabel('Nature').selectOption('regie_versee');
    await form.getByLabel('Compte').selectOption('banque');
    await form.getByLabel('Mode').selectOption('cheque');
    await form.getByLabel('Montant (€)').fill('50');
    const holder = form.getByLabel('Titulaire de la régie');
    await holder.waitFor();
    await expectText(form, 'Ligne de régie d’avance : indiquez son titulaire');
    await shot(page, '30-regie-sans-titulaire');
    await holder.fill('M. Durand (CM2)');
    await waitFor(async () => (await form.getByText('indiquez son titulaire').count()) === 0);
    await form.getByRole('button', { name: 'Enregistrer l’écriture' }).click();
    await expectText(page, 'Écriture enregistrée.');
    await expectBadge(badge(page), 'Tout est synchronisé');
    const line = (await stored()).find((l) => l.pj === '07');
    expect(line).toMatchObject({
      kind: 'regie_versee',
      account: 'banque',
      amount: 5_000,
      holder: 'M. Durand (CM2)',
      status: 'validated',
    });
    // A plain expense asks for no holder.
    await form.getByLabel('Nature').selectOption('depense');
    await form.getByLabel('Compte').selectOption('banque');
    expect(await form.getByLabel('Titulaire de la régie').count()).toBe(0);
  });

  test('the caisse counted note by note: the total as typed, « Bravo » and the count stored', async () => {
    await page.getByRole('tab', TAB('Livres annexes')).click();
    await page.getByRole('tab', TAB('Caisse')).click();
    await expectText(caisse(), 'Aucun arrêté de caisse dans cet exercice.');
    await caisse().getByLabel('Date du comptage').fill('30/09/2025');
    // 2 × 50 € + 10 € + 5 € + 2 € + 50 c = 117,50 €
    await count({ 'Billet de 50 €': '2', 'Billet de 10 €': '1', 'Billet de 5 €': '1' });
    await expectText(caisse(), 'Total compté : 115,00\u00a0€');
    await count({ 'Pièce de 2 €': '1', 'Pièce de 50 c': '1' });
    const total = caisse().getByRole('status', { name: 'Total compté' });
    await waitFor(async () => (await total.innerText()) === 'Total compté : 117,50\u00a0€');
    await caisse().getByRole('button', { name: 'Enregistrer l’arrêté' }).click();
    await waitFor(async () => (await verdict().innerText()) === 'Bravo, la caisse est juste !');
    expect(await verdict().getAttribute('class')).toContain('cc-ok');
    await expectText(caisse(), 'Solde de la caisse dans le cahier au 30/09/2025 : 117,50\u00a0€');
    await shot(page, '31-caisse-juste');
    const list = await api.request('GET', `${BOOKS}/cash-counts`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({
        date: '2025-09-30',
        counts: { '5000': 2, '1000': 1, '500': 1, '200': 1, '50': 1 },
        total: 11_750,
        balance: 11_750,
        gap: 0,
        ok: true,
      }),
    ]);
  });

  test('a count short of a coin: the gap in red with its amount; the earlier arrêté loaded back; one removed', async () => {
    await caisse().getByLabel('Date du comptage').fill('15/10/2025');
    await count({ 'Pièce de 2 €': '' });
    await expectText(caisse(), 'Total compté : 115,50\u00a0€');
    await caisse().getByRole('button', { name: 'Enregistrer l’arrêté' }).click();
    await waitFor(async () => (await verdict().innerText()).startsWith('Écart : -2,00\u00a0€'));
    expect(await verdict().innerText()).toContain('il manque 2,00\u00a0€ dans la caisse');
    expect(await verdict().innerText()).toContain('Recomptez ou vérifiez les écritures de caisse.');
    expect(await verdict().getAttribute('class')).toContain('cc-gap');
    const saved = page.getByRole('region', { name: 'Arrêtés enregistrés' });
    const items = saved.getByRole('listitem');
    await waitFor(async () => (await items.count()) === 2);
    expect(await items.nth(0).innerText()).toContain('15/10/2025');
    expect(await items.nth(0).innerText()).toContain('écart -2,00\u00a0€');
    expect(await items.nth(1).innerText()).toContain('30/09/2025');
    expect(await items.nth(1).innerText()).toContain('juste');
    await shot(page, '32-caisse-ecart');
    const october = await api.request('GET', `${BOOKS}/cash-counts/2025-10-15`);
    expect(october.body).toMatchObject({ total: 11_550, balance: 11_750, gap: -200, ok: false });

    await items.nth(1).getByRole('button', { name: 'Reprendre' }).click();
    await waitFor(async () => (await caisse().getByLabel('Pièce de 2 €', { exact: true }).inputValue()) === '1');
    expect(await caisse().getByLabel('Billet de 50 €', { exact: true }).inputValue()).toBe('2');
    expect(await caisse().getByLabel('Date du comptage').inputValue()).toBe('30/09/2025');
    await waitFor(async () => (await verdict().innerText()) === 'Bravo, la caisse est juste !');

    // The October count removed, once confirmed.
    await saved.getByRole('button', { name: 'Supprimer l’arrêté du 15/10/2025' }).click();
    const dialog = page.getByRole('dialog', { name: 'Supprimer l’arrêté de caisse ?' });
    await expectText(dialog, 'L’arrêté du 15/10/2025 (115,50\u00a0€ comptés) sera supprimé.');
    await dialog.getByRole('button', { name: 'Supprimer l’arrêté' }).click();
    await expectText(caisse(), 'Arrêté du 15/10/2025 supprimé.');
    await waitFor(async () => (await items.count()) === 1);
    const left = await api.request<{ date: string }[]>('GET', `${BOOKS}/cash-counts`);
    expect(left.body.map((c) => c.date)).toEqual(['2025-09-30']);
  });

  test('the régies: each holder with its balance in red until it is back to zero; one holder’s lines', async () => {
    await page.getByRole('tab', TAB('Régies')).click();
    const regies = page.getByRole('region', { name: 'Régies d’avance' });
    const table = regies.getByRole('table', { name: 'Régies par titulaire' });
    await table.waitFor();
    const martin = table.getByRole('row').filter({ hasText: 'Mme Martin (CE1)' }).first();
    expect(await martin.innerText()).toMatch(/100,00\u00a0€\s+62,40\u00a0€\s+0,00\u00a0€\s+37,60\u00a0€/);
    const balance = regies.getByLabel('Solde de la régie : Mme Martin (CE1)');
    expect(await balance.getAttribute('class')).toContain('cc-gap');
    await expectText(regies, 'La régie de Mme Martin (CE1) n’est pas soldée : 37,60\u00a0€ restent à justifier.');
    expect(await table.getByRole('row').filter({ hasText: 'M. Durand (CM2)' }).first().innerText()).toMatch(
      /50,00\u00a0€\s+0,00\u00a0€\s+0,00\u00a0€\s+50,00\u00a0€/,
    );
    await regies.getByRole('button', { name: 'Mme Martin (CE1)' }).click();
    const detail = regies.getByRole('region', { name: 'Régie : Mme Martin (CE1)' });
    const lines = detail.getByRole('list', { name: 'Lignes de la régie : Mme Martin (CE1)' });
    await expectText(lines, 'Musée des Beaux-Arts – entrées');
    expect(await lines.getByRole('listitem').nth(0).innerText()).toMatch(
      /PJ 01 · 08\/09\/2025 · Régie versée\s+Mme Martin – régie d’avance sortie au musée\s+100,00\u00a0€/,
    );
    expect(await lines.getByRole('listitem').nth(1).innerText()).toMatch(
      /PJ 02 · 12\/09\/2025 · Dépense\s+Musée des Beaux-Arts – entrées\s+62,40\u00a0€/,
    );
    const chapters = detail.getByRole('list', { name: 'Dépenses par chapitre : Mme Martin (CE1)' });
    expect(await chapters.innerText()).toMatch(/6180 – .*\s+62,40\u00a0€/);
    await shot(page, '33-regies');
    const r = await api.request('GET', `${BOOKS}/regies`);
    expect(r.body.regies.map((x: { holder: string; balance: number }) => [x.holder, x.balance])).toEqual([
      ['M. Durand (CM2)', 5_000],
      ['Mme Martin (CE1)', 3_760],
    ]);
  });

  test('the synthèse des actions: receipts, expenses, result per action and the totals', async () => {
    await page.getByRole('tab', TAB('Actions')).click();
    const table = page.getByRole('table', { name: 'Actions de l’exercice' });
    await table.waitFor();
    const row = (text: string) => table.getByRole('row').filter({ hasText: text }).first().innerText();
    expect(await row('Photos scolaires')).toMatch(/315,00\u00a0€\s+180,00\u00a0€\s+135,00\u00a0€\s+2/);
    expect(await row('Sortie musée')).toMatch(/25,50\u00a0€\s+62,40\u00a0€\s+-36,90\u00a0€\s+2/);
    expect(await table.getByLabel('Résultat de l’action Sortie musée').getAttribute('class')).toContain('cc-gap');
    expect(await row('Total')).toMatch(/340,50\u00a0€\s+242,40\u00a0€\s+98,10\u00a0€\s+4/);
    await shot(page, '34-actions');
  });

  test('the coop’s data: the address saved; a phone number the service refuses explained under its field', async () => {
    await page.getByRole('tab', TAB('Coopérative')).click();
    const coop = page.getByRole('region', { name: 'Coopérative' });
    await expectText(coop, `Coopérative ${COOP}`);
    // The bank is the department's: shown, not typed (a mandataire's default rights).
    expect(await coop.getByLabel('IBAN').count()).toBe(0);
    await coop.getByLabel('Adresse').fill('12 rue des Écoles\n87000 Limoges');
    const phone = coop.getByRole('group', { name: 'Mandataire' }).getByLabel('Téléphone');
    await coop.getByRole('group', { name: 'Mandataire' }).getByLabel('Nom').fill('Claire Dubois');
    await phone.fill('12');
    await coop.getByRole('button', { name: 'Enregistrer' }).click();
    await expectText(coop, 'téléphone du mandataire : numéro invalide');
    await expectText(coop, 'Rien n’a été enregistré');
    expect((await api.request('GET', `/api/coops/${COOP}`)).body.address).toBeNull();
    await shot(page, '35-cooperative-refus');
    await phone.fill('05 55 12 34 56');
    await coop.getByRole('button', { name: 'Enregistrer' }).click();
    await expectText(coop, 'Données de la coopérative enregistrées.');
    const saved = (await api.request('GET', `/api/coops/${COOP}`)).body;
    expect(saved).toMatchObject({
      address: '12 rue des Écoles\n87000 Limoges',
      mandataire: { name: 'Claire Dubois', email: null, phone: '05 55 12 34 56' },
    });
    await shot(page, '36-cooperative');
    expect(pane.cspViolations).toEqual([]);
  });
});
