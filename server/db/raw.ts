/**
 * The write path's SQL, sent to the database driver itself (node-sqlite3 or mysql2) on the
 * connection of a Sequelize transaction, or on a connection of Sequelize's pool for a read.
 * Sequelize keeps the models, the migrations and everything else; the few statements every line
 * write runs skip its query building and result mapping, which cost more than the database's own
 * work (see test/bench/RESULTS.md). Every value is bound as a parameter, never pasted in the SQL.
 *
 * Fixed statements are prepared once per connection and reused (node-sqlite3 Statement objects;
 * mysql2's `execute` keeps its own cache); statements whose shape varies (IN lists, multi-row
 * inserts) are sent with bound values and not kept, so the server's prepared statements stay few.
 */
import type { Transaction } from 'sequelize';
import type { Db } from './connect';

export type RawRow = Record<string, unknown>;

interface SqliteStatement {
  all(params: unknown[], done: (e: Error | null, rows: RawRow[]) => void): void;
  run(params: unknown[], done: (this: { changes: number }, e: Error | null) => void): void;
  finalize(done?: () => void): void;
}
interface SqliteConnection {
  all(sql: string, params: unknown[], done: (e: Error | null, rows: RawRow[]) => void): void;
  run(sql: string, params: unknown[], done: (this: { changes: number }, e: Error | null) => void): void;
  prepare(sql: string, done?: (e: Error | null) => void): SqliteStatement;
}
interface MysqlConnection {
  query(sql: string, values: unknown[], done: (e: Error | null, result: unknown) => void): void;
  execute(sql: string, values: unknown[], done: (e: Error | null, result: unknown) => void): void;
}
interface ConnectionManager {
  getConnection(options?: { uuid?: string; type?: string }): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void> | void;
}

/** Prepared statements of the SQLite writer connection, by SQL text. */
const prepared = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

function sqliteStatement(connection: SqliteConnection, sql: string): SqliteStatement {
  let cache = prepared.get(connection);
  if (!cache) prepared.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** The driver's connection under a Sequelize transaction. */
const connectionOf = (t: Transaction) => (t as unknown as { connection: unknown }).connection;

export interface RawOptions {
  /** The statement's shape is fixed: prepare it once and reuse it (transactions only). */
  keep?: boolean;
}

/** A SELECT in the transaction: rows with the database's column names. */
export function rawSelect(db: Db, t: Transaction, sql: string, values: unknown[], options: RawOptions = {}) {
  return new Promise<RawRow[]>((ok, ko) => {
    const done = (e: Error | null, rows: unknown) => (e ? ko(e) : ok(rows as RawRow[]));
    if (db.dialect === 'sqlite') {
      const c = connectionOf(t) as SqliteConnection;
      if (options.keep) sqliteStatement(c, sql).all(values, done);
      else c.all(sql, values, done);
    } else {
      const c = connectionOf(t) as MysqlConnection;
      if (options.keep) c.execute(sql, values, done);
      else c.query(sql, values, done);
    }
  });
}

/** An INSERT, UPDATE or DELETE in the transaction: the number of rows it changed. */
export function rawRun(db: Db, t: Transaction, sql: string, values: unknown[], options: RawOptions = {}) {
  return new Promise<number>((ok, ko) => {
    if (db.dialect === 'sqlite') {
      const c = connectionOf(t) as SqliteConnection;
      const done = function (this: { changes: number }, e: Error | null) {
        if (e) ko(e);
        else ok(this.changes);
      };
      if (options.keep) sqliteStatement(c, sql).run(values, done);
      else c.run(sql, values, done);
    } else {
      const c = connectionOf(t) as MysqlConnection;
      const done = (e: Error | null, result: unknown) =>
        e ? ko(e) : ok((result as { affectedRows: number }).affectedRows);
      if (options.keep) c.execute(sql, values, done);
      else c.query(sql, values, done);
    }
  });
}

/**
 * A read outside any transaction, on a connection of Sequelize's pool (SQLite: its shared read
 * connection; statements are not kept there, reads of several requests run on it at once).
 */
export async function rawRead(db: Db, sql: string, values: unknown[]): Promise<RawRow[]> {
  const manager = db.sequelize.connectionManager as unknown as ConnectionManager;
  const connection = await manager.getConnection({ type: 'read' });
  try {
    return await new Promise<RawRow[]>((ok, ko) => {
      const done = (e: Error | null, rows: unknown) => (e ? ko(e) : ok(rows as RawRow[]));
      if (db.dialect === 'sqlite') (connection as SqliteConnection).all(sql, values, done);
      else (connection as MysqlConnection).execute(sql, values, done);
    });
  } finally {
    if (db.dialect === 'mysql') await manager.releaseConnection(connection);
  }
}

/** Forgets the prepared statements of a connection about to close. */
export function finalizeStatements(connection: unknown): void {
  const cache = prepared.get(connection as SqliteConnection);
  if (!cache) return;
  for (const statement of cache.values()) statement.finalize();
  prepared.delete(connection as SqliteConnection);
}

/** A value as the driver binds it (dates in UTC with milliseconds, as Sequelize writes them). */
export function boundValue(db: Pick<Db, 'dialect'>, v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) {
    const text = v.toISOString().replace('T', ' ').replace('Z', '');
    return db.dialect === 'sqlite' ? `${text} +00:00` : text;
  }
  return v;
}

/** A date as the drivers give it back: a Date (mysql2) or SQLite's text "2025-10-01 08:00:00.000 +00:00". */
export function rawDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  return new Date(m ? `${m[1]}T${m[2]}${m[3] ?? 'Z'}` : text);
}
