/**
 * « Importer un ancien cahier » in the task pane, in a real browser against the real service: the
 * department's trésorier picks an old OCCE workbook, reads the dry run's report (nothing stored
 * yet), imports it, and loads the imported exercise into the workbook; a renamed CSV is refused
 * in French; a mandataire is not offered the import.
 */
import type { Page } from 'playwright-core';
import { formatEuros } from '../../templates/definition';
import { addUser } from '../../server/operations/accounts';
import { Client } from '../api/harness';
import { RENAMED_CSV, occeCahier } from '../fixtures/legacy-files';
import { LINES, expectText, logIn, openPane, shot, type Pane } from './pane';

const TRESORIER = { login: 'tresorier.87', password: 'mot-de-passe-87' };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('importer un ancien cahier dans le volet', () => {
  let pane: Pane;
  let page: Page;
  let tresorier: Client;
  const fixture = occeCahier();
  const { report } = fixture;
  const section = () => page.getByRole('region', { name: 'Importer un ancien cahier' });
  const stored = async () => (await tresorier.request<{ lines: unknown[] }>('GET', LINES)).body.lines;

  beforeAll(async () => {
    pane = await openPane('fr-FR');
    ({ page } = pane);
    await addUser(pane.db(), { ...TRESORIER, department: '87' });
    tresorier = await new Client(new URL(pane.url).origin).login(TRESORIER.login, TRESORIER.password);
  }, 60_000);

  afterAll(async () => {
    await pane?.close();
  });

  test('a mandataire is not offered the import', async () => {
    await logIn(pane);
    await expectText(page, 'Créer le cahier dans ce classeur');
    expect(await page.getByRole('button', { name: 'Importer un ancien cahier' }).count()).toBe(0);
  });

  test('the dry run shows what the file holds and stores nothing; « Importer » stores it', async () => {
    await logIn(pane, TRESORIER);
    await page.getByRole('button', { name: 'Importer un ancien cahier' }).click();
    await page.getByLabel('Fichier de l’ancien cahier').setInputFiles({
      name: fixture.file,
      mimeType: XLSX,
      buffer: await fixture.xlsx(),
    });
    const found = section().getByRole('table', { name: 'Ce que le fichier contient' });
    await expectText(found, report.sheet);
    await expectText(
      found,
      `${report.entries.validated} validée(s), ${report.entries.drafts} en brouillon, ${report.pointed} pointée(s)`,
    );
    await expectText(
      found,
      `banque ${formatEuros(report.openingBalances.banque)}, caisse ${formatEuros(report.openingBalances.caisse)}`,
    );
    await expectText(
      found,
      `recettes ${formatEuros(report.totals.banque.recettes)}, dépenses ${formatEuros(report.totals.banque.depenses)}`,
    );
    const skipped = section().getByRole('table', { name: 'Lignes ignorées' });
    expect(await skipped.getByRole('row').count()).toBe(report.skippedRows.length + 1);
    await expectText(skipped, report.skippedRows[0]!.reason);
    // Each draft's problem named by its row and column.
    const problems = section().getByRole('table', { name: 'Problèmes relevés' });
    expect(await problems.locator('tr.cc-gap').count()).toBeGreaterThanOrEqual(report.entries.drafts);
    await shot(page, 'import-dry-run');
    expect(await stored()).toEqual([]);

    await section().getByRole('button', { name: 'Importer', exact: true }).click();
    await expectText(
      section(),
      `${fixture.file} importé : ${report.entries.validated} écriture(s) validée(s), ${report.entries.drafts} en brouillon.`,
    );
    const lines = (await stored()) as { status: string; pointed: boolean }[];
    expect(lines).toHaveLength(report.entries.validated + report.entries.drafts);
    expect(lines.filter((l) => l.status === 'draft')).toHaveLength(report.entries.drafts);
    expect(lines.filter((l) => l.status === 'validated' && l.pointed)).toHaveLength(report.pointed);
    expect(await section().getByRole('button', { name: 'Importer', exact: true }).count()).toBe(0);

    // The imported exercise loads into the workbook as any other.
    await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
    await expectText(page, `${lines.length} écriture(s) chargée(s) depuis le service.`);
    await shot(page, 'import-done');
  }, 90_000);

  test('a CSV renamed .xlsx is refused in French, naming the file', async () => {
    await page.getByLabel('Fichier de l’ancien cahier').setInputFiles({
      name: 'cahier-087-0001.xlsx',
      mimeType: XLSX,
      buffer: RENAMED_CSV,
    });
    const alert = section().getByRole('alert');
    await expectText(alert, 'cahier-087-0001.xlsx refusé :');
    expect(await section().getByRole('button', { name: 'Importer', exact: true }).isDisabled()).toBe(true);
    expect(await stored()).toHaveLength(report.entries.validated + report.entries.drafts);
  });
});
