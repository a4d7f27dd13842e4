/**
 * The sync engine over the in-memory workbook (which, like Excel, raises the change event for
 * the add-in's own writes too), against a stand-in service or the real one: ids that cannot be
 * trusted are replaced, the queue survives a restart of the pane, duplicate and delete; an edit
 * typed while a sync is on its way is not lost; a line the service refuses leaves the queue for
 * the errors list without blocking the others.
 */
import { cahierLayout, FIRST_DATA_ROW, lineToRow, type LineInput } from '../../templates/definition';
import { Api } from '../../addin/src/api';
import { MemoryWorkbook } from '../../addin/src/memory-workbook';
import { PENDING, SESSION_EXPIRED, SyncEngine } from '../../addin/src/sync';
import { COOP, OPENING, expense, gate, paneService, typed, waitUntil, type PaneService } from './service';

const layout = cahierLayout();
const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});
const line = (pj: string, amount = 1_000): LineInput => expense(pj, `Papeterie – facture ${pj}`, amount);

/**
 * A service that stores what it gets, or is away; `refuse` answers a batch holding such a line
 * with a refusal of the whole batch, as a service (or a proxy before it) does for a body it
 * will not take; `status` answers every call with that status while set.
 */
function service() {
  const s = {
    up: true,
    calls: 0,
    status: null as number | null,
    refuse: (_line: LineInput | undefined): boolean => false,
    stored: new Map<string, { version: number; line?: unknown; deleted?: boolean }>(),
  };
  (globalThis as any).fetch = async (_url: string, init: { body: string }) => {
    s.calls++;
    if (!s.up) throw new TypeError('fetch failed');
    const batch = JSON.parse(init.body).lines as { id: string; line?: LineInput; deleted?: boolean }[];
    if (s.status !== null || batch.some((b) => s.refuse(b.line))) {
      const status = s.status ?? 422;
      const problem =
        status === 422
          ? {
              status,
              code: 'donnees_invalides',
              detail: 'Champs invalides.',
              errors: [{ field: 'lines[0].libelle', message: 'libelle : 200 caractères au plus' }],
            }
          : { status, code: 'refus', detail: `Refus ${status} du service.` };
      return new Response(JSON.stringify(problem), {
        status,
        headers: { 'content-type': 'application/problem+json' },
      });
    }
    const results = batch.map((b) => {
      const version = (s.stored.get(b.id)?.version ?? 0) + 1;
      s.stored.set(b.id, { version, line: b.line, deleted: b.deleted });
      return b.deleted
        ? { id: b.id, result: 'stored', line: { id: b.id, version, deleted: true } }
        : {
            id: b.id,
            result: 'stored',
            line: { ...b.line, id: b.id, version, status: 'validated', problems: [], pointed: false },
          };
    });
    return new Response(JSON.stringify({ cursor: '1', results }), { status: 200 });
  };
  return s;
}

async function emptyCahier(): Promise<MemoryWorkbook> {
  const wb = new MemoryWorkbook();
  await wb.createCahier({ nom: 'x', numero: '1', departement: '87', exercise: 2025, opening: OPENING });
  return wb;
}

async function settle(engine: SyncEngine): Promise<void> {
  for (let i = 0; i < 200 && (engine.snapshot.pending > 0 || engine.snapshot.syncing); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 150));
}

