/**
 * The database: SQLite (embedded default, a file under data/) or MySQL/MariaDB (production),
 * chosen by a URL. The service keeps no state of its own: with MySQL several instances can
 * share one database.
 */
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConnectionError, Sequelize, Transaction } from 'sequelize';
import { defineModels, type Models } from './models';
import { settledWithin } from '../operations/parallel';
import { finalizeStatements, runDirect, type DirectTransaction, type Tx } from './raw';

export type Dialect = 'sqlite' | 'mysql';

export interface DbTarget {
  dialect: Dialect;
  /** SQLite: the file (or ":memory:"). */
  storage?: string;
  /** MySQL: connection parts. */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
}

export const DEFAULT_DB_URL = 'sqlite:data/cahier.sqlite';

export class DbUrlError extends Error {}

/** "sqlite:PATH", "sqlite::memory:" or "mysql://user:pass@host:port/db". */
export function parseDbUrl(url: string): DbTarget {
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!rest) throw new DbUrlError('Adresse SQLite sans fichier : écrivez sqlite:chemin/du/fichier.sqlite');
    return { dialect: 'sqlite', storage: rest === ':memory:' ? rest : resolve(rest) };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    let u: URL;
    try {
      u = new URL(url.replace(/^mariadb:/, 'mysql:'));
    } catch {
      throw new DbUrlError(`Adresse MySQL illisible : ${url}`);
    }
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (!database)
      throw new DbUrlError('Adresse MySQL sans base : écrivez mysql://utilisateur:mot-de-passe@hôte:3306/base');
    if (!/^[A-Za-z0-9_]+$/.test(database)) throw new DbUrlError(`Nom de base invalide : ${database}`);
    return {
      dialect: 'mysql',
      host: u.hostname || '127.0.0.1',
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      database,
    };
  }
  throw new DbUrlError(`Base de données non prise en charge : « ${url} » (sqlite:FICHIER ou mysql://…).`);
}

/** Writes to one SQLite file go one at a time: SQLITE_BUSY never reaches a user. */
class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

interface SqliteConnectionManager {
  getConnection(options?: { uuid?: string }): Promise<{ uuid?: string; close(): void }>;
  releaseConnection(connection: { uuid?: string }, force?: boolean): void;
}

/**
 * SQLite: every transaction runs on one connection kept open. Sequelize opens a new connection
 * for each transaction and closes it after (the file opened, the schema read again); writes
 * are queued one at a time anyway, so one writer connection serves them all.
 */
function keepWriterConnection(sequelize: Sequelize): void {
  const manager = sequelize.connectionManager as unknown as SqliteConnectionManager;
  const get = manager.getConnection.bind(manager);
  const release = manager.releaseConnection.bind(manager);
  manager.getConnection = (options) =>
    get(options?.uuid && options.uuid !== 'default' ? { ...options, uuid: 'writer' } : options);
  manager.releaseConnection = (connection, force) => {
    if (force) release(connection, force);
  };
}

function sqliteConnections(sequelize: Sequelize): unknown[] {
  return Object.values(
    (sequelize.connectionManager as unknown as { connections: Record<string, unknown> }).connections,
  );
}

/** MySQL: time to open a connection, and to wait for a free one, before the request gets a 503. */
const MYSQL_CONNECT_MS = 5_000;
const MYSQL_ACQUIRE_MS = 10_000;
/** At close, how long the transactions under way may take to end. */
const CLOSE_WAIT_MS = 15_000;

/** The SQLite file was deleted or replaced while the service had it open. */
export class SqliteFileGoneError extends ConnectionError {
  constructor(readonly storage: string) {
    super(Object.assign(new Error(`SQLite file gone: ${storage}`), { code: 'SQLITE_FILE_GONE' }));
    this.name = 'SqliteFileGoneError';
  }
}

/**
 * SQLite keeps writing into a file deleted (or replaced, as by a careless restore) under it: the
 * writes would be lost at the next start. Every query first checks, at most every 250 ms, that
 * the path still names the file opened; if not, the service refuses (503) until restarted.
 */
function watchSqliteFile(sequelize: Sequelize, storage: string): () => void {
  const identity = (): string | null => {
    try {
      const s = statSync(storage);
      return `${s.dev}:${s.ino}`;
    } catch {
      return null;
    }
  };
  const opened = identity();
  let checkedAt = 0;
  let gone = false;
  const check = () => {
    const now = Date.now();
    if (!gone && now - checkedAt >= 250) {
      checkedAt = now;
      gone = identity() !== opened;
    }
    if (gone) throw new SqliteFileGoneError(storage);
  };
  sequelize.addHook('beforeQuery', (options) => {
    // A transaction's rollback goes through: the writer connection is left clean.
    if ((options as { completesTransaction?: boolean }).completesTransaction) return;
    check();
  });
  return check;
}

