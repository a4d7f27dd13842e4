/**
 * The task pane in a real browser (Debian chromium driven by playwright-core), served by the
 * real service, with the in-memory workbook behind the adapter's interface: log in, create a
 * split line, see it validated and stored, point it, lose the service mid-sync and see the
 * queue drain when it returns, resolve a conflict. Screenshots go to test-results/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import { startService, type RunningService } from '../../server/service';
import { ADDIN_DIR } from '../../server/http/static';
import { Client } from '../api/harness';

const SHOTS = join(__dirname, '../../test-results/screenshots');
const CHROMIUM = process.env.CAHIER_CHROMIUM ?? '/usr/bin/chromium';

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

describe('le volet Office dans un vrai navigateur', () => {
  let dir: string;
  let dbUrl: string;
  let port: number;
  let service: RunningService | null = null;
  let browser: Browser;
  let page: Page;
  let api: Client;
  const lines = '/api/coops/087-0001/exercises/2025/lines';

  const start = async () => {
    service = await startService({ dbUrl, port, sessionHours: 1 });
  };
  const badge = () => page.getByRole('status', { name: 'État de la synchronisation' });
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const statusCell = (row: number) =>
    page.evaluate((r) => window.cahierWorkbook!.cell(r, 'status'), row) as Promise<string | null>;

  beforeAll(async () => {
    if (!existsSync(join(ADDIN_DIR, 'taskpane.html'))) throw new Error('Construisez le volet d’abord : npm run build');
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium introuvable (${CHROMIUM}) : apt-get install -y chromium`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'cahier-pane-'));
    dbUrl = `sqlite:${join(dir, 'c.sqlite')}`;
    port = await freePort();
    await start();
    const coop = await addCoop(service!.db, { number: '087-0001', name: 'École Jules Ferry', department: '87' });
    await addUser(service!.db, { login: 'Claire', password: 'mot-de-passe-1', coop: coop.number });
    await openExercise(service!.db, coop.id, 2025, { banque: 150_000, caisse: 10_000 });
    api = await new Client(service!.url).login('Claire', 'mot-de-passe-1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--lang=fr-FR',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 420, height: 900 }, locale: 'fr-FR' });
    // Outside Office, office.js is not needed (and this machine has no internet).
    await page.route('https://appsforoffice.microsoft.com/**', (r) => r.abort());
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('log in, create the cahier, enter a split line: validated and stored in the service', async () => {
    await page.goto(`http://localhost:${port}/taskpane.html`);
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
    await form.getByLabel('Date').fill('2025-09-20');
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
    await service!.close();
    service = null;
    await page.getByRole('tab', { name: 'Nouvelle écriture' }).click();
    const form = page.getByRole('form', { name: 'Nouvelle écriture' });
    await form.getByLabel('Libellé (qui – quoi)').fill('Boulangerie – goûter');
    await form.getByLabel('Date').fill('2025-10-03');
    await form.getByLabel('Compte').selectOption('caisse');
    await form.getByLabel('Mode').selectOption('especes');
    await form.getByLabel('N° de chèque').fill('');
    await form.getByLabel('Montant (€)').fill('18,40');
    await form.getByRole('radio', { name: 'Automatique' }).check();
    await form.getByLabel('Chapitre', { exact: true }).selectOption('6180');
    await form.getByRole('button', { name: 'Enregistrer l’écriture' }).click();
    await expectBadge(badge(), '1 en attente – service injoignable');
    expect(await statusCell(1)).toBe('⏳ à envoyer');
    expect(await page.evaluate(() => JSON.parse(window.cahierWorkbook!.queue!).length)).toBe(1);
    await shot('04-hors-ligne');
    await start();
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
    await page.evaluate(() => (window.cahierWorkbook!.selection = 1));
    await page.getByRole('tab', { name: 'Ligne sélectionnée' }).click();
    await page.getByRole('button', { name: 'Lire la ligne sélectionnée' }).click();
    await expectText(page, '02 · 2025-10-03 · Boulangerie – goûter · 18,40');
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
    await page.evaluate(() => (window.cahierWorkbook!.selection = 2));
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
});

function strip(line: Record<string, unknown>) {
  const { id: _i, version: _v, status: _s, problems: _p, pointed: _pt, createdAt: _c, updatedAt: _u, ...rest } = line;
  return rest;
}

async function waitFor(check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('délai dépassé');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectText(scope: Pick<Page, 'getByText'>, text: string, timeout = 15_000): Promise<void> {
  await scope.getByText(text, { exact: false }).first().waitFor({ timeout });
}

async function expectValue(locator: ReturnType<Page['getByLabel']>, value: string): Promise<void> {
  await waitFor(async () => (await locator.inputValue()) === value);
}

async function expectBadge(locator: ReturnType<Page['getByRole']>, text: string, timeout = 15_000): Promise<void> {
  await locator.getByText(text).waitFor({ timeout });
}
