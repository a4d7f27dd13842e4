/**
 * Closing an exercise from the task pane, in a real browser against the real service (its clock
 * on 2 September 2026): « Clôturer l’exercice » after a confirmation, the view then closed with
 * the archived documents, their SHA-256 and a download; the archives listed again in a new pane;
 * last year's uncleared cheque in the next exercise's Pointage tab, pointed from the pane;
 * « Rouvrir » with a reason for the trésorier départemental only.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { formatEuros } from '../../templates/definition';
import { addUser } from '../../server/operations/accounts';
import { Client } from '../api/harness';
import { COOP, LINES, LOGIN, expectText, logIn, logInAndCreate, openPane, shot, waitFor, type Pane } from './pane';

const EXERCISE = LINES.replace(/\/lines$/, '');
const NEXT = EXERCISE.replace(/2025$/, '2026');
const TRESORIER = { login: 'tresorier.87', password: 'mot-de-passe-87' };
const ids = { cotisations: randomUUID(), cheque: randomUUID() };

/** Opening 1 500,00 € in the bank and 100,00 € in the caisse (see pane.ts). */
const YEAR = [
  {
    id: ids.cotisations,
    line: {
      pj: '01',
      date: '2025-10-06',
      libelle: 'Familles – cotisations',
      kind: 'recette',
      account: 'banque',
      mode: 'virement',
      cheque: null,
      action: null,
      amount: 42_000,
      ventilation: [{ chapter: '7560', amount: 42_000 }],
    },
  },
  {
    // Paid on 20 August, not cashed by 31 August: outstanding at the closing.
    id: ids.cheque,
    line: {
      pj: '02',
      date: '2026-08-20',
      libelle: 'Librairie Martin – fichiers de lecture',
      kind: 'depense',
      account: 'banque',
      mode: 'cheque',
      cheque: '4502',
      action: null,
      amount: 1_200,
      ventilation: [{ chapter: '6180', amount: 1_200 }],
    },
  },
];
const BANK = 150_000 + 42_000 - 1_200;

interface Archive {
  id: number;
  name: string;
  sha256: string;
  size: number;
  closing: number;
}

