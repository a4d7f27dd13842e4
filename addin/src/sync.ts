/**
 * The cahier in the workbook, kept in step with the service. Every line typed or entered is
 * validated with the shared rules, shown in the status column, queued (the queue is saved in
 * the workbook), and sent; the queue drains with back-off when the service is away. Lines keep
 * their UUID and version in hidden columns; a duplicated or tampered id is replaced, never
 * trusted. Conflicts (412) are kept with both versions until the treasurer chooses.
 *
 * The sheet reports every changed row, the add-in's own writes included (Excel raises the
 * change event for both). The engine tells them apart by content: it keeps, per line, what the
 * treasurer's cells held when it last wrote or received the line; a changed row that still
 * reads the same is its own write coming back, anything else is the treasurer's edit and syncs.
 *
 * A line the service refuses (4xx) leaves the queue for the errors list, shown in its status
 * cell, until the treasurer edits the row again; a batch refused whole is split to find the
 * lines refused. The queue is kept while the service is away or failing (network, 5xx, 429),
 * and while the session is expired (401) until the treasurer logs in again.
 */
import {
  FIRST_DATA_ROW,
  POINTED_MARK,
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
  type SheetCell,
} from '../../templates/definition';
import { ApiError, OfflineError, type Api, type ServerLine, type SyncResult, type Tombstone } from './api';
import type { CahierWorkbook, CellWrite } from './workbook';

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
  /** The service refused the session (401): the queue waits until the treasurer logs in again. */
  sessionExpired: boolean;
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
/** The pièces justificatives of a line, after its status: « ✓ 📎 2 ». */
const CLIP = / 📎 (\d+)$/;
export const SESSION_EXPIRED =
  'Votre session a expiré : reconnectez-vous pour envoyer les saisies en attente (elles restent gardées dans le classeur).';
const BATCH = 500;

export function newId(): string {
  return crypto.randomUUID();
}

/**
 * What the treasurer's cells of a row say, as the shared definition reads them: the line and
 * the reading problems. The cells the add-in fills (status, id, version, pointage) and the
 * formulas are not in it, so writing them never looks like an edit.
 */
export function rowContent(r: { line: CahierLine | null; problems: readonly Problem[] }): string {
  const line = r.line ? { ...r.line, pointed: undefined } : null;
  return JSON.stringify([line, r.problems.map((p) => [p.code, p.message])]);
}

type SyncEntry = Exclude<QueueEntry, { op: 'point' }>;

/** What a refusal of the service means for the entries refused. */
export function refusalKind(e: unknown): 'retry' | 'session' | 'refused' {
  if (!(e instanceof ApiError)) return 'retry'; // away (network, 502–504) or unreadable
  if (e.status === 401) return 'session';
  if (e.status === 408 || e.status === 429 || e.status >= 500) return 'retry';
  return 'refused';
}

/**
 * Whole-batch refusals that concern the exercise or the access, not one line (closed exercise,
 * unknown or forbidden coop): every line of the batch is refused alike, no need to split.
 */
