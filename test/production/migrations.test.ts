/**
 * Instances started at the same moment on one empty MariaDB database (two machines brought up
 * together, a rolling upgrade that brings a migration): they migrate one after the other, both
 * serve, and every migration is recorded once.
 */
import mysql from 'mysql2/promise';
import { parseDbUrl } from '../../server/db/connect';
import { freshDatabase, killAll, serve, type TestDatabase } from './process';

const withMysql = process.env.CAHIER_TEST_MYSQL_URL ? describe : describe.skip;

withMysql('instances started at once on an empty MariaDB database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase('mysql', 'migr');
  });
  afterAll(async () => {
    await killAll();
    await db.drop();
  });

  it('both start and serve; each migration is applied once', async () => {
    const [a, b, c] = await Promise.all([serve(db.url), serve(db.url), serve(db.url)]);
    for (const s of [a!, b!, c!]) {
      const health = await fetch(`${s.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
    }
    const t = parseDbUrl(db.url);
    const conn = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, database: t.database });
    try {
      const [rows] = await conn.query('SELECT name, COUNT(*) AS n FROM migrations GROUP BY name ORDER BY name');
      const applied = rows as { name: string; n: number }[];
      expect(applied.length).toBeGreaterThanOrEqual(9);
      expect(applied[0]!.name).toBe('001-initial');
      expect(applied.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await conn.end();
    }
    await Promise.all([a!.stop(), b!.stop(), c!.stop()]);
  });
});
