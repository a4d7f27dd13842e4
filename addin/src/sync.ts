/**
 * The cahier in the workbook, kept in step with the service. Every line typed or entered is
 * validated with the shared rules, shown in the status column, queued (the queue is saved in
 * the workbook), and sent; the queue drains with back-off when the service is away. Lines keep
 * their UUID and version in hidden columns; a duplicated or tampered id is replaced, never
 * trusted. Conflicts (412) are kept with both versions until the treasurer chooses.
 */
import {
  FIRST_DATA_ROW,
  cahierLayout,
  lineToRow,
  nextPj,
  rowToLine,
  statusText,
  validateLine,
  type CahierLayout,
  type CahierLine,
  type Chart,
  type LineInput,
  type Problem,
} from '../../templates/definition';
import { ApiError, OfflineError, type Api, type ServerLine, type Tombstone } from './api';
import type { CahierWorkbook } from './workbook';

export type QueueEntry =
  | { op: 'put'; id: string; version: number | null; line: LineInput; pointed?: boolean }
  | { op: 'delete'; id: string; version: number }
  | { op: 'point'; id: string; version: number; pointed: boolean };

export interface Conflict {
  id: string;
  mine: LineInput;
  theirs: ServerLine | Tombstone | null;
  message: string;
}

export interface SyncState {
  pending: number;
  errors: number;
  conflicts: Conflict[];
  syncing: boolean;
  offline: boolean;
  /** Progress of a long sync, 0…1. */
  progress: number | null;
  lastError: string | null;
}

