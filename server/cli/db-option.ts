import { DEFAULT_DB_URL, DbUrlError, openDb, type Db } from '../db/connect';
import { migrate } from '../db/migrate';
import { ServiceError } from '../operations/errors';
import { UserError, type OptionSpec, type Values } from './command';

export const DB_OPTION: OptionSpec = {
  type: 'string',
  value: 'URL',
  description: `base de données : sqlite:FICHIER ou mysql://… (défaut : $DATABASE_URL, sinon ${DEFAULT_DB_URL})`,
};

export function dbUrl(values: Values): string {
  return typeof values.db === 'string' ? values.db : (process.env.DATABASE_URL ?? DEFAULT_DB_URL);
}

/** Opens and migrates the database named by --db; French errors for the user. */
export async function withDb<T>(values: Values, fn: (db: Db) => Promise<T>): Promise<T> {
  let db: Db;
  try {
    db = await openDb(dbUrl(values));
  } catch (e) {
    if (e instanceof DbUrlError) throw new UserError(e.message, 2);
    throw new UserError(`Impossible d’ouvrir la base de données : ${(e as Error).message}`);
  }
  try {
    await migrate(db);
    return await fn(db);
  } catch (e) {
    if (e instanceof ServiceError) throw new UserError(e.message);
    throw e;
  } finally {
    await db.close();
  }
}
