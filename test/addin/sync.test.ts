/**
 * The sync engine over the in-memory workbook and a stand-in service: ids that cannot be
 * trusted are replaced, the queue survives a restart of the pane, duplicate and delete.
 */
import { cahierLayout, FIRST_DATA_ROW, lineToRow, type LineInput } from '../../templates/definition';
import { Api } from '../../addin/src/api';
import { MemoryWorkbook } from '../../addin/src/memory-workbook';
import { PENDING, SyncEngine } from '../../addin/src/sync';

const layout = cahierLayout();
const line = (pj: string, amount = 1_000): LineInput => ({
  pj,
  date: '2025-10-01',
  libelle: `Papeterie – facture ${pj}`,
  mode: 'carte',
  cheque: null,
  action: null,
  kind: 'depense',
  account: 'banque',
  amount,
  ventilation: [{ chapter: '6180', amount }],
});

/** A service that stores what it gets, or is away. */
function service() {
  const s = { up: true, stored: new Map<string, { version: number; line?: unknown; deleted?: boolean }>() };
  (globalThis as any).fetch = async (_url: string, init: { body: string }) => {
    if (!s.up) throw new TypeError('fetch failed');
    const batch = JSON.parse(init.body).lines as { id: string; line?: LineInput; deleted?: boolean }[];
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
    const engine = new SyncEngine(wb, new Api(''), '1', 2025, layout.chart, { banque: 0, caisse: 0 });
    await engine.start();
    const id = '11111111-2222-4333-8444-555555555555';
    await wb.replaceRows([lineToRow(layout, line('01'), FIRST_DATA_ROW, { id, version: 1, status: '✓' })]);
    svc.stored.set(id, { version: 1 });
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
});