export interface SheetLine {
  row: number;
  id: string | null;
  version: number | null;
  line: CahierLine | null;
  problems: Problem[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const PENDING = '⏳ à envoyer';
const BATCH = 500;

export function newId(): string {
  return crypto.randomUUID();
}

export class SyncEngine {
  readonly layout: CahierLayout;
  private queue: QueueEntry[] = [];
  private conflicts = new Map<string, Conflict>();
  private errors = new Map<string, string>();
  private listeners = new Set<(s: SyncState) => void>();
  private state: SyncState = {
    pending: 0,
    errors: 0,
    conflicts: [],
    syncing: false,
    offline: false,
    progress: null,
    lastError: null,
  };
  private flushing: Promise<void> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private backoff = 1000;
  private changeTimer: ReturnType<typeof setTimeout> | null = null;
  private changed = new Set<number>();

  constructor(
    readonly workbook: CahierWorkbook,
    readonly api: Api,
    readonly coop: string,
    readonly year: number,
    readonly chart: Chart,
    readonly opening: { banque: number; caisse: number },
  ) {
    this.layout = cahierLayout(chart);
  }

  subscribe(listener: (s: SyncState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  private emit(patch: Partial<SyncState> = {}): void {
    this.state = {
      ...this.state,
      ...patch,
      pending: this.queue.length,
      errors: this.errors.size,
      conflicts: [...this.conflicts.values()],
    };
    for (const l of this.listeners) l(this.state);
  }

  get snapshot(): SyncState {
    return this.state;
  }

  /** Reloads the saved queue, listens to the sheet and sends what waits. */
  async start(): Promise<void> {
    const saved = await this.workbook.loadQueue();
    if (saved) {
      try {
        this.queue = JSON.parse(saved) as QueueEntry[];
      } catch {
        this.queue = [];
      }
    }
    await this.workbook.onRowsChanged((rows) => this.rowsChanged(rows));
    this.emit();
    if (this.queue.length) void this.flush();
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.listeners.clear();
  }

  private async saveQueue(): Promise<void> {
    await this.workbook.saveQueue(JSON.stringify(this.queue));
  }

  private enqueue(entry: QueueEntry): void {
    const i = this.queue.findIndex((q) => q.id === entry.id && q.op === entry.op);
    if (i >= 0 && entry.op === 'put') {
      // The newest content replaces the waiting one; the version it was based on stays.
      const prev = this.queue[i] as Extract<QueueEntry, { op: 'put' }>;
      this.queue[i] = { ...entry, version: prev.version };
    } else if (i >= 0) this.queue[i] = entry;
    else this.queue.push(entry);
    this.errors.delete(entry.id);
  }

  /** Loads the exercise from the service into the sheet (sending what waits first). */
  async pull(): Promise<number> {
    await this.flush();
    const { lines } = await this.api.lines(this.coop, this.year);
    const waiting = new Set(this.queue.map((q) => q.id));
    const local = waiting.size ? await this.readSheet() : [];
    const rows = lines.filter((l) => !waiting.has(l.id)).map((l, i) => this.serverRow(l, FIRST_DATA_ROW + i));
    // Lines not yet acknowledged stay in the sheet, marked.
    for (const s of local) {
      if (s.id && waiting.has(s.id) && s.line) {
        rows.push(
          lineToRow(this.layout, s.line, FIRST_DATA_ROW + rows.length, {
            id: s.id,
            version: s.version ?? undefined,
            status: PENDING,
          }),
        );
      }
    }
    await this.workbook.replaceRows(rows);
    return lines.length;
  }

  private serverRow(l: ServerLine, sheetRow: number) {
    return lineToRow(this.layout, l, sheetRow, { id: l.id, version: l.version, status: statusText(l.problems) });
  }

  /** Every line of the sheet, read with the shared definition. */
  async readSheet(rows?: number[]): Promise<SheetLine[]> {
    const out: SheetLine[] = [];
    for (const { row, values } of await this.workbook.readRows(rows)) {
      const r = rowToLine(this.layout, values);
      if (!r.empty) out.push({ row, id: r.id, version: r.version, line: r.line, problems: r.problems });
    }
    return out;
  }

  /** The rules of the cahier on a line of this exercise (PJ uniqueness against the sheet). */
  validate(line: LineInput, others: readonly SheetLine[], id: string | null): Problem[] {
    const taken = new Set(others.filter((o) => o.id !== id && o.line).map((o) => o.line!.pj.trim()));
    return validateLine(line, { exercise: this.year, chart: this.chart, pjTaken: (pj) => taken.has(pj) });
  }

  async nextPj(): Promise<string> {
    const all = await this.readSheet();
    return nextPj(all.flatMap((s) => (s.line ? [s.line.pj] : [])));
  }

  /** The treasurer typed in the sheet: rows are read after a short pause, in one batch. */
  private rowsChanged(rows: number[]): void {
    for (const r of rows) this.changed.add(r);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      const batch = [...this.changed];
      this.changed.clear();
      void this.checkRows(batch).catch((e: unknown) => this.emit({ lastError: (e as Error).message }));
    }, 80);
  }

  /** Validates typed rows, writes their status (and ids), queues the valid ones. */
  async checkRows(rows: number[]): Promise<void> {
    const all = await this.readSheet();
    const byRow = new Map(all.map((s) => [s.row, s]));
    // The first row holding an id keeps it; a later row with the same id is a copy.
    const first = new Map<string, number>();
    for (const s of all) if (s.id && !first.has(s.id)) first.set(s.id, s.row);
    const cells: { row: number; key: string; value: string | number | null }[] = [];
    for (const row of rows) {
      const s = byRow.get(row);
      if (!s) continue;
      let id = s.id;
      let version = s.version;
      // A copied row carries the id of another: it is a new line. A malformed id is not trusted.
      if (!id || !UUID.test(id) || first.get(id) !== row) {
        id = newId();
        version = null;
        cells.push({ row, key: 'id', value: id }, { row, key: 'version', value: null });
      }
      if (!s.line) {
        cells.push({ row, key: 'status', value: statusText(s.problems) });
        continue;
      }
      const problems = [...s.problems, ...this.validate(s.line, all, id)];
      const { pointed: _p, ...line } = s.line;
      this.enqueue({ op: 'put', id, version, line });
      cells.push({
        row,
        key: 'status',
        value: problems.some((p) => p.severity === 'error') ? statusText(problems) : PENDING,
      });
    }
    await this.workbook.writeCells(cells);
    await this.saveQueue();
    this.emit();
    void this.flush();
  }

  /** A line from the one-screen form: a new row (or the selected row, to modify it). */
  async saveLine(line: LineInput, row: number | null = null): Promise<number> {
    let id = newId();
    let version: number | null = null;
    let pointed = false;
    if (row !== null) {
      const [s] = await this.readSheet([row]);
      if (s?.id && UUID.test(s.id)) {
        id = s.id;
        version = s.version;
        pointed = s.line?.pointed ?? false;
      }
    }
    const cells = lineToRow(this.layout, { ...line, pointed }, FIRST_DATA_ROW + (row ?? 0), {
      id,
      version: version ?? undefined,
      status: PENDING,
    });
    const [written] = await this.workbook.writeRows([{ row, cells }]);
    this.enqueue({ op: 'put', id, version, line });
    await this.saveQueue();
    this.emit();
    void this.flush();
    return written!;
  }

  async duplicate(row: number): Promise<number> {
    const [s] = await this.readSheet([row]);
    if (!s?.line) throw new Error('Sélectionnez une ligne du cahier à dupliquer.');
    const { pointed: _p, ...line } = s.line;
    return this.saveLine({ ...line, pj: await this.nextPj() });
  }

  async remove(row: number): Promise<void> {
    const [s] = await this.readSheet([row]);
    if (!s) throw new Error('Sélectionnez une ligne du cahier à supprimer.');
    if (s.id && s.version) this.enqueue({ op: 'delete', id: s.id, version: s.version });
    else if (s.id) this.queue = this.queue.filter((q) => q.id !== s.id); // never sent: forget it
    await this.workbook.deleteRows([row]);
    await this.saveQueue();
    this.emit();
    void this.flush();
  }

  async point(row: number, pointed: boolean): Promise<void> {
    const [s] = await this.readSheet([row]);
    if (!s?.id || !s.version) throw new Error('Cette ligne n’est pas encore enregistrée sur le service.');
    this.enqueue({ op: 'point', id: s.id, version: s.version, pointed });
    await this.workbook.writeCells([{ row, key: 'pointage', value: pointed ? 'X' : null }]);
    await this.saveQueue();
    this.emit();
    await this.flush();
  }

  /** Sends the queue; concurrent calls share one run. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, 30_000);
  }

  private async doFlush(): Promise<void> {
    if (!this.queue.length) return;
    const total = this.queue.length;
    this.emit({ syncing: true, progress: 0 });
    try {
      while (this.queue.length) {
        const batch = this.queue.slice(0, BATCH);
        await this.send(batch);
        this.emit({ progress: Math.min(1, (total - this.queue.length) / total) });
      }
      this.backoff = 1000;
      this.emit({ syncing: false, offline: false, progress: null, lastError: null });
    } catch (e) {
      const offline = e instanceof OfflineError;
      this.emit({ syncing: false, offline, progress: null, lastError: (e as Error).message });
      this.scheduleRetry();
    }
  }

  private async send(batch: QueueEntry[]): Promise<void> {
    const sync = batch.filter((q) => q.op !== 'point');
    const done = new Set<QueueEntry>();
    const cells: { row: number; key: string; value: string | number | null }[] = [];
    const rowOf = await this.rowIndex();
    if (sync.length) {
      const { results } = await this.api.sync(
        this.coop,
        this.year,
        sync.map((q) =>
          q.op === 'delete'
            ? { id: q.id, version: q.version, deleted: true }
            : { id: q.id, version: q.version, line: q.line },
        ),
      );
      results.forEach((r, i) => {
        const entry = sync[i]!;
        done.add(entry);
        const row = rowOf.get(entry.id);
        if (r.result === 'stored' || r.result === 'unchanged') {
          this.conflicts.delete(entry.id);
          if (r.line && !('deleted' in r.line) && row !== undefined) {
            cells.push(
              { row, key: 'version', value: r.line.version },
              { row, key: 'status', value: statusText(r.line.problems) },
            );
          }
        } else if (r.result === 'conflict' && entry.op === 'put') {
          const message = r.errors?.[0]?.message ?? 'La ligne a été modifiée ailleurs.';
          this.conflicts.set(entry.id, { id: entry.id, mine: entry.line, theirs: r.line ?? null, message });
          if (row !== undefined)
            cells.push({ row, key: 'status', value: '⚠ Conflit : choisissez la version à garder' });
        } else {
          const message = r.errors?.map((e) => e.message).join(' ; ') ?? 'Refusée par le service.';
          this.errors.set(entry.id, message);
          if (row !== undefined) cells.push({ row, key: 'status', value: `✗ ${message}` });
        }
      });
    }
    for (const entry of batch.filter((q) => q.op === 'point')) {
      if (entry.op !== 'point') continue;
      const row = rowOf.get(entry.id);
      try {
        const line = await this.api.point(this.coop, this.year, entry.id, entry.pointed, entry.version);
        if (row !== undefined) cells.push({ row, key: 'version', value: line.version });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        this.errors.set(entry.id, e.message);
        if (row !== undefined) cells.push({ row, key: 'pointage', value: entry.pointed ? null : 'X' });
      }
      done.add(entry);
    }
    this.queue = this.queue.filter((q) => !done.has(q));
    await this.workbook.writeCells(cells);
    await this.saveQueue();
  }

  private async rowIndex(): Promise<Map<string, number>> {
    const all = await this.workbook.readRows();
    const idCol = this.layout.byKey.get('id')!.index;
    const map = new Map<string, number>();
    for (const { row, values } of all) {
      const id = values[idCol];
      if (typeof id === 'string' && id) map.set(id, row);
    }
    return map;
  }

  /** The treasurer chose: keep her version (sent over the current one) or take the service's. */
  async resolve(id: string, keep: 'mine' | 'theirs'): Promise<void> {
    const c = this.conflicts.get(id);
    if (!c) return;
    this.conflicts.delete(id);
    const row = (await this.rowIndex()).get(id);
    const theirs = c.theirs && !('deleted' in c.theirs) ? c.theirs : null;
    if (keep === 'mine') {
      this.queue = this.queue.filter((q) => q.id !== id);
      this.queue.push({ op: 'put', id, version: c.theirs?.version ?? null, line: c.mine });
      if (row !== undefined && c.theirs)
        await this.workbook.writeCells([{ row, key: 'version', value: c.theirs.version }]);
    } else if (theirs && row !== undefined) {
      this.queue = this.queue.filter((q) => q.id !== id);
      await this.workbook.writeRows([{ row, cells: this.serverRow(theirs, FIRST_DATA_ROW + row) }]);
    } else if (row !== undefined) {
      this.queue = this.queue.filter((q) => q.id !== id);
      await this.workbook.deleteRows([row]);
    }
    await this.saveQueue();
    this.emit();
    void this.flush();
  }
}