export interface Db {
  sequelize: Sequelize;
  dialect: Dialect;
  models: Models;
  /** Runs `fn` in a write transaction (serialised on SQLite, READ COMMITTED on MySQL). */
  write<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
  /**
   * The same, begun and ended on the driver's connection without Sequelize: for `fn` that only
   * sends SQL to the driver (server/db/raw.ts), the line write path.
   */
  writeDirect<T>(fn: (t: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function createMysqlDatabase(target: DbTarget): Promise<void> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
  });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}

export async function openDb(url: string, options: { logging?: boolean; pool?: number } = {}): Promise<Db> {
  const target = parseDbUrl(url);
  const logging = options.logging ? (sql: string) => process.stderr.write(`${sql}\n`) : false;
  let sequelize: Sequelize;
  if (target.dialect === 'sqlite') {
    if (target.storage !== ':memory:') await mkdir(dirname(target.storage!), { recursive: true });
    // Sequelize opens one connection per transaction; writes are queued (below) so that only
    // one of them writes at a time, and a retry covers a checkpoint racing a reader. Each try
    // waits up to 1 s for the lock (the driver's busy timeout): another program holding it longer
    // than about 5 s in all gets a 503 « occupée », not a request left hanging for half a minute.
    sequelize = new Sequelize({
      dialect: 'sqlite',
      storage: target.storage,
      logging,
      retry: { match: [/SQLITE_BUSY/], max: 4 },
    });
  } else {
    await createMysqlDatabase(target);
    sequelize = new Sequelize(target.database!, target.user!, target.password, {
      dialect: 'mysql',
      host: target.host,
      port: target.port,
      logging,
      // A database out of reach fails a request within seconds (a French 503), never hangs it:
      // a connection is made within 5 s or refused, and waits at most 10 s for a free one (under
      // the request's own time limit). Dead connections are dropped by the pool (validated when
      // taken, destroyed on a socket error), so the service reconnects by itself once it is back.
      pool: { max: options.pool ?? 40, min: 0, idle: 10_000, acquire: MYSQL_ACQUIRE_MS, evict: 1_000 },
      dialectOptions: {
        charset: 'utf8mb4',
        dateStrings: false,
        connectTimeout: MYSQL_CONNECT_MS,
        enableKeepAlive: true,
        keepAliveInitialDelay: 10_000,
      },
      define: { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
    });
    // Every connection reads committed data only: the isolation of all the service's transactions,
    // those begun by Sequelize (which also asks for it) and those begun on the driver (writeDirect).
    sequelize.addHook('afterConnect', async (connection: unknown) => {
      await new Promise<void>((ok, ko) =>
        (connection as { query(sql: string, done: (e: Error | null) => void): void }).query(
          'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
          (e) => (e ? ko(e) : ok()),
        ),
      );
    });
  }
  await sequelize.authenticate();
  if (target.dialect === 'sqlite') keepWriterConnection(sequelize);
  const fileCheck =
    target.dialect === 'sqlite' && target.storage !== ':memory:' ? watchSqliteFile(sequelize, target.storage!) : null;
  if (target.dialect === 'sqlite' && target.storage !== ':memory:') {
    await sequelize.query('PRAGMA journal_mode = WAL');
  }
  const queue = new WriteQueue();
  const dialect = target.dialect;
  const writing = new Set<Promise<unknown>>();
  const transaction = <T>(fn: (t: Transaction) => Promise<T>): Promise<T> => {
    if (dialect === 'sqlite') {
      return queue.run(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
    }
    return sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, fn);
  };
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: { uuid?: string }): Promise<unknown>;
    releaseConnection(connection: unknown): Promise<void> | void;
  };
  const direct = <T>(fn: (t: DirectTransaction) => Promise<T>): Promise<T> => {
    if (dialect === 'sqlite') {
      return queue.run(async () => {
        fileCheck?.();
        return runDirect('sqlite', await manager.getConnection({ uuid: 'writer' }), 'BEGIN IMMEDIATE', fn);
      });
    }
    return (async () => {
      const connection = await manager.getConnection();
      try {
        // Connections are READ COMMITTED from the start (afterConnect above).
        return await runDirect('mysql', connection, 'START TRANSACTION', fn);
      } finally {
        await manager.releaseConnection(connection);
      }
    })();
  };
  const tracked = <T>(running: Promise<T>): Promise<T> => {
    const settled: Promise<unknown> = running.then(
      () => writing.delete(settled),
      () => writing.delete(settled),
    );
    writing.add(settled);
    return running;
  };
  return {
    sequelize,
    dialect,
    models: defineModels(sequelize),
    write: (fn) => tracked(transaction(fn)),
    writeDirect: (fn) => tracked(direct(fn)),
    async close() {
      // The transactions under way (a request answered by its time limit may still be writing;
      // queued SQLite writes) end first: closing under them would fail them half-way.
      await settledWithin([...writing], CLOSE_WAIT_MS);
      // Statements prepared on the SQLite writer connection are finalized first, or it won't close.
      if (dialect === 'sqlite') await Promise.all(sqliteConnections(sequelize).map(finalizeStatements));
      await sequelize.close();
    },
  };
}
