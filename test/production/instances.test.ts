/**
 * Two service processes (`cahier serve`) on one MariaDB database, driven at once, as behind a
 * load balancer: replayed batches, racing writers, duplicates, a client switching instance
 * while it follows the `since` cursor, and the login lockout counted across both.
 *
 * Runs only when CAHIER_TEST_MYSQL_URL is set: a fresh database `<prefix>_<pid>_instances`,
 * dropped after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseDbUrl } from '../../server/db/connect';
import { LOCKOUT } from '../../server/operations/sessions';
import type { LineInput } from '../../templates/definition';

const ROOT = join(__dirname, '../..');
const MYSQL_URL = process.env.CAHIER_TEST_MYSQL_URL;

const COOP = '087-0901';
const LOGIN = 'marie.dupont';
const PASSWORD = 'instances-essai-1';
/** A second user, whose login the lockout case locks. */
const LOCKED_LOGIN = 'lucie.martin';
const LOCKED_PASSWORD = 'instances-essai-2';

/** Keeps the end of a process's output, to say why it stopped. */
function tail(child: ChildProcess): () => string {
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => out;
}

/** The CLI, with the database in DATABASE_URL and `input` on stdin; rejects unless it exits 0. */
function cli(args: string[], dbUrl: string, input?: string): Promise<void> {
  return new Promise((ok, ko) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/cahier.js'), ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: dbUrl },
    });
    if (input !== undefined) child.stdin!.end(input);
    const output = tail(child);
    child.once('error', ko);
    child.once('exit', (code) =>
      code === 0 ? ok() : ko(new Error(`cahier ${args.join(' ')} → ${code}: ${output()}`)),
    );
  });
}

interface Instance {
  url: string;
  stop(): Promise<void>;
}

/** Every service process started, stopped after the tests even if a start failed half-way. */
const running = new Set<() => Promise<void>>();

/** `cahier serve --port 0` in its own process; resolves once it prints its address. */
function serve(dbUrl: string): Promise<Instance> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/cahier.js'), 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: dbUrl },
  });
  const output = tail(child);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  running.add(stop);
  return new Promise((ok, ko) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /service démarré sur (http:\/\/\S+) /.exec(out);
      if (m) ok({ url: m[1]!, stop });
    });
    child.once('error', ko);
    child.once('exit', (code) => ko(new Error(`cahier serve stopped (${code}): ${output()}`)));
  });
}

interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A client of one instance; a token from either instance works on both (sessions are in the database). */
class Api {
  constructor(
    readonly url: string,
    private readonly token: string | null = null,
  ) {}

  as(token: string): Api {
    return new Api(this.url, token);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* kept as text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  login(login: string, password: string): Promise<Reply> {
    return this.request('POST', '/api/session', { login, password });
  }
}

const exercisePath = (year: number) => `/api/coops/${COOP}/exercises/${year}`;
const linesPath = (year: number) => `${exercisePath(year)}/lines`;

/** A valid bank expense of exercise `year` (dates from September to June). */
function expense(year: number, pj: string, amount = 4_590): LineInput {
  const n = Number(pj.replace(/\D/g, '')) || 0;
  const month = ((n % 10) + 8) % 12; // 8 = September, …, 5 = June
  const date = `${month >= 8 ? year : year + 1}-${String(month + 1).padStart(2, '0')}-${String((n % 28) + 1).padStart(2, '0')}`;
  return {
    pj,
    date,
    libelle: `Librairie Martin – facture ${pj}`,
    mode: 'cheque',
    cheque: `45${pj.replace(/\D/g, '')}`,
    action: null,
    kind: 'depense',
    account: 'banque',
    amount,
    ventilation: [{ chapter: '6180', amount }],
  };
}

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
    }),
  );
  return out;
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  let s = seed;
  const rand = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The database name for this run, and how to drop it. */
