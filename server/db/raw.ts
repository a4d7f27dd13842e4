/**
 * The write path's SQL, sent to the database driver itself (node-sqlite3 or mysql2) on the
 * connection of a Sequelize transaction, or on a connection of Sequelize's pool for a read.
 * Sequelize keeps the models, the migrations and everything else; the few statements every line
 * write runs skip its query building and result mapping, which cost more than the database's own
 * work (see test/bench/RESULTS.md). Every value is bound as a parameter, never pasted in the SQL.
 *
 * Statements are prepared once per connection and reused (node-sqlite3 Statement objects; on
 * MySQL, those of a fixed shape through mysql2's `execute`, which keeps its own cache).
 */
import type { Transaction } from 'sequelize';
import type { Db } from './connect';

export type RawRow = Record<string, unknown>;

interface SqliteStatement {
  all(params: unknown[], done: (e: Error | null, rows: RawRow[]) => void): void;
  run(params: unknown[], done: (this: { changes: number }, e: Error | null) => void): void;
  finalize(done?: (e: Error | null) => void): void;
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

/** Prepared statements of each SQLite connection, by SQL text, the most recently used last. */
const prepared = new WeakMap<SqliteConnection, Map<string, Promise<SqliteStatement>>>();
/** Statements kept per connection; the least recently used beyond it is finalized. */
const KEPT_PER_CONNECTION = 100;

/**
 * SQLite prepares a statement on the service's main thread: preparing the same SQL again for
 * every request cost more than running it. Calls on one statement from concurrent requests
 * queue on it, in order. A statement that fails to prepare is not kept.
 */
function sqliteStatement(connection: SqliteConnection, sql: string): Promise<SqliteStatement> {
  let cache = prepared.get(connection);
  if (!cache) prepared.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (statement) {
    cache.delete(sql);
  } else {
    const made = new Promise<SqliteStatement>((ok, ko) => {
      const s = connection.prepare(sql, (e) => (e ? ko(e) : ok(s)));
    });
    made.catch(() => {
      if (prepared.get(connection)?.get(sql) === made) prepared.get(connection)!.delete(sql);
    });
    statement = made;
    if (cache.size >= KEPT_PER_CONNECTION) {
      const [oldest, old] = cache.entries().next().value!;
      cache.delete(oldest);
      old.then((s) => s.finalize()).catch(() => undefined);
    }
  }
  cache.set(sql, statement);
  return statement;
}

/**
 * A transaction begun and ended by the service itself on a driver connection (the line write
 * path: see Db.writeDirect), or a Sequelize transaction: both carry the driver's connection.
 */
export interface DirectTransaction {
  readonly connection: unknown;
  readonly direct: true;
}
export type Tx = Transaction | DirectTransaction;

const connectionOf = (t: Tx) => (t as unknown as { connection: unknown }).connection;

/** Runs `fn` between BEGIN and COMMIT on a driver connection; ROLLBACK when it throws. */
export async function runDirect<T>(
  dialect: 'sqlite' | 'mysql',
  connection: unknown,
  begin: string,
  fn: (t: DirectTransaction) => Promise<T>,
): Promise<T> {
  const exec = (sql: string) =>
    dialect === 'sqlite'
      ? sqliteRun(connection as SqliteConnection, sql, [])
      : mysqlCall(connection as MysqlConnection, sql, [], false);
  await exec(begin);
  try {
    const result = await fn({ connection, direct: true });
    await exec('COMMIT');
    return result;
  } catch (e) {
    await exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export interface RawOptions {
  /**
   * MySQL: the statement's shape is fixed, the server prepares it once per connection (mysql2's
   * `execute`); statements of varying shape are sent with their values escaped by mysql2 so the
   * server's prepared statements stay few. SQLite keeps every statement (see sqliteStatement).
   */
  keep?: boolean;
}

async function sqliteAll(connection: SqliteConnection, sql: string, values: unknown[]): Promise<RawRow[]> {
  const statement = await sqliteStatement(connection, sql);
  return new Promise((ok, ko) => statement.all(values, (e, rows) => (e ? ko(e) : ok(rows))));
}

async function sqliteRun(connection: SqliteConnection, sql: string, values: unknown[]): Promise<number> {
  const statement = await sqliteStatement(connection, sql);
  return new Promise((ok, ko) =>
    statement.run(values, function (e) {
      if (e) ko(e);
      else ok(this.changes);
    }),
  );
}

function mysqlCall(connection: MysqlConnection, sql: string, values: unknown[], keep: boolean): Promise<unknown> {
  return new Promise((ok, ko) => {
    const done = (e: Error | null, result: unknown) => (e ? ko(e) : ok(result));
    if (keep) connection.execute(sql, values, done);
    else connection.query(sql, values, done);
  });
}

/** A SELECT in the transaction: rows with the database's column names. */
export async function rawSelect(db: Db, t: Tx, sql: string, values: unknown[], options: RawOptions = {}) {
  const c = connectionOf(t);
  if (db.dialect === 'sqlite') return sqliteAll(c as SqliteConnection, sql, values);
  return (await mysqlCall(c as MysqlConnection, sql, values, Boolean(options.keep))) as RawRow[];
}

/** An INSERT, UPDATE or DELETE in the transaction: the number of rows it changed. */
export async function rawRun(db: Db, t: Tx, sql: string, values: unknown[], options: RawOptions = {}) {
  const c = connectionOf(t);
  if (db.dialect === 'sqlite') return sqliteRun(c as SqliteConnection, sql, values);
  const result = await mysqlCall(c as MysqlConnection, sql, values, Boolean(options.keep));
  return (result as { affectedRows: number }).affectedRows;
}

/**
 * A read outside any transaction, of a fixed shape, on a connection of Sequelize's pool (SQLite:
 * its shared read connection).
 */
export async function rawRead(db: Db, sql: string, values: unknown[]): Promise<RawRow[]> {
  const manager = db.sequelize.connectionManager as unknown as ConnectionManager;
  const connection = await manager.getConnection({ type: 'read' });
  try {
    if (db.dialect === 'sqlite') return await sqliteAll(connection as SqliteConnection, sql, values);
    return (await mysqlCall(connection as MysqlConnection, sql, values, true)) as RawRow[];
  } finally {
    if (db.dialect === 'mysql') await manager.releaseConnection(connection);
  }
}

/** Finalizes the prepared statements of a connection about to close (SQLite refuses to close otherwise). */
export async function finalizeStatements(connection: unknown): Promise<void> {
  const cache = prepared.get(connection as SqliteConnection);
  if (!cache) return;
  prepared.delete(connection as SqliteConnection);
  const statements = await Promise.allSettled(cache.values());
  await Promise.all(
    statements.map((r) => (r.status === 'fulfilled' ? new Promise<void>((ok) => r.value.finalize(() => ok())) : null)),
  );
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
