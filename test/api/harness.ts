/**
 * A real service for the API tests: SQLite always, MySQL/MariaDB too when
 * CAHIER_TEST_MYSQL_URL is set (a fresh database per suite, dropped after).
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LineInput } from '../../templates/definition';
import { dropMysqlDatabase } from '../fixtures/databases';
import { addCoop, addUser, openExercise, setExerciseStatus } from '../../server/operations/accounts';
import { startService, type RunningService, type ServiceOptions } from '../../server/service';

export interface DbKind {
  name: 'sqlite' | 'mysql';
}

export const DATABASES: DbKind[] = [
  { name: 'sqlite' },
  ...(process.env.CAHIER_TEST_MYSQL_URL ? [{ name: 'mysql' as const }] : []),
];

let counter = 0;

export interface TestService extends RunningService {
  stop(): Promise<void>;
}

export async function startTestService(kind: DbKind, options: Partial<ServiceOptions> = {}): Promise<TestService> {
  let dbUrl: string;
  let cleanup: () => Promise<void>;
  if (kind.name === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-api-'));
    dbUrl = `sqlite:${join(dir, 'cahier.sqlite')}`;
    cleanup = () => rm(dir, { recursive: true, force: true });
  } else {
    const base = process.env.CAHIER_TEST_MYSQL_URL!.replace(/\/+$/, '');
    const u = new URL(base);
    const prefix = u.pathname.replace(/^\//, '') || 'cahier_test';
    const name = `${prefix}_${process.pid}_${++counter}`;
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    cleanup = () => dropMysqlDatabase(dbUrl);
  }
  const service = await startService({ dbUrl, port: 0, sessionHours: 1, ...options });
  return {
    ...service,
    async stop() {
      await service.close();
      await cleanup();
    },
  };
}

/**
 * Two departments, three coops, a user per role. Coop A has an open exercise 2025 and a closed
 * 2024; coops B and C an open 2025.
 */
export const WORLD = {
  coops: { A: '087-0001', B: '087-0002', C: '023-0001' },
  password: 'mot-de-passe-1',
  logins: {
    mA: 'mandataire.A',
    mB: 'mandataire.B',
    mC: 'mandataire.C',
    t87: 'tresorier.87',
    t23: 'tresorier.23',
    admin: 'admin.dep',
  },
} as const;

export async function seedWorld(service: RunningService): Promise<void> {
  const db = service.db;
  const { coops, logins, password } = WORLD;
  const a = await addCoop(db, { number: coops.A, name: 'École A', department: '87' });
  const b = await addCoop(db, { number: coops.B, name: 'École B', department: '87' });
  const c = await addCoop(db, { number: coops.C, name: 'École C', department: '23' });
  await Promise.all([
    addUser(db, { login: logins.mA, password, coop: coops.A }),
    addUser(db, { login: logins.mB, password, coop: coops.B }),
    addUser(db, { login: logins.mC, password, coop: coops.C }),
    addUser(db, { login: logins.t87, password, department: '87' }),
    addUser(db, { login: logins.t23, password, department: '23' }),
    addUser(db, { login: logins.admin, password, role: 'admin' }),
  ]);
  for (const coop of [a, b, c]) await openExercise(db, coop.id, 2025, { banque: 100_000, caisse: 5_000 });
  const closed = await openExercise(db, a.id, 2024, { banque: 90_000, caisse: 4_000 });
  await setExerciseStatus(db, closed.id, 'closed');
}

export interface Response<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class Client {
  token: string | null = null;
  constructor(readonly base: string) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response<T>> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        // A FormData sets its own multipart content type (with its boundary).
        ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body:
        body === undefined
          ? undefined
          : typeof body === 'string' || body instanceof FormData
            ? body
            : body instanceof Uint8Array
              ? new Blob([new Uint8Array(body)])
              : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: kept as text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async login(login: string, password: string = WORLD.password): Promise<Client> {
    const r = await this.request<{ token: string }>('POST', '/api/session', { login, password });
    if (r.status !== 201) throw new Error(`connexion de ${login} refusée : ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.token;
    return this;
  }

  linesPath(coop: string, year = 2025): string {
    return `/api/coops/${coop}/exercises/${year}/lines`;
  }

  put(coop: string, id: string, line: unknown, version?: number, year = 2025) {
    return this.request(
      'PUT',
      `${this.linesPath(coop, year)}/${id}`,
      line,
      version === undefined ? {} : { 'If-Match': `"${version}"` },
    );
  }
}

export async function loggedIn(service: RunningService, login: string): Promise<Client> {
  return new Client(service.url).login(login);
}

export const uuid = () => randomUUID();

/** A valid bank expense of the 2025 exercise. */
export function expense(pj: string, amount = 4590, extra: Partial<LineInput> = {}): LineInput {
  return {
    pj,
    date: '2025-09-15',
    libelle: `Librairie Martin – facture ${pj}`,
    mode: 'cheque',
    cheque: `45${pj}`,
    action: null,
    kind: 'depense',
    account: 'banque',
    amount,
    ventilation: [{ chapter: '6180', amount }],
    ...extra,
  };
}

/** A request sent exactly as written (fetch would normalise a malformed path). */
export function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  const u = new URL(base);
  return new Promise((ok, ko) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* kept as text */
        }
        ok({ status: res.statusCode!, headers: res.headers, body: parsed });
      });
    });
    req.on('error', ko);
    req.end(body);
  });
}
