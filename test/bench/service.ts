/**
 * The service under load, beside the raw database driver in the same run:
 * - PUT of one new line, 32 connections (autocannon), against the driver's single-row
 *   transactional insert (BEGIN; INSERT; COMMIT) into a table of the same shape;
 * - a 2,000-line sync batch against the driver's bulk insert of the same rows in one transaction.
 * The service runs in its own process, as in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { openDb, parseDbUrl } from '../../server/db/connect';
import { dropMysqlDatabase } from '../fixtures/databases';
import { addCoop, addUser } from '../../server/operations/accounts';
import { generateYear } from '../../server/demo/year';
import type { LineInput } from '../../templates/definition';

export interface ServiceBenchResult {
  dialect: 'sqlite' | 'mysql';
  /** Processes of the service (`--workers`). */
  workers: number;
  /** 32 connections writing into one coop's exercise. */
  put: PutFigures;
  /** 32 connections, each writing into its own coop (32 coops, 32 treasurers). */
  putSpread: PutFigures;
  rawInsert: { rps: number };
  batch: { ms: number };
  rawBulk: { ms: number };
}

/** The product measured: this checkout (another build can be named, to measure a lever by its commit). */
const ROOT = process.env.CAHIER_BENCH_ROOT ?? join(__dirname, '../..');
const CONNECTIONS = 32;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

/** The CLI, with the database in DATABASE_URL (never a password in the arguments) and `input` on stdin. */
function cli(args: string[], dbUrl: string, input?: string): Promise<void> {
  return new Promise((ok, ko) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/cahier.js'), ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
      env: { ...process.env, DATABASE_URL: dbUrl },
    });
    if (input !== undefined) p.stdin!.end(input);
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? ok() : ko(new Error(`cahier ${args.join(' ')} : ${err}`))));
  });
}

function serve(dbUrl: string, workers: number): Promise<{ child: ChildProcess; url: string }> {
  const args = ['serve', '--port', '0', ...(workers > 1 ? ['--workers', String(workers)] : [])];
  // As in production: compiled by `npm run bench` (npm run build), logs at info.
  const { CAHIER_SOURCES: _sources, ...env } = process.env;
  const child = spawn(process.execPath, [join(ROOT, 'bin/cahier.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...env, DATABASE_URL: dbUrl, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  });
  return new Promise((ok, ko) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /service démarré sur (http:\/\/\S+) /.exec(out);
      if (!m) return;
      // The log lines that follow are read and dropped.
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      ok({ child, url: m[1]! });
    };
    child.stdout!.on('data', onData);
    child.once('exit', () => ko(new Error(`le service s’est arrêté : ${out}`)));
  });
}

async function json(url: string, method: string, body: unknown, token?: string): Promise<any> {
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`${method} ${url} → ${r.status} ${await r.text()}`);
  return r.json();
}

const line = (n: number): LineInput => ({
  pj: String(n).padStart(6, '0'),
  date: '2025-10-01',
  libelle: `Librairie Martin – facture ${n}`,
  mode: 'cheque',
  cheque: String(4_500_000 + n),
  action: null,
  kind: 'depense',
  account: 'banque',
  amount: 4_590,
  ventilation: [{ chapter: '6180', amount: 4_590 }],
});

/** A row of the lines table, as the raw driver inserts it. */
function rawRow(exerciseId: number, n: number): unknown[] {
  const l = line(n);
  const now = new Date();
  return [
    randomUUID(),
    exerciseId,
    1,
    'validated',
    0,
    n,
    l.pj,
    l.date,
    l.libelle,
    l.mode,
    l.cheque,
    null,
    l.kind,
    l.account,
    l.amount,
    JSON.stringify(l.ventilation),
    '[]',
    0,
    now,
    now,
  ];
}
const RAW_COLUMNS =
  'id, exercise_id, version, status, deleted, seq, pj, date, libelle, mode, cheque, action, kind, account, amount, ventilation, problems, pointed, created_at, updated_at';

