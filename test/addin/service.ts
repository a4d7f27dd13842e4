/**
 * The real validation service for the add-in's tests (SQLite in a temporary folder), with one
 * coop, its treasurer and the open exercise 2025; the add-in's API client logged in to it.
 */
import { cahierLayout, FIRST_DATA_ROW, lineToRow, type LineInput } from '../../templates/definition';
import { Api } from '../../addin/src/api';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import { startTestService, type TestService } from '../api/harness';

export const COOP = '087-0001';
export const OPENING = { banque: 150_000, caisse: 10_000 };

export interface PaneService {
  service: TestService;
  /** The add-in's client, logged in as the coop's treasurer. */
  api: Api;
  /** The lines stored on the service, read with another client. */
  stored(): Promise<{ id: string; version: number; libelle: string; pj: string; amount: number }[]>;
}

export async function paneService(): Promise<PaneService> {
  const service = await startTestService({ name: 'sqlite' });
  const coop = await addCoop(service.db, { number: COOP, name: 'École Jules Ferry', department: '87' });
  await addUser(service.db, { login: 'Claire', password: 'mot-de-passe-1', coop: coop.number });
  await openExercise(service.db, coop.id, 2025, OPENING);
  const api = new Api(service.url);
  await api.login('Claire', 'mot-de-passe-1');
  const reader = new Api(service.url);
  await reader.login('Claire', 'mot-de-passe-1');
  return {
    service,
    api,
    stored: async () => (await reader.lines(COOP, 2025)).lines,
  };
}

const layout = cahierLayout();

/** A bank expense of the exercise 2025, automatically ventilated to 6180. */
export function expense(pj: string, libelle: string, amount = 1_000): LineInput {
  return {
    pj,
    date: '2025-10-01',
    libelle,
    mode: 'carte',
    cheque: null,
    action: null,
    kind: 'depense',
    account: 'banque',
    amount,
    ventilation: [{ chapter: '6180', amount }],
  };
}

/** What the treasurer types in a row for a line: the cells she fills (no formula, no id). */
export function typed(line: LineInput): Record<string, string | number | null> {
  const cells = lineToRow(layout, { ...line, pointed: false }, FIRST_DATA_ROW);
  const out: Record<string, string | number | null> = {};
  for (const c of layout.columns) {
    const v = cells[c.index];
    if (c.input && (v === null || typeof v === 'string' || typeof v === 'number')) out[c.key] = v;
  }
  return out;
}

/** A promise the test opens when it wants: holds a call of the add-in in flight. */
export function gate(): { reached: Promise<void>; reach: () => void; open: () => void; opened: Promise<void> } {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  const opened = new Promise<void>((r) => (open = r));
  return { reached, reach, open, opened };
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('délai dépassé');
    await new Promise((r) => setTimeout(r, 20));
  }
}
