/** Migrations (umzug), run at every start on both databases. */
import { SequelizeStorage, Umzug } from 'umzug';
import type { Db } from './connect';
import { rawSelect } from './raw';
import * as m001 from './migrations/001-initial';
import * as m002 from './migrations/002-login-throttle';
import * as m003 from './migrations/003-exercise-audit';
import * as m004 from './migrations/004-binary-collation';
import * as m005 from './migrations/005-statements';
import * as m006 from './migrations/006-side-books';
import * as m007 from './migrations/007-closure';
import * as m008 from './migrations/008-outstanding-statement';
import * as m009 from './migrations/009-dashboard';

const MIGRATIONS = [
  { name: '001-initial', ...m001 },
  { name: '002-login-throttle', ...m002 },
  { name: '003-exercise-audit', ...m003 },
  { name: '004-binary-collation', ...m004 },
  { name: '005-statements', ...m005 },
  { name: '006-side-books', ...m006 },
  { name: '007-closure', ...m007 },
  { name: '008-outstanding-statement', ...m008 },
  { name: '009-dashboard', ...m009 },
];

/** How long a start waits for another instance's migrations before giving up. */
const MIGRATION_LOCK_SECONDS = 300;

/**
 * MySQL: instances started at once on one database (a rolling upgrade, two machines) migrate
 * one after the other, under a named lock the server holds for the connection that took it (and
 * frees if that process dies); the second finds the work done. SQLite has one service process.
 */
async function underMigrationLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  if (db.dialect !== 'mysql') return fn();
  const manager = db.sequelize.connectionManager as unknown as {
    getConnection(): Promise<unknown>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const connection = await manager.getConnection();
  const t = { connection, direct: true } as const;
  try {
    const [row] = await rawSelect(db, t, 'SELECT GET_LOCK(?, ?) AS taken', [
      'cahier_migrations',
      MIGRATION_LOCK_SECONDS,
    ]);
    if (Number(row?.taken) !== 1) {
      throw new Error(
        `Les migrations d’une autre instance durent depuis plus de ${MIGRATION_LOCK_SECONDS} s : démarrage abandonné.`,
      );
    }
    try {
      return await fn();
    } finally {
      await rawSelect(db, t, 'SELECT RELEASE_LOCK(?) AS released', ['cahier_migrations']).catch(() => undefined);
    }
  } finally {
    await manager.releaseConnection(connection);
  }
}

export async function migrate(db: Db): Promise<string[]> {
  return underMigrationLock(db, () => migrateNow(db));
}

async function migrateNow(db: Db): Promise<string[]> {
  const umzug = new Umzug({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: db.sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'migrations' }),
    logger: undefined,
  });
  const done = await umzug.up();
  return done.map((m) => m.name);
}
