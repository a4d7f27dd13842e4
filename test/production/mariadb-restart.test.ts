/**
 * The database goes away under load and comes back: a private MariaDB server (its own data
 * folder and port; the machine's server is left alone) stopped cleanly, then killed, while
 * treasurers write. Requests fail fast with the French 503 base_indisponible (never a hang, never
 * a 500), /health says the database is unreachable, and once MariaDB is back the service serves
 * again by itself; everything acknowledged is stored.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  expense,
  isAnswer,
  killAll,
  seedCoop,
  serve,
  Treasurer,
  uuid,
  type Outcome,
  type ServeProcess,
} from './process';

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const available = existsSync(MARIADBD) && existsSync(INSTALL_DB);
if (!available) process.stdout.write(`mariadb-restart : ignoré, ${MARIADBD} absent (paquet mariadb-server).\n`);

function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.once('error', ko);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** A MariaDB server of its own: a data folder, a port, no password for root on 127.0.0.1. */
class PrivateMariaDb {
  private process: ChildProcess | null = null;
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivateMariaDb> {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-mariadb-'));
    const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
    const install = spawnSync(
      INSTALL_DB,
      [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...asRoot,
      ],
      { encoding: 'utf8' },
    );
    if (install.status !== 0) throw new Error(`mariadb-install-db : ${install.stderr}`);
    return new PrivateMariaDb(dir, await freePort());
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/cahier_restart`;
  }

  async start(): Promise<void> {
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--port=${this.port}`,
        `--socket=${join(this.dir, 'sock')}`,
        `--pid-file=${join(this.dir, 'pid')}`,
        `--log-error=${join(this.dir, 'error.log')}`,
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
      ],
      { stdio: 'ignore' },
    );
    this.process = child;
    const mysql = await import('mysql2/promise');
    const end = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd s’est arrêté (${child.exitCode})`);
      try {
        const c = await mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
        await c.end();
        return;
      } catch (e) {
        if (Date.now() > end) throw e;
        await new Promise((ok) => setTimeout(ok, 100));
      }
    }
  }

  /** SIGTERM: a clean shutdown; SIGKILL: a crash. Resolves once the process is gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((ok) => child.once('exit', ok));
    child.kill(signal);
    await gone;
    this.process = null;
  }

  async remove(): Promise<void> {
    await this.stop('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }
}

interface Write {
  id: string;
  pj: string;
  outcome: Outcome;
  /** When it was sent and how long it took, ms. */
  at: number;
  ms: number;
}

/** Treasurers writing one line after another until stopped, each write recorded. */
function writers(client: Treasurer, count: number) {
  const writes: Write[] = [];
  let running = true;
  let n = 0;
  const loops = Array.from({ length: count }, async () => {
    while (running) {
      const id = uuid();
      const line = expense(++n);
      const at = performance.now();
      const outcome = await client.put(id, line);
      writes.push({ id, pj: line.pj, outcome, at, ms: performance.now() - at });
      // A refused write is retried by the client a little later, as Retry-After asks.
      if (!isAnswer(outcome) || outcome.status !== 201) await new Promise((ok) => setTimeout(ok, 200));
    }
  });
  return {
    writes,
    since: (t: number) => writes.filter((w) => w.at >= t),
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

const statusOf = (o: Outcome) => (isAnswer(o) ? o.status : o.error);

async function until(what: string, fn: () => Promise<boolean>, ms = 20_000): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await fn()) return performance.now() - start;
    if (performance.now() - start > ms) throw new Error(`attente trop longue : ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

(available ? describe : describe.skip)('MariaDB stopped and restarted under the service', () => {
  let db: PrivateMariaDb;
  let service: ServeProcess | null = null;
  beforeAll(async () => {
    db = await PrivateMariaDb.create();
    await db.start();
    await seedCoop(db.url);
  });
  afterAll(async () => {
    await killAll();
    await db?.remove();
  });

  test('a clean stop, then a crash (kill -9): fast French 503s, /health unreachable, recovery by itself, nothing acknowledged lost', async () => {
    service = await serve(db.url);
    const client = await new Treasurer(service.url).login();
    const health = async () => {
      const r = await client.request('GET', '/health');
      return { status: r.status, body: r.body as unknown };
    };
    const load = writers(client, 6);
    await new Promise((ok) => setTimeout(ok, 1_000));

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      await db.stop(signal);
      const down = performance.now();
      // Requests fail fast, in French, while the database is away.
      await new Promise((ok) => setTimeout(ok, 2_500));
      expect(await health()).toEqual({ status: 503, body: { status: 'indisponible', database: 'unreachable' } });
      const r = await client.request('GET', client.lines);
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(r.body).toEqual({
        type: '/problems/base_indisponible',
        title: 'Base de données momentanément injoignable ; rien n’est enregistré à moitié',
        status: 503,
        detail:
          'La base de données du service ne répond pas pour le moment ; rien n’a été enregistré. Réessayez dans quelques instants.',
        code: 'base_indisponible',
      });
      const during = load.since(down + 500);
      expect(during.length).toBeGreaterThan(0);
      expect(during.every((w) => statusOf(w.outcome) === 503)).toBe(true);
      expect(Math.max(...during.map((w) => w.ms))).toBeLessThan(3_000);

      // Back on the same data folder and port: the service serves again without a restart.
      await db.start();
      const back = performance.now();
      await until('la reprise des écritures', async () => load.since(back).some((w) => statusOf(w.outcome) === 201));
      expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: 'ok' } });
    }
    await load.stop();

    // Never a 500, a hang or a dropped connection: stored (201) or refused in French (503).
    const statuses = new Set(load.writes.map((w) => statusOf(w.outcome)));
    expect([...statuses].sort()).toEqual([201, 503]);
    for (const w of load.writes) {
      if (isAnswer(w.outcome) && w.outcome.status === 503)
        expect((w.outcome.body as { code: string }).code).toBe('base_indisponible');
    }
    // Everything acknowledged is stored; nothing stored that was not sent.
    const stored = await client.all();
    const acknowledged = load.writes.filter((w) => statusOf(w.outcome) === 201);
    expect(acknowledged.length).toBeGreaterThan(20);
    for (const w of acknowledged) expect(stored.get(w.id)?.pj).toBe(w.pj);
    const sent = new Set(load.writes.map((w) => w.id));
    expect([...stored.keys()].every((id) => sent.has(id))).toBe(true);

    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    service = null;
  });
});
