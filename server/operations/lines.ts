/**
 * The lines of an exercise (écritures): create or replace with optimistic concurrency, delete
 * as tombstones, duplicate, sync a batch, list changes since a cursor, history.
 *
 * Every write runs in one transaction that first takes the exercise row (FOR UPDATE on MySQL;
 * SQLite writes are queued): the closed-year check, the PJ uniqueness check and the change
 * cursor are therefore exact, across any number of service instances.
 */
import { Op, type CreationAttributes, type Transaction } from 'sequelize';
import { hasErrors, touchesBank, nextPj, validateLine, type LineInput, type Problem } from '../../templates/definition';
import type { Db } from '../db/connect';
import type { Tx } from '../db/raw';
import type { AuditAction, AuditRow, ExerciseRow, LineRow } from '../db/models';
import type { Principal } from './access';
import {
  ChangeCursor,
  auditJson,
  insertRows,
  lockExercise,
  lockExercises,
  versionConflict,
  versionRequired,
  type AuditJson,
  type Scope,
  type WriteOutcome,
} from './changes';
import { ServiceError } from './errors';
import { linesById, livePjs, livePjsOf, madeByDuplicating, updateLineAtVersion } from './line-store';

export type { Scope, WriteOutcome } from './changes';

export interface LineJson extends LineInput {
  id: string;
  version: number;
  status: 'draft' | 'validated';
  problems: Problem[];
  pointed: boolean;
  /** The statement line that cleared it (pointed from an imported statement), else null. */
  statementLineId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface TombstoneJson {
  id: string;
  version: number;
  deleted: true;
  updatedAt: string;
}

/** The fields of a line, in a fixed order, with absent optional fields as null. */
export function canonical(line: LineInput): LineInput {
  return {
    pj: line.pj.trim(),
    date: line.date,
    libelle: line.libelle,
    mode: line.mode ?? null,
    cheque: line.cheque ?? null,
    action: line.action ?? null,
    kind: line.kind,
    account: line.account,
    amount: line.amount,
    ventilation: line.ventilation.map((p) => ({ chapter: p.chapter, amount: p.amount })),
    holder: line.holder?.trim() || null,
  };
}

/** The columns a line's content is read from (a model row, or a plain row read by hand). */
export type LineFields = Pick<
  LineRow,
  'pj' | 'date' | 'libelle' | 'mode' | 'cheque' | 'action' | 'kind' | 'account' | 'amount' | 'ventilation' | 'holder'
>;

export function lineInputOf(row: LineFields): LineInput {
  return canonical({
    pj: row.pj,
    date: row.date,
    libelle: row.libelle,
    mode: row.mode as LineInput['mode'],
    cheque: row.cheque,
    action: row.action,
    kind: row.kind as LineInput['kind'],
    account: row.account as LineInput['account'],
    amount: Number(row.amount),
    ventilation: JSON.parse(row.ventilation) as LineInput['ventilation'],
    holder: row.holder,
  });
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function lineJson(row: LineRow): LineJson | TombstoneJson {
  if (row.deleted) return { id: row.id, version: row.version, deleted: true, updatedAt: iso(row.updatedAt) };
  return {
    id: row.id,
    ...lineInputOf(row),
    version: row.version,
    status: row.status,
    problems: JSON.parse(row.problems) as Problem[],
    pointed: Boolean(row.pointed),
    statementLineId: row.statementLineId ?? null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** A write refused, as the error the client gets: the line as it stands goes in `current`. */
export function refusal(outcome: Extract<WriteOutcome, { result: 'conflict' }>): ServiceError {
  return new ServiceError(outcome.status, outcome.code, outcome.message, {
    current: outcome.row ? lineJson(outcome.row) : null,
  });
}

function sameContent(a: LineInput, b: LineInput): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * One write transaction on an exercise: takes the exercise row, refuses a closed year, keeps
 * the PJ numbers in use, hands out change cursors and records the audit trail.
 */
class ExerciseWriter {
  private readonly cursorOf: ChangeCursor;
  private audits: CreationAttributes<AuditRow>[] = [];
  private readonly now = new Date();

  constructor(
    private readonly scope: Scope,
    private readonly t: Tx,
    private readonly exercise: ExerciseRow,
  ) {
    this.cursorOf = new ChangeCursor(exercise);
    this.principal = scope.principal;
  }

  /** A line of this exercise as the transaction sees it (rows created here included). */
  async find(id: string): Promise<LineRow | null> {
    const pending = this.pendingInserts.get(id);
    if (pending) return pending;
    const known = this.known.get(id);
    if (known !== undefined) {
      if (known && known.exerciseId !== this.exercise.id) throw idTaken();
      return known;
    }
    const [row] = await linesById(this.scope.db, this.t, [id]);
    if (row && row.exerciseId !== this.exercise.id) throw idTaken();
    this.known.set(id, row ?? null);
    return row ?? null;
  }

  /** True when the line was made by duplicating (retries of a duplicate are harmless). */
  async isDuplicateCopy(id: string): Promise<boolean> {
    if (this.audits.some((a) => a.lineId === id && a.action === 'duplicate')) return true;
    return madeByDuplicating(this.scope.db, this.t, id);
  }

  static async open(scope: Scope, t: Tx): Promise<ExerciseWriter> {
    return new ExerciseWriter(scope, t, await lockExercise(scope.db, t, scope.exercise.id));
  }

  /**
   * Holders of PJ numbers among the live lines. The map always follows the changes made in
   * this transaction; a PJ's entry is complete once read from the rows (or all are read).
   */
  private pjs = new Map<string, Set<string>>();
  private pjComplete = new Set<string>();
  private allPjs = false;

  private async loadPjs(list: string[] | 'all'): Promise<void> {
    const wanted = list === 'all' ? null : [...new Set(list)].filter((pj) => !this.pjComplete.has(pj));
    if (this.allPjs || (wanted && wanted.length === 0)) return;
    const rows = await livePjs(this.scope.db, this.t, this.exercise.id, wanted);
    for (const r of rows) this.track(r.id, null, r.pj);
    if (wanted) for (const pj of wanted) this.pjComplete.add(pj);
    else this.allPjs = true;
  }

  private async pjMap(): Promise<Map<string, Set<string>>> {
    await this.loadPjs('all');
    return this.pjs;
  }

  private track(id: string, oldPj: string | null, newPj: string | null): void {
    if (oldPj !== null) this.pjs.get(oldPj.trim())?.delete(id);
    if (newPj !== null) {
      const key = newPj.trim();
      if (!this.pjs.has(key)) this.pjs.set(key, new Set());
      this.pjs.get(key)!.add(id);
    }
  }

  private async pjHolders(pj: string): Promise<string[]> {
    await this.loadPjs([pj]);
    return [...(this.pjs.get(pj) ?? [])];
  }

  /** Lines read ahead for a group of requests (null: known to be absent). */
  private known = new Map<string, LineRow | null>();

  /**
   * Takes several exercises for one transaction (their rows in id order): each one's writer, or
   * the refusal its requests get (closed, gone).
   */
  static async openMany(scopes: readonly Scope[], t: Tx): Promise<Map<number, ExerciseWriter | ServiceError>> {
    const db = scopes[0]!.db;
    const taken = await lockExercises(
      db,
      t,
      scopes.map((s) => s.exercise.id),
    );
    const writers = new Map<number, ExerciseWriter | ServiceError>();
    for (const scope of scopes) {
      const exercise = taken.get(scope.exercise.id)!;
      writers.set(
        scope.exercise.id,
        exercise instanceof ServiceError ? exercise : new ExerciseWriter(scope, t, exercise),
      );
    }
    return writers;
  }

  /**
   * Reads ahead, for the writers of one transaction together, in two queries: the lines each
   * one's requests name and the holders of the PJ numbers they write.
   */
  static async prefetchAll(
    db: Db,
    t: Tx,
    wanted: Map<ExerciseWriter, { ids: string[]; pjs: string[] }>,
  ): Promise<void> {
    const ids = [...new Set([...wanted.values()].flatMap((w) => w.ids))];
    const rows = new Map((await linesById(db, t, ids)).map((r) => [r.id, r] as const));
    const pjs = [...new Set([...wanted.values()].flatMap((w) => w.pjs.map((p) => p.trim())))];
    const holders = await livePjsOf(
      db,
      t,
      [...wanted.keys()].map((w) => w.exercise.id),
      pjs,
    );
    for (const [w, want] of wanted) {
      for (const id of want.ids) w.known.set(id, rows.get(id) ?? null);
      for (const h of holders) if (h.exerciseId === w.exercise.id) w.track(h.id, null, h.pj);
      for (const pj of want.pjs) w.pjComplete.add(pj.trim());
    }
  }

  /** Writes what the writers of one transaction hold: their new lines and audit rows in one insert each, their cursors. */
  static async flushAll(db: Db, t: Tx, writers: readonly ExerciseWriter[]): Promise<void> {
    const inserts = writers.flatMap((w) => [...w.pendingInserts.values()]);
    await insertRows(db, t, db.models.Line, inserts);
    for (const w of writers) {
      for (const [id, row] of w.pendingInserts) w.known.set(id, row);
      w.pendingInserts.clear();
    }
    await insertRows(
      db,
      t,
      db.models.Audit,
      writers.flatMap((w) => w.audits),
    );
    for (const w of writers) {
      w.audits = [];
      await w.cursorOf.save(db, t);
    }
  }

  /** Reads ahead, in two queries, the lines and PJ numbers a group of requests will touch. */
  async prefetch(ids: string[], pjs: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.known.has(id));
    if (missing.length) {
      const rows = await linesById(this.scope.db, this.t, missing);
      for (const id of missing) this.known.set(id, null);
      for (const r of rows) this.known.set(r.id, r);
    }
    await this.loadPjs(pjs.map((p) => p.trim()));
  }

  async validate(id: string, line: LineInput): Promise<Problem[]> {
    const holders = await this.pjHolders(line.pj.trim());
    return validateLine(line, {
      exercise: this.exercise.year,
      chart: this.scope.chart,
      pjTaken: () => holders.some((other) => other !== id),
    });
  }

  async nextPj(): Promise<string> {
    const pjs = await this.pjMap();
    return nextPj([...pjs].filter(([, ids]) => ids.size > 0).map(([pj]) => pj));
  }

  /** Who makes the change being written (a group of requests may come from several users). */
  principal: Principal;

  /** The line as the API shows it, right after each change of this transaction. */
  private shown = new WeakMap<LineRow, LineJson | TombstoneJson>();

  jsonOf(row: LineRow): LineJson | TombstoneJson {
    return this.shown.get(row) ?? lineJson(row);
  }

  private audit(row: LineRow, action: AuditAction, before: string | null) {
    const after = lineJson(row);
    this.shown.set(row, after);
    this.audits.push({
      lineId: row.id,
      exerciseId: this.exercise.id,
      userId: this.principal.userId,
      login: this.principal.login,
      action,
      version: row.version,
      before,
      after: JSON.stringify(after),
      at: this.now,
    });
  }

  private fields(line: LineInput, problems: Problem[]) {
    const c = canonical(line);
    return {
      ...c,
      mode: c.mode ?? null,
      cheque: c.cheque ?? null,
      holder: c.holder ?? null,
      action: c.action ?? null,
      ventilation: JSON.stringify(c.ventilation),
      problems: JSON.stringify(problems),
      status: hasErrors(problems) ? ('draft' as const) : ('validated' as const),
    };
  }

  /** Builds a new row (inserted by `flush`, so a batch inserts in one statement). */
  private pendingInserts = new Map<string, LineRow>();

  /**
   * A new line; `pointed`: stored already pointed (an imported line the old cahier marks seen on
   * a statement) when it is a validated bank line — one insert and one audit row, not two writes.
   */
  async create(
    id: string,
    line: LineInput,
    action: 'create' | 'duplicate' = 'create',
    pointed = false,
    extra: readonly Problem[] = [],
  ): Promise<LineRow> {
    const problems = [...(await this.validate(id, line)), ...extra];
    const fields = this.fields(line, problems);
    // A plain row: inserted with the others at the end (no model instance for each line).
    const row = {
      id,
      exerciseId: this.exercise.id,
      version: 1,
      deleted: false,
      seq: this.cursorOf.next(),
      pointed: pointed && fields.status === 'validated' && touchesBank(line),
      statementLineId: null,
      createdAt: this.now,
      updatedAt: this.now,
      ...fields,
    } as LineRow;
    this.pendingInserts.set(id, row);
    this.track(id, null, row.pj);
    this.audit(row, action, null);
    return row;
  }

  /** Replaces (or restores, or deletes) a row whose version the caller holds. */
  async replace(existing: LineRow, line: LineInput | null): Promise<LineRow> {
    const wasDeleted = Boolean(existing.deleted);
    if (line === null) return this.apply(existing, { deleted: true, pointed: false, statementLineId: null }, 'delete');
    if (existing.pointed && !existing.deleted) {
      const old = lineInputOf(existing);
      if (old.amount !== line.amount || old.date !== line.date || old.account !== line.account) {
        throw new ServiceError(
          409,
          'ligne_pointee',
          'Cette ligne est pointée : son montant, sa date et son compte ne changent pas tant qu’elle n’est pas dépointée.',
          { current: lineJson(existing) },
        );
      }
    }
    const fields = this.fields(line, await this.validate(existing.id, line));
    return this.apply(existing, { deleted: false, ...fields }, wasDeleted ? 'restore' : 'replace');
  }

  /** Points (seen on a bank statement) or un-points a validated bank line. */
  async point(existing: LineRow, pointed: boolean, statementLineId: number | null = null): Promise<LineRow> {
    if (existing.status !== 'validated') {
      throw new ServiceError(409, 'ligne_brouillon', 'Corrigez d’abord la ligne : un brouillon ne se pointe pas.');
    }
    const input = lineInputOf(existing);
    if (!touchesBank(input)) {
      throw new ServiceError(
        409,
        'ligne_hors_banque',
        'Seules les lignes passées en banque se pointent sur un relevé.',
      );
    }
    return this.apply(
      existing,
      { pointed, statementLineId: pointed ? statementLineId : null },
      pointed ? 'pointage' : 'depointage',
    );
  }

  /** Writes a change under the version the caller read (conditional UPDATE) and its audit row. */
  private async apply(existing: LineRow, fields: Record<string, unknown>, action: AuditAction): Promise<LineRow> {
    // A row created earlier in this batch is written before it changes.
    if (this.pendingInserts.get(existing.id) === existing) await this.flushInserts();
    const before = JSON.stringify(this.jsonOf(existing));
    const changes = { ...fields, version: existing.version + 1, seq: this.cursorOf.next(), updatedAt: this.now };
    await updateLineAtVersion(this.scope.db, this.t, existing.id, existing.version, changes);
    const oldPj = existing.deleted ? null : existing.pj;
    Object.assign(existing, changes);
    this.track(existing.id, oldPj, existing.deleted ? null : existing.pj);
    this.audit(existing, action, before);
    return existing;
  }

  private async flushInserts(): Promise<void> {
    if (!this.pendingInserts.size) return;
    await insertRows(this.scope.db, this.t, this.scope.db.models.Line, [...this.pendingInserts.values()]);
    // Written: later requests of the group find them as stored rows.
    for (const [id, row] of this.pendingInserts) this.known.set(id, row);
    this.pendingInserts.clear();
  }

  async flush(): Promise<void> {
    await this.flushInserts();
    if (this.audits.length) {
      await insertRows(this.scope.db, this.t, this.scope.db.models.Audit, this.audits);
      this.audits = [];
    }
    await this.cursorOf.save(this.scope.db, this.t);
  }

  get cursor(): string {
    return String(this.cursorOf.value);
  }
}

/** The decision for one PUT: create, harmless retry, replace, or refuse. */
async function putOne(
  w: ExerciseWriter,
  existing: LineRow | null,
  id: string,
  line: LineInput,
  ifMatch: number | null,
  pointed = false,
  extra: readonly Problem[] = [],
): Promise<WriteOutcome> {
  if (!existing) {
    if (ifMatch !== null) return versionConflict<LineRow>(null, ifMatch);
    return { result: 'stored', status: 201, row: await w.create(id, line, 'create', pointed, extra) };
  }
  if (ifMatch === null) {
    if (!existing.deleted && sameContent(lineInputOf(existing), line))
      return { result: 'unchanged', status: 200, row: existing };
    return versionRequired(
      existing,
      'Cette ligne existe déjà : indiquez sa version (en-tête If-Match) pour la remplacer.',
    );
  }
  if (existing.version !== ifMatch) {
    // A retry of a change already stored: the same content at the next version.
    if (!existing.deleted && existing.version === ifMatch + 1 && sameContent(lineInputOf(existing), line)) {
      return { result: 'unchanged', status: 200, row: existing };
    }
    return versionConflict(existing, ifMatch);
  }
  return { result: 'stored', status: 200, row: await w.replace(existing, line) };
}

async function deleteOne(w: ExerciseWriter, existing: LineRow | null, ifMatch: number | null): Promise<WriteOutcome> {
  if (!existing) return versionConflict<LineRow>(null, ifMatch);
  if (existing.deleted) return { result: 'unchanged', status: 200, row: existing };
  if (ifMatch === null) {
    return versionRequired(existing, 'Indiquez la version de la ligne à supprimer (en-tête If-Match).');
  }
  if (existing.version !== ifMatch) return versionConflict(existing, ifMatch);
  return { result: 'stored', status: 200, row: await w.replace(existing, null) };
}

const idTaken = () =>
  new ServiceError(
    409,
    'identifiant_pris',
    'Cet identifiant de ligne est déjà utilisé ailleurs : générez-en un autre.',
  );

type Job = (w: ExerciseWriter) => Promise<WriteOutcome>;

interface QueuedJob {
  scope: Scope;
  run: Job;
  /** The line ids and PJ numbers it will read, fetched for the whole group at once. */
  ids: string[];
  pjs: string[];
  resolve(o: WriteOutcome): void;
  reject(e: unknown): void;
}

/**
 * Group commit: the single-line writes that arrive while the previous transaction runs are
 * written together in the next one — for one exercise or for many (a department's treasurers
 * writing at once) — each with its own decision, answer and audit record. It changes nothing to
 * what a request gets; it saves a transaction (and a disk flush) per line, and the exercises'
 * rows are taken in one query, the lines they name read in one, the new lines and audit rows
 * written in one insert each. A request that fails unexpectedly is retried alone, so it never
 * takes the others down with it.
 */
class GroupCommit {
  private queue: QueuedJob[] = [];
  private running = false;
  private static readonly MAX = 200;

  submit(scope: Scope, run: Job, ids: string[], pjs: string[]): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ scope, run, ids, pjs, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const jobs = this.queue.splice(0, GroupCommit.MAX);
        try {
          await this.write(jobs);
        } catch (e) {
          if (jobs.length === 1) jobs[0]!.reject(e);
          else for (const job of jobs) await this.write([job]).catch((err: unknown) => job.reject(err));
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async write(jobs: QueuedJob[]): Promise<void> {
    const db = jobs[0]!.scope.db;
    const results: (() => void)[] = [];
    await db.writeDirect(async (t) => {
      results.length = 0;
      const scopes = new Map<number, Scope>();
      for (const job of jobs) if (!scopes.has(job.scope.exercise.id)) scopes.set(job.scope.exercise.id, job.scope);
      const opened = await ExerciseWriter.openMany([...scopes.values()], t);
      const wanted = new Map<ExerciseWriter, { ids: string[]; pjs: string[] }>();
      for (const job of jobs) {
        const w = opened.get(job.scope.exercise.id)!;
        if (w instanceof ServiceError) continue;
        const want = wanted.get(w) ?? { ids: [], pjs: [] };
        want.ids.push(...job.ids);
        want.pjs.push(...job.pjs);
        wanted.set(w, want);
      }
      await ExerciseWriter.prefetchAll(db, t, wanted);
      for (const job of jobs) {
        const w = opened.get(job.scope.exercise.id)!;
        // The exercise itself refuses (closed, gone): its requests get that answer.
        if (w instanceof ServiceError) {
          results.push(() => job.reject(w));
          continue;
        }
        w.principal = job.scope.principal;
        try {
          const outcome = await job.run(w);
          results.push(() => job.resolve(outcome));
        } catch (e) {
          if (!(e instanceof ServiceError) || e.status >= 500) throw e;
          results.push(() => job.reject(e));
        }
      }
      await ExerciseWriter.flushAll(db, t, [...wanted.keys()]);
    });
    for (const answer of results) answer();
  }
}

const groups = new WeakMap<Db, GroupCommit>();
function grouped(scope: Scope, job: Job, ids: string[], pjs: string[] = []): Promise<WriteOutcome> {
  let g = groups.get(scope.db);
  if (!g) groups.set(scope.db, (g = new GroupCommit()));
  return g.submit(scope, job, ids, pjs);
}

export function putLine(scope: Scope, id: string, line: LineInput, ifMatch: number | null): Promise<WriteOutcome> {
  return grouped(scope, async (w) => putOne(w, await w.find(id), id, line, ifMatch), [id], [line.pj]);
}

export function deleteLine(scope: Scope, id: string, ifMatch: number | null): Promise<WriteOutcome> {
  return grouped(scope, async (w) => deleteOne(w, await w.find(id), ifMatch), [id]);
}

/** Pointage: the line was seen (or not) on a bank statement; needs the version read. */
export function pointLine(scope: Scope, id: string, pointed: boolean, ifMatch: number | null): Promise<WriteOutcome> {
  return grouped(
    scope,
    async (w) => {
      const existing = await w.find(id);
      if (!existing || existing.deleted) return versionConflict<LineRow>(null, ifMatch);
      if (existing.pointed === pointed) return { result: 'unchanged', status: 200, row: existing };
      if (ifMatch === null) {
        return versionRequired(existing, 'Indiquez la version de la ligne à pointer (en-tête If-Match).');
      }
      if (existing.version !== ifMatch) return versionConflict(existing, ifMatch);
      return { result: 'stored', status: 200, row: await w.point(existing, pointed) };
    },
    [id],
  );
}

/**
 * Points lines against statement lines, all in one transaction: each line is named with the
 * version the caller read (as for pointage); one refusal refuses them all (nothing is half-done).
 * `alsoInTransaction` writes what goes with it (last year's items cleared) in the same transaction.
 */
export async function pointFromStatement(
  scope: Scope,
  entries: readonly { id: string; version: number; statementLineId: number }[],
  alsoInTransaction?: (t: Transaction) => Promise<void>,
): Promise<LineRow[]> {
  return scope.db.write(async (t) => {
    const w = await ExerciseWriter.open(scope, t);
    await w.prefetch(
      entries.map((e) => e.id),
      [],
    );
    const rows: LineRow[] = [];
    for (const e of entries) {
      const existing = await w.find(e.id);
      const conflict =
        !existing || existing.deleted
          ? versionConflict<LineRow>(null, e.version)
          : existing.version !== e.version
            ? versionConflict(existing, e.version)
            : null;
      if (conflict?.result === 'conflict') throw refusal(conflict);
      if (existing!.pointed) {
        throw new ServiceError(409, 'ligne_pointee', `La ligne ${existing!.pj} est déjà pointée.`, {
          current: lineJson(existing!),
        });
      }
      rows.push(await w.point(existing!, true, e.statementLineId));
    }
    await w.flush();
    if (alsoInTransaction) await alsoInTransaction(t);
    return rows;
  });
}

/** Copies a line under the next free PJ; `copyId` (client-generated) makes retries harmless. */
export function duplicateLine(scope: Scope, sourceId: string, copyId: string): Promise<WriteOutcome> {
  return grouped(
    scope,
    async (w) => {
      const source = await w.find(sourceId);
      if (!source || source.deleted) throw new ServiceError(404, 'introuvable', 'La ligne à dupliquer n’existe pas.');
      const already = await w.find(copyId);
      if (already) {
        if (await w.isDuplicateCopy(copyId)) return { result: 'unchanged', status: 200, row: already };
        throw new ServiceError(
          409,
          'identifiant_pris',
          'Cet identifiant de ligne est déjà utilisé : générez-en un autre.',
        );
      }
      const copy = { ...lineInputOf(source), pj: await w.nextPj() };
      return { result: 'stored', status: 201, row: await w.create(copyId, copy, 'duplicate') };
    },
    [sourceId, copyId],
  );
}

export interface SyncEntry {
  id: string;
  version?: number | null;
  deleted?: boolean;
  line?: LineInput;
  /** A new line stored already pointed when it is a validated bank line (imports; not in the API). */
  pointed?: boolean;
  /** Problems the caller found that the rules cannot see (an import's unreadable cell): kept with a new line. */
  problems?: Problem[];
}

export interface SyncOutcome {
  id: string;
  outcome: WriteOutcome;
  /** The line as it stood after this entry (a later entry of the batch may change it again). */
  line: LineJson | TombstoneJson | null;
}

/** A batch in one transaction: each entry stored, unchanged or in conflict. */
export async function syncLines(
  scope: Scope,
  entries: readonly SyncEntry[],
): Promise<{ cursor: string; outcomes: SyncOutcome[] }> {
  return scope.db.writeDirect(async (t) => {
    const w = await ExerciseWriter.open(scope, t);
    await w.prefetch(
      entries.map((e) => e.id),
      entries.flatMap((e) => (e.line ? [e.line.pj] : [])),
    );
    const outcomes: SyncOutcome[] = [];
    for (const e of entries) {
      let existing: LineRow | null;
      try {
        existing = await w.find(e.id);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        outcomes.push({
          id: e.id,
          line: null,
          outcome: { result: 'conflict', status: 409, row: null, code: err.code, message: err.message },
        });
        continue;
      }
      const ifMatch = e.version ?? null;
      let outcome: WriteOutcome;
      try {
        outcome = e.deleted
          ? await deleteOne(w, existing, ifMatch)
          : await putOne(w, existing, e.id, e.line!, ifMatch, e.pointed, e.problems);
      } catch (err) {
        if (!(err instanceof ServiceError) || err.status >= 500) throw err;
        outcome = {
          result: 'conflict',
          status: err.status as 409,
          row: existing,
          code: err.code,
          message: err.message,
        };
      }
      outcomes.push({ id: e.id, outcome, line: outcome.row ? w.jsonOf(outcome.row) : null });
    }
    await w.flush();
    return { cursor: w.cursor, outcomes };
  });
}

/** Live lines (and, with `since`, the tombstones) changed after a cursor, in cahier order. */
export async function listLines(
  scope: Scope,
  since: number | null,
): Promise<{ cursor: string; lines: LineJson[]; tombstones: TombstoneJson[] }> {
  const { Exercise, Line } = scope.db.models;
  // The cursor first: every change up to it is committed, so nothing is ever skipped.
  const ex = await Exercise.findByPk(scope.exercise.id, { attributes: ['lastSeq'] });
  const cursor = Number(ex!.lastSeq);
  const where: Record<string | symbol, unknown> = { exerciseId: scope.exercise.id, seq: { [Op.lte]: cursor } };
  if (since === null) where.deleted = false;
  else where.seq = { [Op.gt]: since, [Op.lte]: cursor };
  const rows = await Line.findAll({
    where,
    order: [
      ['date', 'ASC'],
      ['pj', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  const lines: LineJson[] = [];
  const tombstones: TombstoneJson[] = [];
  for (const r of rows) {
    const j = lineJson(r);
    if ('deleted' in j) tombstones.push(j);
    else lines.push(j);
  }
  return { cursor: String(cursor), lines, tombstones };
}

export async function getLine(scope: Scope, id: string): Promise<LineRow> {
  const row = await scope.db.models.Line.findByPk(id);
  // The id belongs to another exercise (or coop): never reveal it.
  if (row && row.exerciseId !== scope.exercise.id) throw idTaken();
  if (!row) throw new ServiceError(404, 'introuvable', 'Cette ligne n’existe pas.');
  return row;
}

export async function lineHistory(scope: Scope, id: string): Promise<AuditJson[]> {
  await getLine(scope, id);
  const rows = await scope.db.models.Audit.findAll({
    where: { lineId: id, exerciseId: scope.exercise.id },
    order: [['id', 'ASC']],
  });
  return rows.map(auditJson);
}