describe('le moteur de synchronisation', () => {
  test('a copied row (same id) and a made-up id become new lines; nothing is trusted', async () => {
    const svc = service();
    const wb = new MemoryWorkbook();
    await wb.createCahier({
      nom: 'x',
      numero: '1',
      departement: '87',
      exercise: 2025,
      opening: { banque: 0, caisse: 0 },
    });
    const id = '11111111-2222-4333-8444-555555555555';
    await wb.replaceRows([lineToRow(layout, line('01'), FIRST_DATA_ROW, { id, version: 1, status: '✓' })]);
    svc.stored.set(id, { version: 1 });
    const engine = new SyncEngine(wb, new Api(''), '1', 2025, layout.chart, { banque: 0, caisse: 0 });
    await engine.start();
    // The treasurer copies row 1 into row 2 (same hidden id), and types a fake id in row 3.
    wb.type(1, Object.fromEntries(layout.columns.map((c, i) => [c.key, wb.rows![0]![i] as never])));
    wb.type(1, { pj: '02' });
    wb.type(2, {
      ...{
        pj: '03',
        date: 45931,
        libelle: 'Copie à la main',
        banque_depenses: 5,
        chapitre: '6180 – Activités éducatives',
      },
      id: 'pas-un-uuid',
    });
    await settle(engine);
    const ids = [0, 1, 2].map((r) => wb.cell(r, 'id'));
    expect(ids[0]).toBe(id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toMatch(/^[0-9a-f-]{36}$/);
    expect([1, 2].map((r) => wb.cell(r, 'status'))).toEqual(['✓', '✓']);
    expect(svc.stored.get(id)!.version).toBe(1); // the original line was not overwritten by its copy
    engine.stop();
  });

  test('the queue survives the pane being closed while the service is away', async () => {
    const svc = service();
    svc.up = false;
    const wb = new MemoryWorkbook();
    await wb.createCahier({
      nom: 'x',
      numero: '1',
      departement: '87',
      exercise: 2025,
      opening: { banque: 0, caisse: 0 },
    });
    const first = new SyncEngine(wb, new Api(''), '1', 2025, layout.chart, { banque: 0, caisse: 0 });
    await first.start();
    await first.saveLine(line('01'));
    await first.saveLine(line('02'));
    await settle(first);
    expect(first.snapshot).toMatchObject({ pending: 2, offline: true });
    expect(wb.cell(0, 'status')).toBe(PENDING);
    first.stop(); // the pane is closed; the workbook keeps the queue
    expect(JSON.parse(wb.queue!)).toHaveLength(2);
    svc.up = true;
    const second = new SyncEngine(wb, new Api(''), '1', 2025, layout.chart, { banque: 0, caisse: 0 });
    await second.start();
    await settle(second);
    expect(second.snapshot.pending).toBe(0);
    expect(svc.stored.size).toBe(2);
    expect([wb.cell(0, 'status'), wb.cell(1, 'status')]).toEqual(['✓', '✓']);
    // Duplicate takes the next PJ; delete sends a tombstone and removes the row.
    await second.duplicate(0);
    await settle(second);
    expect(wb.cell(2, 'pj')).toBe('03');
    const copyId = String(wb.cell(2, 'id'));
    await second.remove(2);
    await settle(second);
    expect(wb.rows).toHaveLength(2);
    expect(svc.stored.get(copyId)).toMatchObject({ deleted: true, version: 2 });
    second.stop();
  });

  test('an edit typed while a sync is on its way reaches the service (real service)', async () => {
    const pane: PaneService = await paneService();
    try {
      const wb = await emptyCahier();
      const engine = new SyncEngine(wb, pane.api, COOP, 2025, layout.chart, OPENING);
      await engine.start();
      // The first batch is held between the service's answer and the add-in's writing it down.
      const held = gate();
      const sync = pane.api.sync;
      let calls = 0;
      pane.api.sync = async (...args) => {
        const answer = await sync(...args);
        if (++calls === 1) {
          held.reach();
          await held.opened;
        }
        return answer;
      };
      wb.type(0, typed(expense('01', 'Papeterie – cahiers')));
      await held.reached;
      // Meanwhile the treasurer types a new line and corrects the one on its way.
      wb.type(1, typed(expense('02', 'Boulangerie – goûter', 1_840)));
      wb.type(0, { libelle: 'Papeterie – cahiers et classeurs' });
      await new Promise((r) => setTimeout(r, 300));
      held.open();
      await settle(engine);
      const stored = await pane.stored();
      expect(stored.map((l) => [l.pj, l.libelle, l.amount, l.version])).toEqual([
        ['01', 'Papeterie – cahiers et classeurs', 1_000, 2],
        ['02', 'Boulangerie – goûter', 1_840, 1],
      ]);
      expect(engine.snapshot).toMatchObject({ pending: 0, errors: 0, conflicts: [] });
      expect([wb.cell(0, 'status'), wb.cell(1, 'status')]).toEqual(['✓', '✓']);
      expect([wb.cell(0, 'version'), wb.cell(1, 'version')]).toEqual([2, 1]);
      // The add-in's own writes raised change events too: none of them was sent as an edit.
      const history = await Promise.all(
        stored.map((l) =>
          pane.api.request<unknown[]>('GET', `/api/coops/${COOP}/exercises/2025/lines/${l.id}/history`),
        ),
      );
      expect(history.map((h) => h.length)).toEqual([2, 1]);
      engine.stop();
    } finally {
      await pane.service.stop();
    }
  });

  test('a line refused with 4xx leaves the queue for the errors list; the others are stored', async () => {
    const svc = service();
    svc.up = false;
    svc.refuse = (l) => (l?.libelle ?? '').includes('refusée');
    const wb = await emptyCahier();
    const engine = new SyncEngine(wb, new Api(''), '1', 2025, layout.chart, OPENING);
    await engine.start();
    for (const pj of ['01', '02', '03', '04', '05', '06', '07']) {
      await engine.saveLine(line(pj, 1_000 + Number(pj)));
    }
    wb.type(4, { libelle: 'Ligne refusée par le service' });
    await waitUntil(() => (wb.queue ?? '').includes('refusée') && engine.snapshot.offline && !engine.snapshot.syncing);
    expect(engine.snapshot.pending).toBe(7);
    // The service returns: the batch of 7 is refused whole, split until the bad line is found.
    svc.up = true;
    svc.calls = 0;
    await engine.flush();
    await settle(engine);
    expect([...svc.stored.values()].map((v) => (v.line as LineInput).pj).sort()).toEqual([
      '01',
      '02',
      '03',
      '04',
      '06',
      '07',
    ]);
    expect(engine.snapshot).toMatchObject({ pending: 0, errors: 1, offline: false, lastError: null });
    expect(wb.cell(4, 'status')).toBe('✗ libelle : 200 caractères au plus');
    expect(wb.cell(3, 'status')).toBe('✓');
    expect(JSON.parse(wb.queue!)).toEqual([]);
    // No retry loops on it.
    const calls = svc.calls;
    expect(calls).toBeLessThanOrEqual(7);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(svc.calls).toBe(calls);
    // The treasurer corrects the row: it comes back into the queue and goes.
    wb.type(4, { libelle: 'Ligne corrigée' });
    await settle(engine);
    expect(engine.snapshot).toMatchObject({ pending: 0, errors: 0 });
    expect(svc.stored.size).toBe(7);
    expect(wb.cell(4, 'status')).toBe('✓');
    engine.stop();
  });

  test('a batch refused for the exercise (409: closed) moves every line to the errors at once', async () => {
    const svc = service();
    svc.up = false;
    const wb = await emptyCahier();
    const engine = new SyncEngine(wb, new Api(''), '1', 2025, layout.chart, OPENING);
    await engine.start();
    for (const pj of ['01', '02', '03', '04']) await engine.saveLine(line(pj));
    await waitUntil(() => engine.snapshot.offline && !engine.snapshot.syncing);
    svc.up = true;
    svc.status = 409;
    svc.calls = 0;
    await engine.flush();
    expect(svc.calls).toBe(1); // nothing to look for line by line
    expect(engine.snapshot).toMatchObject({ pending: 0, errors: 4 });
    expect([0, 1, 2, 3].map((r) => wb.cell(r, 'status'))).toEqual(Array(4).fill('✗ Refus 409 du service.'));
    engine.stop();
  });

  test('5xx and 429 keep the queue and retry; 401 keeps it until the treasurer logs in again', async () => {
    const svc = service();
    const wb = await emptyCahier();
    const engine = new SyncEngine(wb, new Api(''), '1', 2025, layout.chart, OPENING);
    await engine.start();
    for (const status of [500, 429]) {
      svc.status = status;
      svc.calls = 0;
      await engine.saveLine(line(`${status}`));
      await waitUntil(() => svc.calls >= 1 && !engine.snapshot.syncing);
      expect(engine.snapshot).toMatchObject({ pending: 1, errors: 0 });
      svc.status = null;
      await waitUntil(() => engine.snapshot.pending === 0, 5_000);
      expect(svc.calls).toBe(2);
    }
    svc.status = 401;
    svc.calls = 0;
    await engine.saveLine(line('401'));
    await waitUntil(() => svc.calls >= 1 && !engine.snapshot.syncing);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(svc.calls).toBe(1); // no retry with a session the service refuses
    expect(engine.snapshot).toMatchObject({ pending: 1, errors: 0, sessionExpired: true, lastError: SESSION_EXPIRED });
    expect(JSON.parse(wb.queue!)).toHaveLength(1);
    svc.status = null; // logged in again
    await engine.flush();
    expect(engine.snapshot).toMatchObject({ pending: 0, sessionExpired: false });
    expect(svc.stored.size).toBe(3);
    engine.stop();
  });
});