interface RawDriver {
  /** Single-row transactional inserts for `seconds`, `concurrency` at once; rows per second. */
  insertRate(seconds: number, concurrency: number): Promise<number>;
  /** One transaction inserting `count` rows; milliseconds. */
  bulk(count: number): Promise<number>;
  close(): Promise<void>;
}

async function sqliteRaw(file: string): Promise<RawDriver> {
  const sqlite3 = (await import('sqlite3')).default;
  const db = new sqlite3.Database(file);
  const run = (sql: string, params: unknown[] = []) =>
    new Promise<void>((ok, ko) => db.run(sql, params, (e: Error | null) => (e ? ko(e) : ok())));
  await run('PRAGMA journal_mode = WAL');
  await run('DROP TABLE IF EXISTS raw_lines');
  await run('CREATE TABLE raw_lines AS SELECT * FROM lines WHERE 0');
  const insert = `INSERT INTO raw_lines (${RAW_COLUMNS}) VALUES (${RAW_COLUMNS.split(',')
    .map(() => '?')
    .join(',')})`;
  let n = 1_000_000;
  return {
    // SQLite has one writer: the driver's best is one transaction after another.
    async insertRate(seconds) {
      const end = Date.now() + seconds * 1000;
      let count = 0;
      while (Date.now() < end) {
        await run('BEGIN IMMEDIATE');
        await run(insert, rawRow(1, n++));
        await run('COMMIT');
        count++;
      }
      return count / seconds;
    },
    async bulk(count) {
      const t = performance.now();
      await run('BEGIN IMMEDIATE');
      const stmt = db.prepare(insert);
      for (let i = 0; i < count; i++) {
        await new Promise<void>((ok, ko) => stmt.run(rawRow(1, n++), (e: Error | null) => (e ? ko(e) : ok())));
      }
      await new Promise<void>((ok) => stmt.finalize(() => ok()));
      await run('COMMIT');
      return performance.now() - t;
    },
    close: () => new Promise<void>((ok) => db.close(() => ok())),
  };
}

