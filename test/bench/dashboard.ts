/**
 * The department's dashboard at scale: 1,000 coops of one department, 500 lines each (500,000
 * lines), stored by raw bulk inserts of rows shaped as the service writes them (validated lines
 * and a few drafts, bank lines pointed or not, arrêtés de caisse, imported statements, statement
 * balances entered in the coops' data, closed exercises with their compte rendu archived), then
 * GET /api/departments/69/dashboard on a running service:
 * - all stale: no snapshot at all (the first call checks every open exercise and stores it), and
 *   again with every snapshot made invalid;
 * - fresh: every snapshot valid (the median of several calls), against the 2 s target.
 * On SQLite, and on MariaDB (CAHIER_BENCH_MYSQL_URL, else CAHIER_TEST_MYSQL_URL, else the local
 * server; a database of its own, dropped after). Alone: `npx tsx test/bench/dashboard.ts`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import type { Db } from '../../server/db/connect';
import { addUser, COMMAND_LINE_PRINCIPAL, ensureDepartment } from '../../server/operations/accounts';
import { departmentDashboard } from '../../server/operations/dashboard';
import { insertRows } from '../../server/operations/changes';
import { startService } from '../../server/service';
import { dropMysqlDatabase } from '../fixtures/databases';
import { median } from './measure';

const COOPS = Number(process.env.BENCH_DASHBOARD_COOPS ?? 1_000);
const LINES = Number(process.env.BENCH_DASHBOARD_LINES ?? 500);
const RUNS = 5;
const PASSWORD = 'mot-de-passe-banc';

export interface DashboardBenchResult {
  dialect: 'sqlite' | 'mysql';
  coops: number;
  lines: number;
  /** ms to store the rows by bulk inserts. */
  generate: number;
  /** ms of the first GET: no snapshot, every open exercise checked and stored. */
  missing: number;
  /** ms of a GET with every snapshot invalid. */
  stale: number;
  /** Median ms of GET with every snapshot valid. */
  fresh: number;
  /** Size of the JSON answered, bytes. */
  bytes: number;
}