const BATCH_WIDE = new Set([403, 404, 409]);

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
    sessionExpired: false,
  };
  private flushing: Promise<void> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private backoff = 1000;
  private changeTimer: ReturnType<typeof setTimeout> | null = null;
  private changed = new Set<number>();
  private stopped = false;
  /** Checks of changed rows run one after the other (each reads, then writes, the sheet). */
  private checking: Promise<void> = Promise.resolve();
  /** Per line id: the content of its row when the add-in last wrote or received it. */
  private seen = new Map<string, string>();
  /** Per line id: the newest version the service gave this pane. */
  private versions = new Map<string, number>();
  /** Per line id: how many pièces justificatives the service holds (shown 📎 in the status). */
  private attachments = new Map<string, number>();

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
    // The sheet as the pane finds it is what the add-in last wrote: the rows it holds now are
    // no edits when the add-in's own writes make them change.
    for (const s of await this.readSheet()) if (s.id) this.seen.set(s.id, rowContent(s));
    await this.workbook.onRowsChanged((rows) => this.rowsChanged(rows));
    this.emit();
    if (this.queue.length) void this.flush();
  }

  /** The pane closes this engine (or opens another exercise): it stops listening to the sheet. */
  stop(): void {
    this.stopped = true;
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

  /** The version an edit of a line is based on: the newest of the sheet's and the service's. */
  private baseVersion(id: string, sheet: number | null): number | null {
    const known = this.versions.get(id);
    return known === undefined ? sheet : Math.max(known, sheet ?? 0);
  }

  /**
   * The service gave a line a new version: what still waits for the same line (an edit or a
   * pointage made since) is based on it.
   */
  private noteVersion(id: string, version: number, answered: ReadonlySet<QueueEntry>): void {
    this.versions.set(id, Math.max(version, this.versions.get(id) ?? 0));
    this.queue = this.queue.map((q) =>
      q.id === id && !answered.has(q) && (q.version === null || q.version < version) ? { ...q, version } : q,
    );
  }

  /** Notes the content of rows the add-in is about to write (their change events are its own). */
  private remember(rows: SheetCell[][]): void {
    for (const cells of rows) {
      const r = rowToLine(this.layout, cells);
      if (r.id) this.seen.set(r.id, rowContent(r));
    }
  }

  /** Loads the exercise from the service into the sheet (sending what waits first). */
  async pull(): Promise<number> {
    await this.flush();
    const [{ lines }] = await Promise.all([this.api.lines(this.coop, this.year), this.readAttachmentCounts()]);
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
            status: this.withClip(s.id, PENDING),
          }),
        );
      }
    }
    this.seen.clear();
    this.remember(rows);
    for (const l of lines) this.versions.set(l.id, l.version);
    await this.workbook.replaceRows(rows);
    return lines.length;
  }

  private serverRow(l: ServerLine, sheetRow: number) {
    return lineToRow(this.layout, l, sheetRow, {
      id: l.id,
      version: l.version,
      status: this.withClip(l.id, statusText(l.problems)),
    });
  }

  /** A status text with the line's count of pièces justificatives after it, when it has some. */
  private withClip(id: string | null, status: string): string {
    const n = id ? (this.attachments.get(id) ?? 0) : 0;
    return n > 0 ? `${status} 📎 ${n}` : status;
  }

  /** The counts of pièces justificatives from the service; kept as they were when it cannot say. */
  private async readAttachmentCounts(): Promise<boolean> {
    try {
      const { counts } = await this.api.attachmentCounts(this.coop, this.year);
      this.attachments = new Map(Object.entries(counts ?? {}).filter(([, n]) => Number.isInteger(n) && n > 0));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A pièce was joined or removed: the counts are read again and the status cells whose 📎 no
   * longer says the count are rewritten (only the status: the change events are no edits).
   */
  async refreshAttachments(): Promise<void> {
    if (!(await this.readAttachmentCounts())) return;
    const col = this.layout.byKey.get('status')!.index;
    const idCol = this.layout.byKey.get('id')!.index;
    const cells: CellWrite[] = [];
    const done = new Set<string>();
    for (const { row, values } of await this.workbook.readRows()) {
      const id = values[idCol];
      if (typeof id !== 'string' || !id || done.has(id)) continue;
      done.add(id);
      const shown = typeof values[col] === 'string' ? values[col] : '';
      const bare = shown.replace(CLIP, '');
      const status = bare ? this.withClip(id, bare) : bare;
      if (status !== shown) cells.push({ row, key: 'status', value: status });
    }
    if (cells.length) await this.workbook.writeCells(cells);
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

  /** Selects the line's row in the sheet; false when the line is not (or no longer) there. */
  async selectLine(id: string): Promise<boolean> {
    const row = (await this.rowIndex()).get(id);
    if (row === undefined) return false;
    await this.workbook.selectRow(row);
    return true;
  }

  /**
   * Selects the rows of several lines at once (the lines of a closure problem): how many rows
   * the sheet selected (all, or only the first when Excel cannot select so many areas), and how
   * many of the lines are not (or no longer) in the sheet.
   */
  async selectLines(ids: readonly string[]): Promise<{ selected: number; missing: number }> {
    const rowOf = await this.rowIndex();
    const rows = [...new Set(ids)].flatMap((id) => {
      const row = rowOf.get(id);
      return row === undefined ? [] : [row];
    });
    const missing = new Set(ids).size - rows.length;
    return { selected: rows.length ? await this.workbook.selectRows(rows) : 0, missing };
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

  /** Rows changed in the sheet: read after a short pause, in one batch, one check at a time. */
  private rowsChanged(rows: number[]): void {
    if (this.stopped) return;
    for (const r of rows) this.changed.add(r);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      const batch = [...this.changed];
      this.changed.clear();
      this.checking = this.checking
        .then(() => this.checkRows(batch))
        .catch((e: unknown) => this.emit({ lastError: (e as Error).message }));
    }, 80);
  }

  /**
   * Reads changed rows: a row whose content is still what the add-in last wrote or received is
   * no edit; the others are the treasurer's: validated, their status (and ids) written, queued.
   */
  async checkRows(rows: number[]): Promise<void> {
    const all = await this.readSheet();
    const byRow = new Map(all.map((s) => [s.row, s]));
    // The first row holding an id keeps it; a later row with the same id is a copy.
    const first = new Map<string, number>();
    for (const s of all) if (s.id && !first.has(s.id)) first.set(s.id, s.row);
    const cells: CellWrite[] = [];
    let queued = false;
    for (const row of new Set(rows)) {
      const s = byRow.get(row);
      if (!s) continue;
      const content = rowContent(s);
      let id = s.id;
      let version = s.version;
      // A copied row carries the id of another: it is a new line. A malformed id is not trusted.
      if (!id || !UUID.test(id) || first.get(id) !== row) {
        id = newId();
        version = null;
        cells.push({ row, key: 'id', value: id }, { row, key: 'version', value: null });
      } else if (this.seen.get(id) === content) continue; // the add-in's own write coming back
      this.seen.set(id, content);
      if (!s.line) {
        cells.push({ row, key: 'status', value: this.withClip(id, statusText(s.problems)) });
        continue;
      }
      // The row itself is no other line holding its PJ (a new row has no id yet when read).
      const others = all.filter((o) => o.row !== row);
      const problems = [...s.problems, ...this.validate(s.line, others, id)];
      const { pointed: _p, ...line } = s.line;
      this.enqueue({ op: 'put', id, version: this.baseVersion(id, version), line });
      queued = true;
      cells.push({
        row,
        key: 'status',
        value: this.withClip(id, problems.some((p) => p.severity === 'error') ? statusText(problems) : PENDING),
      });
    }
    if (!cells.length) return;
    await this.workbook.writeCells(cells);
    if (!queued) return;
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
        version = this.baseVersion(s.id, s.version);
        pointed = s.line?.pointed ?? false;
      }
    }
    const cells = lineToRow(this.layout, { ...line, pointed }, FIRST_DATA_ROW + (row ?? 0), {
      id,
      version: version ?? undefined,
      status: this.withClip(id, PENDING),
    });
    this.remember([cells]);
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
    const version = s.id ? this.baseVersion(s.id, s.version) : null;
    // What waits for the line is superseded by its deletion.
    if (s.id) this.queue = this.queue.filter((q) => q.id !== s.id);
    if (s.id && version) this.enqueue({ op: 'delete', id: s.id, version }); // else never sent: forgotten
    await this.workbook.deleteRows([row]);
    await this.saveQueue();
    this.emit();
    void this.flush();
  }

  async point(row: number, pointed: boolean): Promise<void> {
    const [s] = await this.readSheet([row]);
    const version = s?.id ? this.baseVersion(s.id, s.version) : null;
    if (!s?.id || !version) throw new Error('Cette ligne n’est pas encore enregistrée sur le service.');
    this.enqueue({ op: 'point', id: s.id, version, pointed });
    await this.workbook.writeCells([{ row, key: 'pointage', value: pointed ? 'X' : null }]);
    await this.saveQueue();
    this.emit();
    await this.flush();
  }

  /**
   * Lines the service changed on its own side (pointed from a bank statement): their rows get
   * the new version and the pointage mark. The treasurer's cells are not touched, so the change
   * events of these writes read as the add-in's own; an edit still waiting for the line is now
   * based on the new version.
   */
  async applyServerLines(lines: readonly Pick<ServerLine, 'id' | 'version' | 'pointed'>[]): Promise<void> {
    if (!lines.length) return;
    const rowOf = await this.rowIndex();
    const cells: CellWrite[] = [];
    for (const l of lines) {
      this.noteVersion(l.id, l.version, new Set());
      const row = rowOf.get(l.id);
      if (row === undefined) continue;
      cells.push(
        { row, key: 'version', value: l.version },
        { row, key: 'pointage', value: l.pointed ? POINTED_MARK : null },
      );
    }
    await this.workbook.writeCells(cells);
    await this.saveQueue();
    this.emit();
  }

  /** The version the service last gave a line (null while it has never been stored). */
  async storedVersion(id: string): Promise<number | null> {
    const known = this.versions.get(id);
    if (known !== undefined) return known;
    const row = (await this.rowIndex()).get(id);
    const [s] = row === undefined ? [] : await this.readSheet([row]);
    return s?.version ?? null;
  }

  /** Sends the queue; concurrent calls share one run. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private scheduleRetry(after: number | null = null): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        void this.flush();
      },
      Math.max(this.backoff, (after ?? 0) * 1000),
    );
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
      this.emit({ syncing: false, offline: false, progress: null, lastError: null, sessionExpired: false });
    } catch (e) {
      if (refusalKind(e) === 'session') {
        // Retrying cannot help: the queue waits for the treasurer to log in again.
        this.emit({ syncing: false, offline: false, progress: null, lastError: SESSION_EXPIRED, sessionExpired: true });
        return;
      }
      const offline = e instanceof OfflineError;
      this.emit({ syncing: false, offline, progress: null, lastError: (e as Error).message });
      this.scheduleRetry(e instanceof ApiError ? e.retryAfter : null);
    }
  }

  private async send(batch: QueueEntry[]): Promise<void> {
    const sync = batch.filter((q): q is SyncEntry => q.op !== 'point');
    if (sync.length) await this.sendSync(sync);
    // Pointages go after the lines' changes, with the versions those gave them.
    const points = this.queue
      .slice(0, BATCH)
      .filter((q): q is Extract<QueueEntry, { op: 'point' }> => q.op === 'point');
    if (points.length) await this.sendPoints(points);
  }

  /**
   * One POST …/sync. A batch refused whole (4xx) is split in two, again and again, so that the
   * good lines go through and only the lines refused leave the queue for the errors list.
   */
  private async sendSync(entries: SyncEntry[]): Promise<void> {
    let results: SyncResult[];
    try {
      ({ results } = await this.api.sync(
        this.coop,
        this.year,
        entries.map((q) =>
          q.op === 'delete'
            ? { id: q.id, version: q.version, deleted: true }
            : { id: q.id, version: q.version, line: q.line },
        ),
      ));
    } catch (e) {
      if (refusalKind(e) !== 'refused') throw e;
      const refusal = e as ApiError;
      if (entries.length > 1 && !BATCH_WIDE.has(refusal.status)) {
        const half = Math.ceil(entries.length / 2);
        await this.sendSync(entries.slice(0, half));
        await this.sendSync(entries.slice(half));
        return;
      }
      await this.settle(entries.map((entry) => ({ entry, refused: refusal.sentences })));
      return;
    }
    if (results.length !== entries.length) throw new Error('Réponse incomplète du service : nouvel essai bientôt.');
    await this.settle(entries.map((entry, i) => ({ entry, result: results[i]! })));
  }

  /** Writes the service's answers into the sheet and takes the answered entries off the queue. */
  private async settle(answers: { entry: SyncEntry; result?: SyncResult; refused?: string }[]): Promise<void> {
    const cells: CellWrite[] = [];
    const done = new Set<QueueEntry>(answers.map((a) => a.entry));
    // Rows are found after the answer: the treasurer may have moved them meanwhile.
    const rowOf = await this.rowIndex();
    for (const { entry, result: r, refused } of answers) {
      const row = rowOf.get(entry.id);
      // The treasurer changed the line again while it was on its way: her newer edit waits in
      // the queue and decides the row's status; this answer only gives its version.
      const newer = this.queue.some((q) => q.id === entry.id && q.op === entry.op && !done.has(q));
      if (r && (r.result === 'stored' || r.result === 'unchanged')) {
        this.conflicts.delete(entry.id);
        if (r.line) this.noteVersion(entry.id, r.line.version, done);
        if (r.line && !('deleted' in r.line) && row !== undefined) {
          cells.push({ row, key: 'version', value: r.line.version });
          if (!newer) cells.push({ row, key: 'status', value: this.withClip(entry.id, statusText(r.line.problems)) });
        }
      } else if (newer) {
        continue;
      } else if (r?.result === 'conflict' && entry.op === 'put') {
        const message = r.errors?.[0]?.message ?? 'La ligne a été modifiée ailleurs.';
        this.conflicts.set(entry.id, { id: entry.id, mine: entry.line, theirs: r.line ?? null, message });
        if (row !== undefined) cells.push({ row, key: 'status', value: '⚠ Conflit : choisissez la version à garder' });
      } else {
        const message = refused ?? r?.errors?.map((e) => e.message).join(' ; ') ?? 'Refusée par le service.';
        this.errors.set(entry.id, message);
        if (row !== undefined) cells.push({ row, key: 'status', value: `✗ ${message}` });
      }
    }
    this.queue = this.queue.filter((q) => !done.has(q));
    await this.workbook.writeCells(cells);
    await this.saveQueue();
  }

  /** Pointage, one line at a time; a refusal puts the mark back as it was. */
  private async sendPoints(points: Extract<QueueEntry, { op: 'point' }>[]): Promise<void> {
    const done = new Set<QueueEntry>();
    const versions: { id: string; version: number }[] = [];
    const undo: { id: string; pointed: boolean }[] = [];
    try {
      for (const entry of points) {
        try {
          const line = await this.api.point(this.coop, this.year, entry.id, entry.pointed, entry.version);
          this.noteVersion(entry.id, line.version, new Set([entry]));
          versions.push({ id: entry.id, version: line.version });
        } catch (e) {
          if (refusalKind(e) !== 'refused') throw e;
          this.errors.set(entry.id, (e as ApiError).sentences);
          undo.push({ id: entry.id, pointed: entry.pointed });
        }
        done.add(entry);
      }
    } finally {
      // What was answered is written even when a later entry stops the run.
      if (done.size) {
        const rowOf = await this.rowIndex();
        const cells: CellWrite[] = [];
        for (const v of versions) {
          const row = rowOf.get(v.id);
          if (row !== undefined) cells.push({ row, key: 'version', value: v.version });
        }
        for (const u of undo) {
          const row = rowOf.get(u.id);
          if (row !== undefined) cells.push({ row, key: 'pointage', value: u.pointed ? null : 'X' });
        }
        this.queue = this.queue.filter((q) => !done.has(q));
        await this.workbook.writeCells(cells);
        await this.saveQueue();
      }
    }
  }

  private async rowIndex(): Promise<Map<string, number>> {
    const all = await this.workbook.readRows();
    const idCol = this.layout.byKey.get('id')!.index;
    const map = new Map<string, number>();
    for (const { row, values } of all) {
      const id = values[idCol];
      // The first row holding an id is the line's (a later one is a copy, soon given its own).
      if (typeof id === 'string' && id && !map.has(id)) map.set(id, row);
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
    if (c.theirs) this.versions.set(id, Math.max(c.theirs.version, this.versions.get(id) ?? 0));
    if (keep === 'mine') {
      this.queue = this.queue.filter((q) => q.id !== id);
      this.queue.push({ op: 'put', id, version: c.theirs?.version ?? null, line: c.mine });
      if (row !== undefined && c.theirs)
        await this.workbook.writeCells([{ row, key: 'version', value: c.theirs.version }]);
    } else if (theirs && row !== undefined) {
      this.queue = this.queue.filter((q) => q.id !== id);
      const cells = this.serverRow(theirs, FIRST_DATA_ROW + row);
      this.remember([cells]);
      await this.workbook.writeRows([{ row, cells }]);
    } else if (row !== undefined) {
      this.queue = this.queue.filter((q) => q.id !== id);
      await this.workbook.deleteRows([row]);
    }
    await this.saveQueue();
    this.emit();
    void this.flush();
  }
}
