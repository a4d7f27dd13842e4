/**
 * A crash in the middle of writes: `cahier serve` killed (SIGKILL, as by the kernel's OOM killer
 * or a power cut of the process) while sync batches, then single PUTs, are in flight; the
 * database read as it was left, the service restarted, the client resending what was not
 * acknowledged (same ids, same content: what was committed anyway comes back `unchanged`).
 *
 * Checked, and counted in the figures: every acknowledged line present exactly once; every batch
 * all or nothing (one transaction); one `create` audit row per line and no audit row without its
 * line. The production tests run it small; `npm run bench` with 2,000-line batches.
 */
import { openDb } from '../../server/db/connect';
import type { LineInput } from '../../templates/definition';
import {
  COOP,
  expense,
  freshDatabase,
  isAnswer,
  seedCoop,
  serve,
  Treasurer,
  uuid,
  type Dialect,
  type Outcome,
  type ServeProcess,
} from '../production/process';

export interface CrashRunOptions {
  dialect: Dialect;
  /** Lines per sync batch. */
  batchLines: number;
  /** Batches sent at once before the first kill. */
  batches: number;
  /** Single-line PUTs before the second kill (32 at a time). */
  puts: number;
  /** MariaDB server to create the run's database on (default: CAHIER_TEST_MYSQL_URL). */
  mysqlUrl?: string;
}

export interface CrashFigures {
  dialect: Dialect;
  batches: {
    sent: number;
    acknowledged: number;
    /** Batches whose answer was lost in the crash but found committed (all their lines). */
    committedUnanswered: number;
    /** Batches found with some but not all of their lines: must be 0. */
    halfWritten: number;
  };
  puts: {
    sent: number;
    acknowledged: number;
    /** Sent, not answered before the kill. */
    unanswered: number;
    /** Of those, committed anyway: `unchanged` when resent. */
    committedUnanswered: number;
  };
  /** Acknowledged lines missing after the crash: must be 0. */
  lost: number;
  /** Lines stored more than once (same PJ twice): must be 0. */
  duplicates: number;
  /** Lines without exactly one `create` audit row, and audit rows without their line: must be 0. */
  auditMismatches: number;
  /** Lines in the exercise at the end, and lines the client wrote. */
  stored: number;
  expected: number;
  /** Time from spawning the service to its start line, after each kill (recovery included). */
  restartMs: number[];
  /** Time to resend what was not acknowledged, after each kill. */
  resendMs: number[];
}

interface Entry {
  id: string;
  line: LineInput;
}

/** What the database holds for the exercise, read directly (the service down). */
async function readBack(dbUrl: string): Promise<{
  lines: Map<string, string>;
  createAudits: Map<string, number>;
  orphanAudits: number;
}> {
  const db = await openDb(dbUrl);
  try {
    const [ex] = (await db.sequelize.query(
      'SELECT e.id AS id FROM exercises e JOIN coops c ON c.id = e.coop_id WHERE c.number = ? AND e.year = ?',
      { replacements: [COOP.number, COOP.year], type: 'SELECT' },
    )) as { id: number }[];
    const rows = (await db.sequelize.query('SELECT id, pj FROM `lines` WHERE exercise_id = ? AND deleted = ?', {
      replacements: [ex!.id, false],
      type: 'SELECT',
    })) as { id: string; pj: string }[];
    const audits = (await db.sequelize.query(
      "SELECT line_id AS lineId, COUNT(*) AS n FROM audit WHERE exercise_id = ? AND action = 'create' GROUP BY line_id",
      { replacements: [ex!.id], type: 'SELECT' },
    )) as { lineId: string; n: number | string }[];
    const [orphans] = (await db.sequelize.query(
      'SELECT COUNT(*) AS n FROM audit a WHERE a.exercise_id = ? AND NOT EXISTS (SELECT 1 FROM `lines` l WHERE l.id = a.line_id)',
      { replacements: [ex!.id], type: 'SELECT' },
    )) as { n: number | string }[];
    return {
      lines: new Map(rows.map((r) => [r.id, r.pj])),
      createAudits: new Map(audits.map((a) => [a.lineId, Number(a.n)])),
      orphanAudits: Number(orphans!.n),
    };
  } finally {
    await db.close();
  }
}

async function restart(dbUrl: string, restartMs: number[]): Promise<{ service: ServeProcess; client: Treasurer }> {
  const t = performance.now();
  const service = await serve(dbUrl);
  restartMs.push(performance.now() - t);
  return { service, client: await new Treasurer(service.url).login() };
}

const answered = (o: Outcome, status: number) => isAnswer(o) && o.status === status;