const step = (what: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${what}\n`);

/** Inserts rows (objects keyed by the model's attributes) by multi-row INSERTs of bound values, in one transaction. */
async function bulk(db: Db, model: Parameters<typeof insertRows>[2], rows: readonly object[]): Promise<void> {
  await db.write((t) => insertRows(db, t, model, rows));
}

/** The department's rows, as the service would have written them. */
export async function generate(db: Db): Promise<void> {
  const now = new Date();
  const m = db.models;
  await ensureDepartment(db, '69', 'Rhône');
  const coops = Array.from({ length: COOPS }, (_, i) => {
    const c = i + 1;
    // One coop in three entered its statement of 31 August by hand.
    const admin = c % 3 === 0 ? JSON.stringify({ lastStatement: { date: '2026-08-31', balance: 250_000 + c } }) : null;
    return {
      number: `069-${String(c).padStart(4, '0')}`,
      name: `École ${c}`,
      school: c % 2 ? `Groupe scolaire ${c}` : null,
      departmentCode: '69',
      admin,
    };
  });
  await bulk(db, m.Coop, coops);
  const ids = await db.sequelize.query<{ id: number }>(
    `SELECT id FROM coops WHERE department_code = '69' ORDER BY number`,
    { type: QueryTypes.SELECT },
  );
  // Every coop but one in 50 (nothing opened yet) has its 2025 exercise; one in 20 is closed.
  const exercises = ids
    .filter((_, i) => i % 50 !== 49)
    .map((c, i) => ({
      coopId: c.id,
      year: 2025,
      status: i % 20 === 7 ? 'closed' : 'open',
      openingBanque: 250_000,
      openingCaisse: 10_000,
      lastSeq: LINES,
    }));
  await bulk(db, m.Exercise, exercises);
  const ex = await db.sequelize.query<{ id: number; coop_id: number; status: string }>(
    `SELECT e.id, e.coop_id, e.status FROM exercises e JOIN coops c ON c.id = e.coop_id WHERE c.department_code = '69'`,
    { type: QueryTypes.SELECT },
  );

  step(`${ex.length} exercices, jusqu’à ${ex.length * LINES} lignes`);
  const unbalanced = JSON.stringify([
    {
      code: 'ventilation_desequilibree',
      field: 'ventilation',
      severity: 'error',
      message: 'La ventilation ne correspond pas au montant.',
    },
  ]);
  let batch: object[] = [];
  for (const [n, e] of ex.entries()) {
    if (n % 40 === 3) continue; // opened, nothing entered yet
    for (let i = 1; i <= LINES; i++) {
      const month = Math.floor((i * 12) / (LINES + 1));
      const date = new Date(Date.UTC(2025, 8 + month, 1 + (i % 28))).toISOString().slice(0, 10);
      const receipt = i % 4 === 0;
      const caisse = i % 7 === 0;
      const amount = 500 + ((i * 37 + n) % 9_000);
      const draft = e.status === 'open' && n % 3 === 0 && i % 250 === 0;
      // Bank lines pointed, but for the last weeks' (and a few older ones, in one coop in four).
      const pointed = !caisse && !draft && (i < LINES - 20 || n % 2 === 0) && !(n % 4 === 1 && i % 100 === 0);
      batch.push({
        id: randomUUID(),
        exerciseId: e.id,
        version: 1,
        status: draft ? 'draft' : 'validated',
        deleted: false,
        seq: i,
        pj: String(i).padStart(3, '0'),
        date,
        libelle: receipt ? `Familles – participation ${i}` : `Fournisseur ${i % 40} – facture ${i}`,
        mode: caisse ? 'especes' : receipt ? 'virement' : 'cheque',
        cheque: caisse || receipt ? null : String(4_500_000 + i),
        action: null,
        kind: receipt ? 'recette' : 'depense',
        account: caisse ? 'caisse' : 'banque',
        amount,
        ventilation: JSON.stringify([{ chapter: receipt ? '7560' : '6180', amount: draft ? amount - 50 : amount }]),
        problems: draft ? unbalanced : '[]',
        pointed,
        statementLineId: null,
        holder: null,
        createdAt: now,
        updatedAt: new Date(Date.UTC(2026, 7, 1 + (n % 28), 10, i % 60)),
      });
    }
    if (batch.length >= 50_000) {
      await bulk(db, m.Line, batch);
      batch = [];
    }
  }
  await bulk(db, m.Line, batch);

  step('arrêtés de caisse, relevés, archives');
  const counts = ex
    .filter((_, i) => i % 3 !== 2)
    .map((e) => ({
      exerciseId: e.id,
      date: '2026-06-30',
      counts: JSON.stringify({ '1000': 10 }),
      total: 10_000,
      version: 1,
      updatedBy: 'banc',
      updatedAt: now,
    }));
  await bulk(db, m.CashCount, counts);
  const statements = ex
    .filter((_, i) => i % 2 === 0)
    .flatMap((e) =>
      ['2026-06-30', '2026-07-31'].map((to, k) => ({
        coopId: e.coop_id,
        exerciseId: e.id,
        format: 'ofx',
        fileName: `releve-${k}.ofx`,
        fileHash: `${randomUUID().replace(/-/g, '')}${'0'.repeat(32)}`,
        account: null,
        periodFrom: `${to.slice(0, 8)}01`,
        periodTo: to,
        openingBalance: 240_000,
        closingBalance: 241_000 + k,
        linesRead: 10,
        linesNew: 10,
        importedBy: 'banc',
        importedAt: now,
      })),
    );
  await bulk(db, m.Statement, statements);
  const archives = ex
    .filter((e) => e.status === 'closed')
    .flatMap((e) =>
      ['cloture', 'crf'].map((kind) => ({
        exerciseId: e.id,
        closing: 1,
        kind,
        format: 'json',
        name: `${kind}.json`,
        type: 'application/json',
        size: 2,
        sha256: '0'.repeat(64),
        bytes: Buffer.from('{}'),
        createdAt: now,
        createdBy: 'banc',
      })),
    );
  await bulk(db, m.Archive, archives);
  await addUser(db, { login: 'tresorier.banc', password: PASSWORD, department: '69' });
}

async function benchOn(dialect: 'sqlite' | 'mysql', url: string): Promise<DashboardBenchResult> {
  // 2 September 2026: the exercise 2025-2026 has ended, the department chases its closures.
  const service = await startService({ dbUrl: url, port: 0, sessionHours: 1, now: () => new Date(2026, 8, 2, 12) });
  try {
    step(`${dialect} : génération de ${COOPS} coopératives × ${LINES} lignes`);
    const t0 = performance.now();
    await generate(service.db);
    const generated = performance.now() - t0;
    const login = await fetch(`${service.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'tresorier.banc', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    let bytes = 0;
    const get = async () => {
      const r = await fetch(`${service.url}/api/departments/69/dashboard`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (r.status !== 200) throw new Error(`tableau de bord : ${r.status} ${await r.text()}`);
      bytes = (await r.arrayBuffer()).byteLength;
    };
    const timed = async (fn: () => Promise<void>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    step(`${dialect} : premier appel, aucun contrôle enregistré`);
    const missing = await timed(get);
    step(`${dialect} : appels, contrôles à jour`);
    const fresh = await median(get, RUNS);
    const check = await departmentDashboard(service.db, COMMAND_LINE_PRINCIPAL, {
      department: '69',
      exercise: 2025,
      today: '2026-09-02',
    });
    if (check.checked !== 0) throw new Error(`${check.checked} contrôles refaits alors qu’ils étaient à jour`);
    step(`${dialect} : tous les contrôles périmés`);
    await service.db.sequelize.query(`UPDATE closure_snapshots SET marker = 'perime'`);
    const stale = await timed(get);
    const counted = await service.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM `lines`', {
      type: QueryTypes.SELECT,
    });
    const n = counted[0]?.n ?? 0;
    return { dialect, coops: COOPS, lines: Number(n), generate: generated, missing, stale, fresh, bytes };
  } finally {
    await service.close();
  }
}

