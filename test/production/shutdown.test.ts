/**
 * Stopping `cahier serve` as an orchestrator does (SIGTERM): the requests in flight are answered
 * and what was acknowledged is stored, nothing else; the process exits 0; the database opens
 * again, intact. And `--workers N`: several processes on one port with MariaDB, refused on SQLite.
 */
import { connect } from 'node:net';
import { Agent, request as httpRequest } from 'node:http';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { openDb, parseDbUrl } from '../../server/db/connect';
import {
  COOP,
  DIALECTS,
  expense,
  freshDatabase,
  isAnswer,
  killAll,
  runCli,
  seedCoop,
  serve,
  Treasurer,
  uuid,
  type TestDatabase,
} from './process';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await killAll();
  for (const d of databases) await d.drop();
});

async function seeded(dialect: 'sqlite' | 'mysql'): Promise<TestDatabase> {
  const d = await freshDatabase(dialect, 'stop');
  databases.push(d);
  await seedCoop(d.url);
  return d;
}

/** The database's own check: SQLite's integrity_check, MariaDB's CHECK TABLE. */
async function integrity(dbUrl: string): Promise<string[]> {
  const db = await openDb(dbUrl);
  try {
    if (db.dialect === 'sqlite') {
      const rows = (await db.sequelize.query('PRAGMA integrity_check', { type: 'SELECT' })) as {
        integrity_check: string;
      }[];
      return rows.map((r) => r.integrity_check);
    }
    const rows = (await db.sequelize.query('CHECK TABLE `lines`, audit, exercises', { type: 'SELECT' })) as {
      Msg_text: string;
    }[];
    return [...new Set(rows.map((r) => r.Msg_text))];
  } finally {
    await db.close();
  }
}

/** Reads HTTP/1.1 responses one after the other from raw bytes (Content-Length bodies). */
function parseResponses(raw: Buffer): { status: number; headers: Record<string, string>; body: string }[] {
  const out = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine, ...lines] = raw.subarray(at, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const length = Number(headers['content-length'] ?? 0);
    at = end + 4 + length;
    if (statusLine!.startsWith('HTTP/1.1 1')) continue; // 100 Continue: not an answer
    out.push({
      status: Number(statusLine!.split(' ')[1]),
      headers,
      body: raw.subarray(end + 4, end + 4 + length).toString('utf8'),
    });
  }
  return out;
}

/**
 * A request whose body is only half sent: resolves once the service has it in hand (its
 * `100 Continue` received: headers read, a handler waiting for the body) and holds it until
 * `finish` sends the rest, optionally followed by a pipelined request on the same connection.
 * `responses`: every final response read on the connection until it closes.
 */