export async function crashRun(options: CrashRunOptions): Promise<CrashFigures> {
  const { dialect, batchLines, batches, puts } = options;
  const database = await freshDatabase(dialect, 'crash', options.mysqlUrl);
  const restartMs: number[] = [];
  const resendMs: number[] = [];
  let service: ServeProcess | null = null;
  try {
    await seedCoop(database.url);
    let client: Treasurer;
    ({ service, client } = await restart(database.url, []));

    // 1. Batches sent at once; SIGKILL as soon as the first is acknowledged.
    let n = 0;
    const batchEntries: Entry[][] = Array.from({ length: batches }, () =>
      Array.from({ length: batchLines }, () => ({ id: uuid(), line: expense(++n) })),
    );
    let killed = false;
    const kill = () => {
      if (!killed) service!.child.kill('SIGKILL');
      killed = true;
    };
    const batchOutcomes = await Promise.all(
      batchEntries.map(async (entries) => {
        const o = await client.sync(entries);
        if (answered(o, 200)) kill();
        return o;
      }),
    );
    kill();
    await service.exited;
    const acknowledgedBatches = batchOutcomes.filter((o) => answered(o, 200));
    for (const o of acknowledgedBatches) {
      const counts = (o as { body: { counts: { stored: number } } }).body.counts;
      if (counts.stored !== batchLines) throw new Error(`lot accepté incomplet : ${JSON.stringify(counts)}`);
    }
    // The database as the crash left it: each batch all or nothing.
    const afterFirst = await readBack(database.url);
    let halfWritten = 0;
    let batchesCommittedUnanswered = 0;
    batchEntries.forEach((entries, i) => {
      const present = entries.filter((e) => afterFirst.lines.has(e.id)).length;
      if (present !== 0 && present !== entries.length) halfWritten++;
      if (present === entries.length && !answered(batchOutcomes[i]!, 200)) batchesCommittedUnanswered++;
    });

    // Restart; resend the batches not acknowledged.
    ({ service, client } = await restart(database.url, restartMs));
    let t = performance.now();
    for (const [i, entries] of batchEntries.entries()) {
      if (answered(batchOutcomes[i]!, 200)) continue;
      const o = await client.sync(entries);
      if (!answered(o, 200)) throw new Error(`lot renvoyé refusé : ${JSON.stringify(o)}`);
      const counts = (o as { body: { counts: { stored: number; unchanged: number } } }).body.counts;
      if (counts.stored + counts.unchanged !== batchLines || (counts.stored && counts.unchanged))
        throw new Error(`lot renvoyé écrit à moitié : ${JSON.stringify(counts)}`);
    }
    resendMs.push(performance.now() - t);

    // 2. Single PUTs, 32 at a time; SIGKILL once half of them are acknowledged.
    const putEntries: Entry[] = Array.from({ length: puts }, () => ({ id: uuid(), line: expense(++n) }));
    const putOutcomes: (Outcome | undefined)[] = new Array(puts);
    let next = 0;
    let acknowledgedPuts = 0;
    killed = false;
    const current = service;
    const killPuts = () => {
      if (!killed) current.child.kill('SIGKILL');
      killed = true;
    };
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (!killed && next < puts) {
          const i = next++;
          const o = await client.put(putEntries[i]!.id, putEntries[i]!.line);
          putOutcomes[i] = o;
          if (answered(o, 201) && ++acknowledgedPuts >= puts / 2) killPuts();
        }
      }),
    );
    killPuts();
    await service.exited;
    const afterSecond = await readBack(database.url);
    const unanswered = putOutcomes.filter((o) => o !== undefined && !answered(o, 201)).length;

    ({ service, client } = await restart(database.url, restartMs));
    t = performance.now();
    let putsCommittedUnanswered = 0;
    for (const [i, e] of putEntries.entries()) {
      const before = putOutcomes[i];
      if (before && answered(before, 201)) continue;
      const o = await client.put(e.id, e.line);
      if (answered(o, 200) && (o as { body: { pj: string } }).body.pj === e.line.pj) {
        if (!afterSecond.lines.has(e.id)) throw new Error(`ligne ${e.id} « inchangée » mais absente avant le renvoi`);
        putsCommittedUnanswered++;
      } else if (!answered(o, 201)) throw new Error(`PUT renvoyé refusé : ${JSON.stringify(o)}`);
    }
    resendMs.push(performance.now() - t);
    await service.stop('SIGTERM');
    service = null;

    // 3. The end: every line the client wrote, once; the audit trail matches.
    const final = await readBack(database.url);
    const all = [...batchEntries.flat(), ...putEntries];
    // Acknowledged before a kill, missing right after it (before any resend).
    const lostAtCrash =
      batchEntries
        .filter((_, i) => answered(batchOutcomes[i]!, 200))
        .flat()
        .filter((e) => !afterFirst.lines.has(e.id)).length +
      putEntries.filter((e, i) => answered(putOutcomes[i] ?? { error: '' }, 201) && !afterSecond.lines.has(e.id))
        .length;
    const lost = lostAtCrash + all.filter((e) => final.lines.get(e.id) !== e.line.pj).length;
    const pjs = [...final.lines.values()];
    const duplicates = pjs.length - new Set(pjs).size;
    let auditMismatches = final.orphanAudits;
    for (const id of final.lines.keys()) if (final.createAudits.get(id) !== 1) auditMismatches++;
    for (const id of final.createAudits.keys()) if (!final.lines.has(id)) auditMismatches++;
    return {
      dialect,
      batches: {
        sent: batches,
        acknowledged: acknowledgedBatches.length,
        committedUnanswered: batchesCommittedUnanswered,
        halfWritten,
      },
      puts: {
        sent: putOutcomes.filter((o) => o !== undefined).length,
        acknowledged: acknowledgedPuts,
        unanswered,
        committedUnanswered: putsCommittedUnanswered,
      },
      lost,
      duplicates,
      auditMismatches,
      stored: final.lines.size,
      expected: all.length,
      restartMs,
      resendMs,
    };
  } finally {
    if (service) await service.stop('SIGKILL');
    await database.drop();
  }
}

/** Alone: npx tsx test/bench/crash.ts [sqlite|mysql] (mysql: CAHIER_TEST_MYSQL_URL, or CAHIER_BENCH_MYSQL_URL). */
if (require.main === module) {
  const dialect = (process.argv[2] ?? 'sqlite') as Dialect;
  const mysqlUrl = process.env.CAHIER_TEST_MYSQL_URL ?? process.env.CAHIER_BENCH_MYSQL_URL;
  void crashRun({ dialect, batchLines: 2000, batches: 5, puts: 1000, mysqlUrl }).then((f) =>
    process.stdout.write(`${JSON.stringify(f, null, 2)}\n`),
  );
}
