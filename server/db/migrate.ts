/** Migrations (umzug), run at every start on both databases. */
import { SequelizeStorage, Umzug } from 'umzug';
import type { Db } from './connect';
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

export async function migrate(db: Db): Promise<string[]> {
  const umzug = new Umzug({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: db.sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'migrations' }),
    logger: undefined,
  });
  const done = await umzug.up();
  return done.map((m) => m.name);
}