async function halfSent(url: string, method: string, path: string, token: string, payload: unknown) {
  const body = Buffer.from(JSON.stringify(payload));
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  const responses = new Promise<ReturnType<typeof parseResponses>>((ok) =>
    socket.once('close', () => ok(parseResponses(Buffer.concat(chunks)))),
  );
  await new Promise<void>((ok) => socket.once('connect', () => ok()));
  const half = Math.floor(body.length / 2);
  socket.write(
    `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
  );
  await new Promise<void>((ok, ko) => {
    const seen = () => {
      if (!Buffer.concat(chunks).includes('HTTP/1.1 100 Continue')) return;
      socket.off('data', seen);
      ok();
    };
    socket.on('data', seen);
    socket.once('close', () => ko(new Error(`${method} ${path} : connexion fermée avant 100 Continue`)));
  });
  socket.write(body.subarray(0, half));
  return {
    responses,
    finish(pipelined = '') {
      socket.write(Buffer.concat([body.subarray(half), Buffer.from(pipelined)]));
    },
  };
}

const pause = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe.each(DIALECTS)('SIGTERM to cahier serve (%s)', (dialect) => {
  test('PUTs and sync batches in flight are all answered and stored, a request pipelined during the stop gets a French 503, new connections are refused, exit 0, the database intact', async () => {
    const database = await seeded(dialect);
    const service = await serve(database.url);
    const client = await new Treasurer(service.url).login();
    const syncPath = `/api/coops/${COOP.number}/exercises/${COOP.year}/sync`;

    const batches = Array.from({ length: 3 }, (_, b) =>
      Array.from({ length: 500 }, (_, i) => ({ id: uuid(), line: expense(10_000 * (b + 1) + i) })),
    );
    const puts = Array.from({ length: 100 }, (_, i) => ({ id: uuid(), line: expense(i) }));

    // Every request sent but its body's second half: all of them in flight when the signal comes.
    const pendingBatches = await Promise.all(
      batches.map((lines) => halfSent(service.url, 'POST', syncPath, client.token, { lines })),
    );
    const pendingPuts = await Promise.all(
      puts.map((p) => halfSent(service.url, 'PUT', `${client.lines}/${p.id}`, client.token, p.line)),
    );
    service.child.kill('SIGTERM');
    await pause(300);
    // The port is closed to new connections.
    expect(await client.attempt('GET', '/health')).toEqual({ error: 'ECONNREFUSED' });
    // The requests end; on the first batch's connection, the client pipelines one more request.
    pendingBatches[0]!.finish('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    for (const p of [...pendingBatches.slice(1), ...pendingPuts]) p.finish();
    const batchResponses = await Promise.all(pendingBatches.map((p) => p.responses));
    const putResponses = await Promise.all(pendingPuts.map((p) => p.responses));
    const exit = await service.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(service.stdout()).toMatch(
      /Arrêt du service : plus de nouvelle connexion, les requêtes en cours se terminent…\nService arrêté : 103 requêtes en cours terminées, 1 refusée pendant l’arrêt \(503\)\.\n$/,
    );
    expect(service.stderr()).not.toMatch(/SQLITE_MISUSE|Database handle is closed|Erreur/);

    // Every request in flight answered (its connection closed after), and stored.
    expect(batchResponses.map((r) => [r[0]!.status, JSON.parse(r[0]!.body).counts])).toEqual(
      batches.map(() => [200, { stored: 500, unchanged: 0, conflict: 0, invalid: 0 }]),
    );
    expect(putResponses.map((r) => r.map((x) => x.status))).toEqual(puts.map(() => [201]));
    expect(putResponses.every((r) => r[0]!.headers['connection'] === 'close')).toBe(true);
    // The pipelined request: refused in French, the connection closed.
    const [first, second, ...more] = batchResponses[0]!;
    expect(more).toEqual([]);
    expect(first!.headers['connection']).toBeUndefined();
    expect(second!.status).toBe(503);
    expect(second!.headers['connection']).toBe('close');
    expect(second!.headers['retry-after']).toBe('1');
    expect(second!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(second!.body)).toEqual({
      type: '/problems/service_en_arret',
      title: 'Instance en cours d’arrêt : rien n’a été fait, réessayez',
      status: 503,
      detail:
        'Cette instance du service s’arrête : la requête n’a pas été traitée et rien n’a été enregistré. ' +
        'Réessayez : une autre instance, ou celle-ci redémarrée, vous répondra.',
      code: 'service_en_arret',
    });

    // The database is intact; restarted on it, the service has every line, once.
    expect(await integrity(database.url)).toEqual([dialect === 'mysql' ? 'OK' : 'ok']);
    const again = await serve(database.url);
    const stored = await (await new Treasurer(again.url).login()).all();
    const sent = [...batches.flat(), ...puts];
    expect(new Map([...stored].map(([id, l]) => [id, l.pj]))).toEqual(new Map(sent.map((e) => [e.id, e.line.pj])));
    expect(await again.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});

/** The service processes (cahier serve) whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) return false;
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes('serve');
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Which processes hold the server side of the established TCP connections on `port`. */
function connectionOwners(port: number, pids: number[]): number[] {
  const inodes = new Set<string>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (parseInt(f[1]!.split(':')[1]!, 16) === port && f[3] === '01') inodes.add(f[9]!);
  }
  return pids.filter((pid) =>
    readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '');
      } catch {
        return false;
      }
    }),
  );
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

async function until<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`attente trop longue : ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** GET /health on `count` kept-alive connections at once. */
async function healthOn(url: string, agent: Agent, count: number): Promise<number[]> {
  const u = new URL(url);
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<number>((ok, ko) => {
          const req = httpRequest({ host: u.hostname, port: u.port, path: '/health', agent }, (res) => {
            res.resume();
            res.on('end', () => ok(res.statusCode!));
          });
          req.on('error', ko);
          req.end();
        }),
    ),
  );
}