function freshDatabase(base: string): { url: string; drop(): Promise<void> } {
  const u = new URL(base.replace(/\/+$/, ''));
  const prefix = u.pathname.replace(/^\//, '') || 'cahier_test';
  const name = `${prefix}_${process.pid}_instances`;
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    url,
    async drop() {
      const t = parseDbUrl(url);
      const mysql = await import('mysql2/promise');
      const conn = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

const describeWithMysql = MYSQL_URL ? describe : describe.skip;
if (!MYSQL_URL) {
  // jest names no test of a file skipped whole: the reason is said here.
  console.info('test/production/instances.test.ts skipped: CAHIER_TEST_MYSQL_URL is not set (needs a MariaDB server).');
}

describeWithMysql('two service processes on one MariaDB database', () => {
  const db = freshDatabase(MYSQL_URL ?? 'mysql://localhost/unused');
  let instances: Instance[] = [];
  /** The mandataire on instance 0 and on instance 1, with one session. */
  let api: [Api, Api];

  beforeAll(async () => {
    await db.drop();
    // The first command creates the database and runs the migrations; the others, and both
    // services, find them done (two processes migrating an empty database at once race).
    await cli(['coop', 'add', '--number', COOP, '--name', 'École des Deux Rives', '--department', '87'], db.url);
    await Promise.all([
      cli(['user', 'add', '--login', LOGIN, '--coop', COOP, '--password-stdin'], db.url, `${PASSWORD}\n`),
      cli(['user', 'add', '--login', LOCKED_LOGIN, '--coop', COOP, '--password-stdin'], db.url, `${LOCKED_PASSWORD}\n`),
    ]);
    instances = await Promise.all([serve(db.url), serve(db.url)]);
    const session = await new Api(instances[0]!.url).login(LOGIN, PASSWORD);
    expect(session.status).toBe(201);
    const token = (session.body as { token: string }).token;
    api = [new Api(instances[0]!.url, token), new Api(instances[1]!.url, token)];
    // One exercise per case, opened alternately on each instance.
    for (const year of [2022, 2023, 2024, 2025]) {
      const r = await api[year % 2]!.request('PUT', exercisePath(year), { opening: { banque: 500_000, caisse: 0 } });
      expect(r.status).toBeLessThan(300);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...running].map((stop) => stop()));
    await db.drop();
  }, 30_000);

  test('the same 1,000-line batch replayed on both instances at once: 1,000 lines, each created once', async () => {
    const year = 2025;
    const lines = Array.from({ length: 1000 }, (_, i) => ({
      id: randomUUID(),
      line: expense(year, String(i + 1).padStart(4, '0'), 1_000 + i),
    }));
    const answers = new Map<string, string[]>(lines.map((l) => [l.id, []]));
    for (let round = 0; round < 3; round++) {
      // Same ids, same content; each instance gets its own order.
      const replies = await Promise.all([
        api[0].request('POST', `${exercisePath(year)}/sync`, { lines: shuffled(lines, 2 * round + 1) }),
        api[1].request('POST', `${exercisePath(year)}/sync`, { lines: shuffled(lines, 2 * round + 2) }),
      ]);
      for (const r of replies) {
        expect(r.status).toBe(200);
        for (const x of r.body.results as { id: string; result: string; line: { version: number } }[]) {
          answers.get(x.id)!.push(x.result);
          expect(x.line).toMatchObject({ id: x.id, version: 1 });
        }
      }
    }
    // Each line: one "stored" (on whichever instance got there first), every other answer "unchanged".
    const perLine = [...answers.values()].map((a) => a.slice().sort().join(','));
    expect(new Set(perLine)).toEqual(new Set(['stored,unchanged,unchanged,unchanged,unchanged,unchanged']));

    for (const side of api) {
      const list = await side.request('GET', linesPath(year));
      expect(list.status).toBe(200);
      expect(list.body.lines).toHaveLength(1000);
      expect(new Set(list.body.lines.map((l: { id: string }) => l.id))).toEqual(new Set(lines.map((l) => l.id)));
      expect(
        list.body.lines.every((l: { version: number; status: string }) => l.version === 1 && l.status === 'validated'),
      ).toBe(true);
    }
    const histories = await inParallel(lines, 16, (l, i) =>
      api[i % 2]!.request('GET', `${linesPath(year)}/${l.id}/history`),
    );
    const actions = histories.map((h) => (h.body as { action: string }[]).map((x) => x.action).join(','));
    expect(histories.every((h) => h.status === 200)).toBe(true);
    expect(new Set(actions)).toEqual(new Set(['create']));
  }, 60_000);

  test('50 writers of one line with the same If-Match, on both instances: one 200, 49 × 412 with the current line', async () => {
    const year = 2022;
    const id = randomUUID();
    expect((await api[0].request('PUT', `${linesPath(year)}/${id}`, expense(year, '600', 100))).status).toBe(201);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api[i % 2]!.request('PUT', `${linesPath(year)}/${id}`, expense(year, '600', 1_000 + i), { 'If-Match': '"1"' }),
      ),
    );
    const won = replies.filter((r) => r.status === 200);
    const lost = replies.filter((r) => r.status === 412);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    const winner = won[0]!.body as { amount: number; version: number };
    expect(winner.version).toBe(2);
    for (const r of lost) {
      expect(r.body.code).toBe('version_perimee');
      expect(r.body.current).toMatchObject({ id, version: 2, amount: winner.amount });
    }
    for (const side of api) {
      const stored = await side.request('GET', `${linesPath(year)}/${id}`);
      expect(stored.body).toMatchObject({ version: 2, amount: winner.amount });
      expect(stored.headers.get('etag')).toBe('"2"');
    }
    const history = await api[1].request('GET', `${linesPath(year)}/${id}/history`);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['create', 'replace']);
  });

  test('duplicates sent at once on both instances: every copy its own PJ, retries harmless across instances', async () => {
    const year = 2023;
    const source = randomUUID();
    expect((await api[0].request('PUT', `${linesPath(year)}/${source}`, expense(year, '001'))).status).toBe(201);
    const copies = Array.from({ length: 40 }, () => randomUUID());
    // Each copy is asked on one instance; the first ten are also retried on the other at the same time.
    const requests = [
      ...copies.map((copy, i) => ({ copy, side: i % 2 })),
      ...copies.slice(0, 10).map((copy, i) => ({ copy, side: (i + 1) % 2 })),
    ];
    const replies = await Promise.all(
      shuffled(requests, 7).map(async ({ copy, side }) => ({
        copy,
        reply: await api[side]!.request('POST', `${linesPath(year)}/${source}/duplicate`, { id: copy }),
      })),
    );
    expect(replies.every((r) => r.reply.status === 200 || r.reply.status === 201)).toBe(true);
    const pjOf = new Map<string, Set<string>>();
    for (const { copy, reply } of replies) {
      expect(reply.body).toMatchObject({ id: copy, version: 1, status: 'validated' });
      pjOf.set(copy, (pjOf.get(copy) ?? new Set()).add(reply.body.pj as string));
    }
    // One creation per copy: a retry answers 200 with the same line.
    for (const copy of copies) {
      const statuses = replies.filter((r) => r.copy === copy).map((r) => r.reply.status);
      expect(statuses.sort()).toEqual(copies.indexOf(copy) < 10 ? [200, 201] : [201]);
      expect(pjOf.get(copy)!.size).toBe(1);
    }
    const pjs = copies.map((c) => [...pjOf.get(c)!][0]!);
    expect(new Set(pjs).size).toBe(copies.length);
    expect(pjs).not.toContain('001');

    // A copy asked on both instances was made once.
    for (const copy of copies.slice(0, 10)) {
      const history = await api[0].request('GET', `${linesPath(year)}/${copy}/history`);
      expect(history.body.map((h: { action: string }) => h.action)).toEqual(['duplicate']);
    }
    const list = await api[1].request('GET', linesPath(year));
    const live = list.body.lines as { id: string; pj: string; status: string }[];
    expect(live).toHaveLength(1 + copies.length);
    expect(new Set(live.map((l) => l.pj)).size).toBe(live.length);
    expect(live.every((l) => l.status === 'validated')).toBe(true);
  });

  test('readers following `since` while switching instance see every acknowledged change', async () => {
    const year = 2024;
    const WRITERS_PER_INSTANCE = 4;
    const DURATION_MS = 6_000;
    const JOINERS = 4;
    /** What the writers were told, per line: the version stored, or deleted. */
    const acknowledged = new Map<string, { version: number; deleted: boolean }>();
    const failures: string[] = [];
    let writing = true;
    let pjCounter = 0;

    const writer = async (side: Api, w: number) => {
      const mine: { id: string; version: number; line: LineInput }[] = [];
      for (let n = 0; writing; n++) {
        if (n % 6 === 5 && mine.length) {
          // Correct a line of mine.
          const target = mine[mine.length - 1]!;
          const line = {
            ...target.line,
            amount: target.line.amount + 1,
            ventilation: [{ chapter: '6180', amount: target.line.amount + 1 }],
          };
          const r = await side.request('PUT', `${linesPath(year)}/${target.id}`, line, {
            'If-Match': `"${target.version}"`,
          });
          if (r.status !== 200) failures.push(`replace → ${r.status}`);
          else {
            target.version = r.body.version;
            target.line = line;
            acknowledged.set(target.id, { version: r.body.version, deleted: false });
          }
        } else if (n % 9 === 8 && mine.length > 1) {
          // Delete my oldest line.
          const target = mine.shift()!;
          const r = await side.request('DELETE', `${linesPath(year)}/${target.id}`, undefined, {
            'If-Match': `"${target.version}"`,
          });
          if (r.status !== 200) failures.push(`delete → ${r.status}`);
          else acknowledged.set(target.id, { version: r.body.version, deleted: true });
        } else if (n % 4 === 3) {
          // A small batch through sync.
          const entries = Array.from({ length: 5 }, () => ({
            id: randomUUID(),
            line: expense(year, String(10_000 + ++pjCounter)),
          }));
          const r = await side.request('POST', `${exercisePath(year)}/sync`, { lines: entries });
          if (r.status !== 200 || r.body.counts.stored !== entries.length) failures.push(`sync → ${r.status}`);
          else {
            for (const e of entries) {
              mine.push({ id: e.id, version: 1, line: e.line });
              acknowledged.set(e.id, { version: 1, deleted: false });
            }
          }
        } else {
          const id = randomUUID();
          const line = expense(year, String(10_000 + ++pjCounter));
          const r = await side.request('PUT', `${linesPath(year)}/${id}`, line);
          if (r.status !== 201) failures.push(`create → ${r.status}`);
          else {
            mine.push({ id, version: 1, line });
            acknowledged.set(id, { version: 1, deleted: false });
          }
        }
      }
      return w;
    };

    type Copy = Map<string, { version: number; deleted: boolean }>;
    /** A client's copy of the exercise, built only from what the lines endpoint answered. */
    const reader = () => {
      const copy: Copy = new Map();
      const seen = new Set<string>();
      let cursor: string | null = null;
      let polls = 0;
      /** One request to `side`: the full listing first when `full`, else `?since=` the cursor (0 at first). */
      const poll = async (side: Api, full = false) => {
        const r = await side.request('GET', full ? linesPath(year) : `${linesPath(year)}?since=${cursor ?? '0'}`);
        expect(r.status).toBe(200);
        expect(Number(r.body.cursor)).toBeGreaterThanOrEqual(Number(cursor ?? '0'));
        for (const l of r.body.lines as { id: string; version: number }[]) {
          seen.add(l.id);
          copy.set(l.id, { version: l.version, deleted: false });
        }
        for (const t of (r.body.tombstones ?? []) as { id: string; version: number }[]) {
          seen.add(t.id);
          copy.set(t.id, { version: t.version, deleted: true });
        }
        cursor = r.body.cursor as string;
        polls++;
      };
      return {
        copy,
        seen,
        poll,
        get cursor() {
          return cursor;
        },
        get polls() {
          return polls;
        },
      };
    };
    const live = (copy: Copy) =>
      Object.fromEntries([...copy].filter(([, v]) => !v.deleted).map(([id, v]) => [id, v.version]));

    const writers = Promise.all(Array.from({ length: 2 * WRITERS_PER_INSTANCE }, (_, w) => writer(api[w % 2]!, w)));
    const stop = sleep(DURATION_MS).then(() => (writing = false));
    // One reader follows `since` from the start; others join along the way with the full
    // listing, then follow its cursor. Each switches instance at every request.
    const fromStart = reader();
    const joiners = Array.from({ length: JOINERS }, reader);
    await Promise.all([
      (async () => {
        while (writing) await fromStart.poll(api[fromStart.polls % 2]!);
      })(),
      ...joiners.map(async (joining, j) => {
        await sleep(((j + 1) * DURATION_MS) / (JOINERS + 2));
        await joining.poll(api[j % 2]!, true);
        while (writing) await joining.poll(api[(joining.polls + j) % 2]!);
      }),
    ]);
    await Promise.all([stop, writers]);
    // Every writer has its answers: one more poll on each instance catches the rest.
    for (const r of [fromStart, ...joiners]) {
      await r.poll(api[0]);
      await r.poll(api[1]);
    }

    expect(failures).toEqual([]);
    // The race did happen: many changes, and many polls while they were written.
    expect(acknowledged.size).toBeGreaterThan(50);
    expect(fromStart.polls).toBeGreaterThan(10);
    // None skipped: every line ever acknowledged was seen, in the state the writers were told last.
    expect([...acknowledged.keys()].filter((id) => !fromStart.seen.has(id))).toEqual([]);
    expect(Object.fromEntries(fromStart.copy)).toEqual(Object.fromEntries(acknowledged));
    // The readers that joined hold every live line, as acknowledged.
    for (const joining of joiners) expect(live(joining.copy)).toEqual(live(acknowledged));
    // The copy is what a full listing shows now, and every reader ends at its cursor.
    const full = await api[0].request('GET', linesPath(year));
    const listed = Object.fromEntries(
      (full.body.lines as { id: string; version: number }[]).map((l) => [l.id, l.version]),
    );
    expect(live(fromStart.copy)).toEqual(listed);
    for (const r of [fromStart, ...joiners]) expect(r.cursor).toBe(full.body.cursor);
  }, 30_000);

  // Every attempt comes from 127.0.0.1: the failures of these tests (15) stay under the
  // address's own limit (LOCKOUT.perAddress), so only the login's limit is measured.
  describe('the login lockout, counted in the database', () => {
    const attempt = (side: number, login: string, password: string) =>
      new Api(instances[side]!.url).login(login, password);

    const expectLocked = (r: Reply) => {
      expect(r.status).toBe(429);
      expect(r.body.code).toBe('connexion_bloquee');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(LOCKOUT.windowMinutes * 60);
    };

    test(`failed logins alternated between the instances: locked after ${LOCKOUT.perLogin}, as on one instance, and locked on both`, async () => {
      /** Wrong passwords until the first 429: the number of 401 before it. */
      const failuresBeforeLock = async (login: string, sideOf: (i: number) => number) => {
        for (let i = 0; i < 3 * LOCKOUT.perLogin; i++) {
          const r = await attempt(sideOf(i), login, `mauvais-mot-${i}`);
          if (r.status === 429) return i;
          expect(r.status).toBe(401);
        }
        return Infinity;
      };
      // On one instance (a login that does not exist is counted the same way)...
      const single = await failuresBeforeLock('inconnu.seul', () => 0);
      // ...and alternating between the two.
      const alternating = await failuresBeforeLock(LOCKED_LOGIN, (i) => i % 2);
      expect(single).toBe(LOCKOUT.perLogin);
      expect(alternating).toBe(single);
      // The right password is refused on both.
      expectLocked(await attempt(0, LOCKED_LOGIN, LOCKED_PASSWORD));
      expectLocked(await attempt(1, LOCKED_LOGIN, LOCKED_PASSWORD));
      // Another login from the same address still gets in.
      expect((await attempt(1, LOGIN, PASSWORD)).status).toBe(201);
    });

    test('failed logins sent at once to both instances: no more checks than on one', async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => attempt(i % 2, 'inconnu.rafale', `mauvais-mot-${i}`)),
      );
      expect(answers.filter((a) => a.status === 401)).toHaveLength(LOCKOUT.perLogin);
      const refused = answers.filter((a) => a.status === 429);
      expect(refused).toHaveLength(20 - LOCKOUT.perLogin);
      for (const r of refused) expectLocked(r);
    });
  });
});
