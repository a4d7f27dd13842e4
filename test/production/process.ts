/**
 * The service as it runs in production: `bin/cahier.js serve` in its own process, the database
 * in DATABASE_URL. Starts it, reads its address from its start line, signals it, waits for its
 * exit; gives each test a fresh database (SQLite file, or a MariaDB database dropped after) with
 * one cooperative, its treasurer and an open exercise; and a small HTTP client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import type { LineInput } from '../../templates/definition';
import { dropMysqlDatabase } from '../fixtures/databases';

export { dropMysqlDatabase };

export const ROOT = join(__dirname, '../..');
export const BIN = join(ROOT, 'bin/cahier.js');

export type Dialect = 'sqlite' | 'mysql';

/** SQLite always; MariaDB too when CAHIER_TEST_MYSQL_URL is set. */
export const DIALECTS: Dialect[] = ['sqlite', ...(process.env.CAHIER_TEST_MYSQL_URL ? ['mysql' as const] : [])];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  /** The address printed on the start line: "Cahier Coop : service démarré sur URL (base …)." */
  url: string;
  /** Everything the process wrote so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has ended. */
  exited: Promise<Exit>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

const running = new Set<ChildProcess>();

/** Kills (SIGKILL) every service started here and still running: for a suite's afterAll, so a failed test leaves nothing behind. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((ok) => {
          if (child.exitCode !== null || child.signalCode !== null) return ok();
          child.once('exit', () => ok());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/**
 * `cahier serve --port 0 …args` with DATABASE_URL; resolves once the start line is printed
 * (rejects with the process's output if it ends before).
 */
export function serve(dbUrl: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, DATABASE_URL: dbUrl },
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-200_000)));
  const exited = new Promise<Exit>((ok) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      ok({ code, signal });
    }),
  );
  return new Promise((ok, ko) => {
    const onData = () => {
      const m = /service démarré sur (http:\/\/\S+) /.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      ok({
        child,
        pid: child.pid!,
        url: m[1]!,
        stdout: () => out,
        stderr: () => err,
        exited,
        stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((e) =>
      ko(new Error(`cahier serve s’est arrêté (${e.code ?? e.signal}) avant de démarrer :\n${out}\n${err}`)),
    );
  });
}

/** `cahier …args` to its end, with DATABASE_URL. */
export function runCli(
  args: string[],
  dbUrl: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: dbUrl },
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code, signal) => ok({ code, signal, out, err }));
  });
}

export interface TestDatabase {
  dialect: Dialect;
  url: string;
  /** Removes the file or drops the database. */
  drop(): Promise<void>;
}

let counter = 0;

/**
 * A fresh, empty database: a SQLite file in a temporary folder, or a MariaDB database
 * `<prefix>_<label>_<pid>_<n>` on the server of `mysqlBase` (default: CAHIER_TEST_MYSQL_URL).
 */
export async function freshDatabase(
  dialect: Dialect,
  label = 'prod',
  mysqlBase = process.env.CAHIER_TEST_MYSQL_URL,
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), `cahier-${label}-`));
    return {
      dialect,
      url: `sqlite:${join(dir, 'cahier.sqlite')}`,
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (!mysqlBase) throw new Error('MariaDB : aucune adresse (CAHIER_TEST_MYSQL_URL)');
  const u = new URL(mysqlBase.replace(/\/+$/, ''));
  const prefix = u.pathname.replace(/^\//, '') || 'cahier_test';
  u.pathname = `/${prefix}_${label}_${process.pid}_${++counter}`;
  return { dialect, url: u.toString(), drop: () => dropMysqlDatabase(u.toString()) };
}

/** The cooperative, its mandataire and the open exercise every test writes to. */
export const COOP = { number: '087-0777', login: 'tresoriere.ecole', password: 'production-essai-1', year: 2025 };

/** Migrates the database and adds the cooperative, its mandataire and the open exercise 2025. */
export async function seedCoop(dbUrl: string): Promise<void> {
  const db = await openDb(dbUrl);
  try {
    await migrate(db);
    const coop = await addCoop(db, { number: COOP.number, name: 'École des Tilleuls', department: '87' });
    await addUser(db, { login: COOP.login, password: COOP.password, coop: COOP.number });
    await openExercise(db, coop.id, COOP.year, { banque: 100_000, caisse: 5_000 });
  } finally {
    await db.close();
  }
}

/** A valid bank expense; `n` makes its PJ and cheque number unique. */
export function expense(n: number, amount = 4_590): LineInput {
  return {
    pj: `P${String(n).padStart(6, '0')}`,
    date: '2025-10-01',
    libelle: `Librairie Martin – facture ${n}`,
    mode: 'cheque',
    cheque: String(4_500_000 + n),
    action: null,
    kind: 'depense',
    account: 'banque',
    amount,
    ventilation: [{ chapter: '6180', amount }],
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** What fetch gives for one request, or the network error (connection refused or reset). */
export type Outcome = Answer | { error: string };

/** The treasurer's client: logs in, PUTs lines, syncs batches, reads back. */
export class Treasurer {
  /** The session's bearer token, once logged in. */
  token = '';
  constructor(public base: string) {}

  get lines(): string {
    return `/api/coops/${COOP.number}/exercises/${COOP.year}/lines`;
  }

  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Answer> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* kept as text */
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** Like request, but a network error is an outcome, not a throw (the service may be going away). */
  async attempt(method: string, path: string, body?: unknown): Promise<Outcome> {
    try {
      return await this.request(method, path, body);
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return { error: cause?.code ?? cause?.message ?? (e as Error).message };
    }
  }

  async login(): Promise<this> {
    const r = await this.request('POST', '/api/session', { login: COOP.login, password: COOP.password });
    if (r.status !== 201) throw new Error(`connexion refusée : ${r.status} ${JSON.stringify(r.body)}`);
    this.token = (r.body as { token: string }).token;
    return this;
  }

  put(id: string, line: LineInput): Promise<Outcome> {
    return this.attempt('PUT', `${this.lines}/${id}`, line);
  }

  sync(entries: { id: string; line: LineInput }[]): Promise<Outcome> {
    return this.attempt('POST', `/api/coops/${COOP.number}/exercises/${COOP.year}/sync`, { lines: entries });
  }

  /** Every live line of the exercise, by id. */
  async all(): Promise<Map<string, { pj: string; amount: number; version: number }>> {
    const r = await this.request('GET', this.lines);
    if (r.status !== 200) throw new Error(`lecture refusée : ${r.status} ${JSON.stringify(r.body)}`);
    const lines = (r.body as { lines: { id: string; pj: string; amount: number; version: number }[] }).lines;
    return new Map(lines.map((l) => [l.id, l]));
  }
}

export const uuid = () => randomUUID();

export const isAnswer = (o: Outcome): o is Answer => 'status' in o;