describe('cahier serve --workers', () => {
  test('on SQLite: refused before anything starts, in French, exit code 2', async () => {
    const database = await freshDatabase('sqlite', 'workers');
    databases.push(database);
    const r = await runCli(['serve', '--port', '0', '--workers', '2'], database.url);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'Erreur : --workers demande MySQL/MariaDB : SQLite n’a qu’un écrivain à la fois, plusieurs processus ' +
        'n’iraient pas plus vite et se gêneraient. Retirez --workers, ou donnez une base mysql://… ' +
        '(--db ou DATABASE_URL).\n',
    );
    expect(existsSync(parseDbUrl(database.url).storage!)).toBe(false);
  });

  (DIALECTS.includes('mysql') ? test : test.skip)(
    'on MariaDB: two processes serve the port, a killed one is replaced, SIGTERM stops them all with exit 0',
    async () => {
      const database = await seeded('mysql');
      const service = await serve(database.url, ['--workers', '2']);
      expect(service.stdout().match(/service démarré sur/g)).toHaveLength(1);
      const m = await until('la liste des processus', () =>
        /Processus de service : 2 \(pid (\d+), (\d+)\), processus principal (\d+)\./.exec(service.stdout()),
      );
      const workers = [Number(m![1]), Number(m![2])];
      expect(Number(m![3])).toBe(service.pid);
      expect(childrenOf(service.pid).sort()).toEqual([...workers].sort());
      const port = Number(new URL(service.url).port);
      expect(port).toBeGreaterThan(0);

      // Six kept-alive connections: both workers hold some.
      const agent = new Agent({ keepAlive: true, maxSockets: 6 });
      expect(await healthOn(service.url, agent, 6)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(connectionOwners(port, workers).sort()).toEqual([...workers].sort());
      agent.destroy();

      // Writes go through either worker.
      const client = await new Treasurer(service.url).login();
      const lines = Array.from({ length: 20 }, (_, i) => ({ id: uuid(), line: expense(i) }));
      const answers = await Promise.all(lines.map((l) => client.put(l.id, l.line)));
      expect(answers.map((a) => (isAnswer(a) ? a.status : a.error))).toEqual(lines.map(() => 201));

      // One worker killed: the other answers, a new one replaces it.
      process.kill(workers[0]!, 'SIGKILL');
      await until('le remplacement annoncé', () =>
        service.stderr().includes(`Processus de service ${workers[0]} arrêté (signal SIGKILL) : il est remplacé.`),
      );
      expect(await healthOn(service.url, new Agent({ keepAlive: false }), 4)).toEqual([200, 200, 200, 200]);
      const replaced = await until('un nouveau processus', () => {
        const now = childrenOf(service.pid);
        return now.length === 2 && !now.includes(workers[0]!) ? now : undefined;
      });
      expect(replaced).toContain(workers[1]);
      // The new process takes connections once it listens.
      const fresh = replaced.find((pid) => pid !== workers[1])!;
      await until('le nouveau processus sert', async () => {
        const agent = new Agent({ keepAlive: true, maxSockets: 4 });
        try {
          expect(await healthOn(service.url, agent, 4)).toEqual([200, 200, 200, 200]);
          return connectionOwners(port, [fresh]).length === 1;
        } finally {
          agent.destroy();
        }
      });
      expect((await client.all()).size).toBe(20);

      expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(service.stdout()).toMatch(/Service arrêté\.\n$/);
      for (const pid of replaced) expect(alive(pid)).toBe(false);
    },
  );
});