export async function benchDashboard(): Promise<DashboardBenchResult[]> {
  const out: DashboardBenchResult[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'cahier-bench-dashboard-'));
  try {
    out.push(await benchOn('sqlite', `sqlite:${join(dir, 'dashboard.sqlite')}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const base =
    process.env.CAHIER_BENCH_MYSQL_URL ??
    process.env.CAHIER_TEST_MYSQL_URL ??
    'mysql://root@127.0.0.1:3306/cahier_bench';
  const u = new URL(base);
  u.pathname = `/${u.pathname.replace(/^\//, '') || 'cahier_bench'}_dashboard`;
  const url = u.toString();
  const drop = () => dropMysqlDatabase(url);
  try {
    await drop();
    out.push(await benchOn('mysql', url));
  } catch (e) {
    process.stderr.write(`MariaDB indisponible pour le banc du tableau de bord (${(e as Error).message}).\n`);
  } finally {
    await drop().catch(() => undefined);
  }
  return out;
}

/** The rows of RESULTS.md (run.ts): the fresh dashboard against the 2 s target, the stale ones for information. */
export async function dashboardResults(): Promise<
  { name: string; ours: number; raw: number; unit: string; target: string }[]
> {
  return (await benchDashboard()).flatMap((r) => {
    const db = r.dialect === 'sqlite' ? 'SQLite' : 'MariaDB';
    const what = `${r.coops} coopératives, ${r.lines} lignes (${LINES} par coopérative qui a saisi)`;
    return [
      {
        name: `${db} : tableau de bord du département, ${what}, contrôles à jour (JSON de ${Math.round(r.bytes / 1024)} Ko) vs cible`,
        ours: r.fresh,
        raw: 2_000,
        unit: 'ms',
        target: '< 2 s',
      },
      {
        name: `${db} : le même, aucun contrôle enregistré (premier appel) puis tous périmés : chaque exercice ouvert recontrôlé`,
        ours: r.stale,
        raw: r.missing,
        unit: 'ms',
        target: '(informatif)',
      },
    ];
  });
}

if (require.main === module) {
  benchDashboard().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
