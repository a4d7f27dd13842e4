/**
 * SQLite out of reach, as a user of the embedded database meets it: its file deleted (or
 * replaced) under the running service, or locked by another program (a backup, a second service
 * on the same file) for longer than the service waits. The treasurer gets a French 503 saying so,
 * never a 500, and nothing is written where it would be lost.
 */
import { rm } from 'node:fs/promises';
import { parseDbUrl } from '../../server/db/connect';
import { startService, type RunningService } from '../../server/service';
import { expense, freshDatabase, seedCoop, Treasurer, uuid, type Answer, type TestDatabase } from './process';

let database: TestDatabase;
let service: RunningService;
let client: Treasurer;

beforeEach(async () => {
  database = await freshDatabase('sqlite', 'unavailable');
  await seedCoop(database.url);
  service = await startService({ dbUrl: database.url, port: 0 });
  client = await new Treasurer(service.url).login();
});

afterEach(async () => {
  await service.close();
  await database.drop();
});

const put = async (n: number) => (await client.put(uuid(), expense(n))) as Answer;

describe('SQLite out of reach', () => {
  test('its file deleted under the service: every request answers 503 base_indisponible until a restart, /health unreachable', async () => {
    expect((await put(1)).status).toBe(201);
    await rm(parseDbUrl(database.url).storage!);
    await new Promise((ok) => setTimeout(ok, 300));
    const r = await put(2);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('60');
    expect(r.body).toMatchObject({
      code: 'base_indisponible',
      detail:
        'Le fichier de la base de données du service a disparu ou a été remplacé ; rien n’a été enregistré. ' +
        'Prévenez l’administrateur : le service doit être redémarré.',
    });
    expect((await client.request('GET', client.lines)).status).toBe(503);
    const health = await client.request('GET', '/health');
    expect([health.status, health.body]).toEqual([503, { status: 'indisponible', database: 'unreachable' }]);
  });

  test('locked by another program beyond the wait: 503 « occupée », then stored once the lock is released', async () => {
    const sqlite3 = (await import('sqlite3')).default;
    const other = new sqlite3.Database(parseDbUrl(database.url).storage!);
    const run = (sql: string) => new Promise<void>((ok, ko) => other.run(sql, (e: Error | null) => (e ? ko(e) : ok())));
    await run('BEGIN IMMEDIATE');
    const started = performance.now();
    const r = await put(1);
    const waited = performance.now() - started;
    await run('COMMIT');
    await new Promise<void>((ok) => other.close(() => ok()));
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(r.body).toMatchObject({
      code: 'base_indisponible',
      detail:
        'La base de données du service est occupée par un autre programme ; rien n’a été enregistré. Réessayez dans quelques instants.',
    });
    expect(waited).toBeLessThan(10_000);
    expect((await put(2)).status).toBe(201);
    expect((await client.all()).size).toBe(1);
  });
});
