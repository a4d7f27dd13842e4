/**
 * The task pane in a real browser for the browser tests: the built pane served by the real
 * service (SQLite in a temporary folder, one coop and its treasurer, the exercise 2025 open),
 * Debian's chromium driven by playwright-core in the language asked, the in-memory workbook
 * behind the adapter's interface. Screenshots go to test-results/screenshots/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import type { Db } from '../../server/db/connect';
import { startService, type RunningService } from '../../server/service';
import { ADDIN_DIR } from '../../server/http/static';
import { isoDay } from '../../server/operations/closure';
import { Client } from '../api/harness';

export const SHOTS = join(__dirname, '../../test-results/screenshots');
const CHROMIUM = process.env.CAHIER_CHROMIUM ?? '/usr/bin/chromium';
export const COOP = '087-0001';
export const LINES = `/api/coops/${COOP}/exercises/2025/lines`;
export const LOGIN = { login: 'Claire', password: 'mot-de-passe-1' };

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export interface Pane {
  page: Page;
  /** Another client of the service, to see what it stored. */
  api: Client;
  /** The service's database (to add accounts, e.g. a trésorier départemental). */
  db(): Db;
  /** What the browser reported as blocked by the service's Content-Security-Policy. */
  cspViolations: string[];
  url: string;
  /** (Re)starts the service on the same database and port. */
  start(): Promise<void>;
  /** Stops the service (the pane stays open). */
  stopService(): Promise<void>;
  close(): Promise<void>;
}

export interface PaneOptions {
  /** The service's clock (absent: the system's), e.g. a day after the end of the exercise to close it. */
  now?: () => Date;
}

/** The service with its coop and treasurer, and chromium in `locale` (fr-FR, en-US…). */
export async function openPane(locale: string, options: PaneOptions = {}): Promise<Pane> {
  if (!existsSync(join(ADDIN_DIR, 'taskpane.html'))) throw new Error('Construisez le volet d’abord : npm run build');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium introuvable (${CHROMIUM}) : apt-get install -y chromium`);
  await mkdir(SHOTS, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'cahier-pane-'));
  const dbUrl = `sqlite:${join(dir, 'c.sqlite')}`;
  const port = await freePort();
  let service: RunningService | null = null;
  const start = async () => {
    service = await startService({ dbUrl, port, sessionHours: 1, now: options.now });
  };
  await start();
  const coop = await addCoop(service!.db, { number: COOP, name: 'École Jules Ferry', department: '87' });
  await addUser(service!.db, { ...LOGIN, coop: coop.number });
  await openExercise(
    service!.db,
    coop.id,
    2025,
    { banque: 150_000, caisse: 10_000 },
    options.now ? { today: isoDay(options.now()) } : {},
  );
  const api = await new Client(service!.url).login(LOGIN.login, LOGIN.password);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        `--lang=${locale}`,
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 420, height: 900 }, locale });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    // Outside Office, office.js is not needed (and this machine has no internet).
    await page.route('https://appsforoffice.microsoft.com/**', (r) => r.abort());
    return {
      page,
      api,
      cspViolations,
      url: `http://localhost:${port}/taskpane.html`,
      start,
      db() {
        if (!service) throw new Error('Le service est arrêté.');
        return service.db;
      },
      async stopService() {
        await service?.close();
        service = null;
      },
      async close() {
        await browser?.close();
        await service?.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close();
    await service!.close();
    throw e;
  }
}

/** Opens the pane (afresh: a new in-memory workbook) and logs in, by default as the treasurer. */
export async function logIn(pane: Pane, who: { login: string; password: string } = LOGIN): Promise<void> {
  const { page } = pane;
  await page.goto(pane.url);
  await page.getByLabel('Identifiant').fill(who.login);
  await page.getByLabel('Mot de passe').fill(who.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/** Logs in as the treasurer and creates the cahier in the (in-memory) workbook. */
export async function logInAndCreate(pane: Pane): Promise<void> {
  const { page } = pane;
  await logIn(pane);
  await page.getByRole('button', { name: 'Créer le cahier dans ce classeur' }).click();
  await expectText(page, '0 écriture(s) chargée(s) depuis le service.');
}

export const badge = (page: Page) => page.getByRole('status', { name: 'État de la synchronisation' });

/**
 * A full-page screenshot. The field being typed in is left first, so the picture shows it as
 * the pane rewrites it (15/09/2025, 1 234,56) — and a rewrite on the next click does not
 * re-lay out the page under the click (a full-page screenshot leaves a scroll position that
 * the next layout corrects).
 */
export async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function waitFor(check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('délai dépassé');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function expectText(scope: Pick<Page, 'getByText'>, text: string, timeout = 15_000): Promise<void> {
  await scope.getByText(text, { exact: false }).first().waitFor({ timeout });
}

export async function expectValue(locator: ReturnType<Page['getByLabel']>, value: string): Promise<void> {
  await waitFor(async () => (await locator.inputValue()) === value);
}

export async function expectBadge(
  locator: ReturnType<Page['getByRole']>,
  text: string,
  timeout = 15_000,
): Promise<void> {
  await locator.getByText(text).waitFor({ timeout });
}

/** What a cell of the (in-memory) sheet holds, by its column key. */
export const cell = (page: Page, row: number, key: string) =>
  page.evaluate(([r, k]) => window.cahierWorkbook!.cell(r as number, k as string), [row, key]) as Promise<
    string | number | null
  >;

/** The sheet row whose `key` cell holds `value` (a line's id, a PJ typed '07). */
export async function rowOf(page: Page, key: 'id' | 'pj', value: string): Promise<number> {
  const n = (await page.evaluate(() => window.cahierWorkbook!.rows!.length)) as number;
  for (let r = 0; r < n; r++) if (String(await cell(page, r, key)).replace(/^'/, '') === value) return r;
  throw new Error(`${key === 'pj' ? 'PJ' : 'ligne'} ${value} absente de la feuille`);
}

/** The row the treasurer selects in the sheet (null: none). */
export async function selectRow(page: Page, row: number | null): Promise<void> {
  await page.evaluate((r) => {
    window.cahierWorkbook!.selection = r;
    window.cahierWorkbook!.selectedRows = r === null ? [] : [r];
  }, row);
}

/** The rows selected in the sheet, top to bottom. */
export const selectedRows = (page: Page) =>
  page.evaluate(() => window.cahierWorkbook!.selectedRows) as Promise<number[]>;

/** How many changes wait in the engine's queue for the service. */
export const queueLength = (page: Page) =>
  page.evaluate(() => (JSON.parse(window.cahierWorkbook!.queue ?? '[]') as unknown[]).length) as Promise<number>;