describe('clôture de l’exercice depuis le volet', () => {
  let pane: Pane;
  let page: Page;
  let api: Client;
  const exerciseSelect = () => page.locator('select[name="exercise"]');
  const options = () => exerciseSelect().locator('option').allTextContents();
  const archiveList = () => page.getByRole('list', { name: 'Documents archivés' });
  const dialog = () => page.getByRole('dialog');
  const stored = async () => (await api.request<{ status: string }>('GET', EXERCISE)).body;
  const archives = async () => {
    const r = await api.request<Archive[]>('GET', `${EXERCISE}/archives`);
    expect(r.status).toBe(200);
    return r.body;
  };
  /** The pane lists every document the service archived, each with its SHA-256. */
  const expectArchivesShown = async (list: Archive[]) => {
    await waitFor(async () => (await archiveList().locator('li').count()) === list.length);
    for (const a of list) {
      const item = archiveList().locator('li').filter({ hasText: a.name });
      expect(await item.count()).toBe(1);
      await expectText(item, `SHA-256 : ${a.sha256}`);
      await expectText(item, `clôture n° ${a.closing}`);
    }
  };

  beforeAll(async () => {
    pane = await openPane('fr-FR', { now: () => new Date(2026, 8, 2, 12) });
    ({ page, api } = pane);
    await addUser(pane.db(), { ...TRESORIER, department: '87' });
    await logInAndCreate(pane);
    const r = await api.request('POST', `${EXERCISE}/sync`, { lines: YEAR.map((l) => ({ ...l, version: null })) });
    expect(r.status).toBe(200);
    // The bank showed the cotisations, not the cheque of 20 August.
    const pointed = await api.request(
      'POST',
      `${LINES}/${ids.cotisations}/pointage`,
      { pointed: true },
      {
        'If-Match': '"1"',
      },
    );
    expect(pointed.status).toBe(200);
    const statement = await api.request('PATCH', `/api/coops/${COOP}`, {
      lastStatement: { date: '2026-08-31', balance: BANK + 1_200 },
    });
    expect(statement.status).toBe(200);
    const count = await api.request('PUT', `${EXERCISE}/cash-counts/2026-08-31`, { counts: { '5000': 2 } });
    expect(count.status).toBe(201);
    await page.getByRole('button', { name: 'Charger l’exercice depuis le service' }).click();
    await expectText(page, '2 écriture(s) chargée(s) depuis le service.');
    await page.getByRole('tab', { name: 'Clôture' }).click();
  }, 60_000);

  afterAll(async () => {
    await pane?.close();
  });

  test('« Clôturer l’exercice » after a confirmation: closed, documents archived, the next exercise opened', async () => {
    await expectText(page, 'Rien ne bloque la clôture (contrôle du 02/09/2026).');
    await page.getByRole('button', { name: 'Clôturer l’exercice' }).click();
    await expectText(dialog(), 'Clôturer l’exercice 2025-2026 ?');
    await expectText(dialog(), 'L’exercice passera en lecture seule');
    await shot(page, 'closing-confirm');
    // « Annuler »: nothing happens.
    await dialog().getByRole('button', { name: 'Annuler' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect((await stored()).status).toBe('open');

    await page.getByRole('button', { name: 'Clôturer l’exercice' }).click();
    await dialog().getByRole('button', { name: 'Clôturer', exact: true }).click();
    await expectText(page, 'Exercice 2025-2026 clôturé :', 60_000);
    const list = await archives();
    expect(list.length).toBeGreaterThanOrEqual(5);
    expect(list.map((a) => a.name).join(' ')).toMatch(/\.pdf/);
    await expectText(page, `Exercice 2025-2026 clôturé : ${list.length} document(s) archivé(s).`);
    await expectText(
      page,
      `L’exercice 2026-2027 est ouvert avec les soldes de clôture en report à nouveau (banque ${formatEuros(BANK)}, caisse ${formatEuros(10_000)}).`,
    );
    await expectText(page, 'Exercice 2025-2026 clôturé : documents archivés');
    await expectText(page, 'L’exercice 2025-2026 est clôturé : il ne peut plus changer sans réouverture.');
    expect(await page.getByText('Rien ne bloque la clôture').count()).toBe(0);
    await expectArchivesShown(list);
    // Closed: no more closing; « Rouvrir » is not the mandataire's.
    expect(await page.getByRole('button', { name: 'Clôturer l’exercice' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Rouvrir' }).count()).toBe(0);
    // The list of exercises follows: the closed one said so, the next one there to open.
    await waitFor(async () => (await options()).join('|') === '2025-2026 (clôturé)|2026-2027');
    expect(await exerciseSelect().inputValue()).toBe('2025');
    await shot(page, 'closing-done');

    // What the service stores: closed by the treasurer, the next exercise with the closing balances.
    expect((await stored()).status).toBe('closed');
    const history = await api.request<{ action: string; login: string }[]>('GET', `${EXERCISE}/history`);
    expect(history.body.at(-1)).toMatchObject({ action: 'close', login: LOGIN.login });
    const next = await api.request('GET', NEXT);
    expect(next.body).toMatchObject({ status: 'open', opening: { banque: BANK, caisse: 10_000 } });
  }, 90_000);

  test('a document downloads with the very bytes its SHA-256 names', async () => {
    const pdf = (await archives()).find((a) => a.name.endsWith('.pdf'))!;
    const item = archiveList().locator('li').filter({ hasText: pdf.name });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: pdf.name }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(pdf.name);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect([bytes.length, createHash('sha256').update(bytes).digest('hex')]).toEqual([pdf.size, pdf.sha256]);
  });

  test('last year’s uncleared cheque in the next exercise’s Pointage tab, pointed from the pane', async () => {
    await exerciseSelect().selectOption({ label: '2026-2027' });
    await page.getByRole('button', { name: 'Charger l’exercice depuis le service' }).click();
    await expectText(page, '0 écriture(s) chargée(s) depuis le service.');
    await page.getByRole('tab', { name: 'Pointage' }).click();
    const table = page.getByRole('region', { name: 'Opérations de l’exercice précédent non pointées' });
    const row = table.locator('tbody tr');
    await waitFor(async () => (await row.count()) === 1);
    expect(await row.locator('td').allTextContents()).toEqual([
      '02',
      '20/08/2026',
      'Librairie Martin – fichiers de lecture (chèque 4502)',
      formatEuros(-1_200),
      'Pointer',
    ]);
    await shot(page, 'closing-outstanding');
    await table.getByRole('button', { name: 'Pointer PJ 02' }).click();
    await expectText(row, 'Pointée le 02/09/2026 – dépointer');
    await table.getByRole('button', { name: 'Dépointer PJ 02' }).waitFor();

    // The service reports it cleared in 2026-2027; it was never re-entered, the closed year is untouched.
    const outstanding = await api.request('GET', `${NEXT}/outstanding`);
    expect(outstanding.body.from).toBe('2025-2026');
    expect(outstanding.body.items).toEqual([
      expect.objectContaining({ id: ids.cheque, pj: '02', cleared: { on: '2026-09-02', by: LOGIN.login } }),
    ]);
    expect(outstanding.body.total.nonPointees).toEqual({ depenses: 0, recettes: 0 });
    expect((await api.request('GET', `${NEXT}/lines`)).body.lines).toEqual([]);
    expect((await api.request('GET', `${LINES}/${ids.cheque}`)).body.pointed).toBe(false);
  });

  test('the archives, listed again in a new pane; « Rouvrir » is neither shown to nor allowed for a mandataire', async () => {
    await logIn(pane);
    // The open exercise comes first; the closed one is chosen.
    await waitFor(async () => (await options()).length === 2 && (await exerciseSelect().inputValue()) === '2026');
    await exerciseSelect().selectOption({ label: '2025-2026 (clôturé)' });
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(page, '2 écriture(s) chargée(s) depuis le service.');
    await page.getByRole('tab', { name: 'Clôture' }).click();
    await expectText(page, 'Exercice 2025-2026 clôturé : documents archivés');
    await expectArchivesShown(await archives());
    expect(await page.getByRole('button', { name: 'Rouvrir' }).count()).toBe(0);

    const refused = await api.request('POST', `${EXERCISE}/closure/reopen`, { reason: 'Facture oubliée' });
    expect([refused.status, refused.body.code]).toEqual([403, 'reservee_au_tresorier']);
    expect((await stored()).status).toBe('closed');
  });

  test('the trésorier départemental reopens it with a reason; the documents stay', async () => {
    const before = await archives();
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    await logIn(pane, TRESORIER);
    await waitFor(async () => (await options()).length === 2);
    await exerciseSelect().selectOption({ label: '2025-2026 (clôturé)' });
    // The in-memory workbook of the page opened anew holds no cahier yet.
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await page.getByRole('tab', { name: 'Clôture' }).click();
    await expectArchivesShown(before);

    await page.getByRole('button', { name: 'Rouvrir' }).click();
    await expectText(dialog(), 'Rouvrir l’exercice 2025-2026');
    const confirm = dialog().getByRole('button', { name: 'Rouvrir' });
    // No reason, no reopening.
    expect(await confirm.isDisabled()).toBe(true);
    await dialog().getByLabel('Raison de la réouverture').fill('Facture du 28 août oubliée');
    expect(await confirm.isDisabled()).toBe(false);
    await shot(page, 'closing-reopen');
    await confirm.click();
    await expectText(page, 'Exercice 2025-2026 rouvert ; les documents archivés restent.');
    // Open again: it may be closed again; the list of exercises says so.
    await page.getByRole('button', { name: 'Clôturer l’exercice' }).waitFor();
    await waitFor(async () => (await options()).join('|') === '2025-2026|2026-2027');

    expect((await stored()).status).toBe('open');
    const history = await api.request<{ action: string; login: string; reason: string }[]>(
      'GET',
      `${EXERCISE}/history`,
    );
    expect(history.body.at(-1)).toMatchObject({
      action: 'reopen',
      login: TRESORIER.login,
      reason: 'Facture du 28 août oubliée',
    });
    expect(await archives()).toEqual(before);
  });
});