async function mysqlRaw(url: string): Promise<RawDriver> {
  const t = parseDbUrl(url);
  const mysql = await import('mysql2/promise');
  const pool = mysql.createPool({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    connectionLimit: CONNECTIONS,
  });
  await pool.query('DROP TABLE IF EXISTS raw_lines');
  await pool.query('CREATE TABLE raw_lines LIKE `lines`');
  const insert = `INSERT INTO raw_lines (${RAW_COLUMNS}) VALUES (?)`;
  let n = 1_000_000;
  return {
    async insertRate(seconds, concurrency) {
      const end = Date.now() + seconds * 1000;
      let count = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          const conn = await pool.getConnection();
          try {
            while (Date.now() < end) {
              await conn.beginTransaction();
              await conn.query(insert, [rawRow(1, n++)]);
              await conn.commit();
              count++;
            }
          } finally {
            conn.release();
          }
        }),
      );
      return count / seconds;
    },
    async bulk(count) {
      const conn = await pool.getConnection();
      try {
        const rows = Array.from({ length: count }, () => rawRow(1, n++));
        const start = performance.now();
        await conn.beginTransaction();
        await conn.query(`INSERT INTO raw_lines (${RAW_COLUMNS}) VALUES ?`, [rows]);
        await conn.commit();
        return performance.now() - start;
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}

export interface PutFigures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

interface PutTarget {
  /** Path of the exercise's lines, ending with a slash. */
  base: string;
  token: string;
}

/** New lines PUT for DURATION seconds by 32 connections, the requests going round the targets. */
async function putLoad(url: string, targets: PutTarget[]): Promise<PutFigures> {
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: 'PUT',
        setupRequest: (req) => {
          n++;
          const target = targets[n % targets.length]!;
          return {
            ...req,
            path: `${target.base}${randomUUID()}`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
            body: JSON.stringify(line(n)),
          };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchService(
  dialect: 'sqlite' | 'mysql',
  mysqlBase?: string,
  workers = 1,
): Promise<ServiceBenchResult> {
  let dbUrl: string;
  let cleanup: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-bench-'));
    dbUrl = `sqlite:${join(dir, 'bench.sqlite')}`;
    cleanup = () => rm(dir, { recursive: true, force: true });
  } else {
    const u = new URL(mysqlBase!);
    u.pathname = `/cahier_bench_${process.pid}_${workers}`;
    dbUrl = u.toString();
    cleanup = () => dropMysqlDatabase(dbUrl);
  }
  await cli(['coop', 'add', '--number', 'BENCH', '--name', 'Coop du banc d’essai', '--department', '87'], dbUrl);
  await cli(['user', 'add', '--login', 'banc', '--password-stdin', '--coop', 'BENCH'], dbUrl, 'banc-essai-1\n');
  // 32 more coops of the department, each with its treasurer.
  const db = await openDb(dbUrl);
  try {
    for (let i = 1; i <= CONNECTIONS; i++) {
      const number = `BENCH-${String(i).padStart(2, '0')}`;
      await addCoop(db, { number, name: `Coop ${i} du banc d’essai`, department: '87' });
      await addUser(db, { login: `banc${i}`, password: 'banc-essai-1', coop: number });
    }
  } finally {
    await db.close();
  }
  const { child, url } = await serve(dbUrl, workers);
  try {
    const { token } = await json(`${url}/api/session`, 'POST', { login: 'banc', password: 'banc-essai-1' });
    await json(`${url}/api/coops/BENCH/exercises/2025`, 'PUT', { opening: { banque: 100_000, caisse: 0 } }, token);
    await json(`${url}/api/coops/BENCH/exercises/2024`, 'PUT', { opening: { banque: 100_000, caisse: 0 } }, token);

    // PUT one line, 32 connections, all into one coop's exercise (every write waits for the
    // exercise's lock: the worst case), then spread over 32 coops (a department in September).
    const oneCoop = await putLoad(url, [{ base: '/api/coops/BENCH/exercises/2025/lines/', token }]);
    const coops: PutTarget[] = [];
    for (let i = 1; i <= CONNECTIONS; i++) {
      const coop = `BENCH-${String(i).padStart(2, '0')}`;
      const { token: t } = await json(`${url}/api/session`, 'POST', { login: `banc${i}`, password: 'banc-essai-1' });
      await json(`${url}/api/coops/${coop}/exercises/2025`, 'PUT', { opening: { banque: 100_000, caisse: 0 } }, t);
      coops.push({ base: `/api/coops/${coop}/exercises/2025/lines/`, token: t });
    }
    const spread = await putLoad(url, coops);

    // 2,000-line batches in another exercise (median of 5).
    const year = generateYear({ exercise: 2024, seed: 3, perMonth: 200 });
    const batchTimes: number[] = [];
    for (let run = 0; run < 5; run++) {
      const entries = year.lines.slice(0, 2000).map(({ pointed: _p, ...l }, i) => ({
        id: randomUUID(),
        line: { ...l, pj: `${run}-${i}` },
      }));
      const t = performance.now();
      const r = await json(`${url}/api/coops/BENCH/exercises/2024/sync`, 'POST', { lines: entries }, token);
      batchTimes.push(performance.now() - t);
      if (r.counts.stored !== 2000) throw new Error(`lot incomplet : ${JSON.stringify(r.counts)}`);
    }

    // The raw driver on the same database, same table shape, in the same run.
    const raw = dialect === 'sqlite' ? await sqliteRaw(parseDbUrl(dbUrl).storage!) : await mysqlRaw(dbUrl);
    const rawRate = await raw.insertRate(DURATION, CONNECTIONS);
    const bulkTimes: number[] = [];
    for (let run = 0; run < 5; run++) bulkTimes.push(await raw.bulk(2000));
    await raw.close();

    return {
      dialect,
      workers,
      put: oneCoop,
      putSpread: spread,
      rawInsert: { rps: rawRate },
      batch: { ms: median(batchTimes) },
      rawBulk: { ms: median(bulkTimes) },
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((ok) => child.once('exit', ok));
    await cleanup();
  }
}
