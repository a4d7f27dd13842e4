/**
 * `cahier serve --workers N`: N processes of the service on one port (node:cluster), for MySQL
 * or MariaDB, the service holding no state of its own. The primary process migrates the database
 * (and seeds the demo) once, starts the workers, prints the start line once they all listen,
 * replaces a worker that dies by accident, and on SIGTERM or SIGINT stops them all gracefully.
 */
import cluster, { type Worker } from 'node:cluster';
import { parseDbUrl, DbUrlError } from '../db/connect';
import { DEFAULT_GRACE_MS, prepareDatabase, startService } from '../service';
import { UserError, type Output, type Values } from './command';
import { printStarted, serviceOptions, startFailure, stopOnSignals } from './serve-command';

const MAX_WORKERS = 64;
/** A worker that dies sooner than this after its start is replaced after a pause (no busy loop). */
const EARLY_DEATH_MS = 5_000;
/** A worker that has not ended this long after SIGTERM is killed (its own stop has a time limit). */
const WORKER_STOP_MS = DEFAULT_GRACE_MS + 10_000;

interface Listening {
  type: 'cahier:listening';
  url: string;
}

const isListening = (m: unknown): m is Listening =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'cahier:listening';

/** `--workers N`: null when absent; N between 1 and 64. */
export function parseWorkers(values: Values): number | null {
  const raw = values.workers as string | undefined;
  if (raw === undefined) return null;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_WORKERS)
    throw new UserError(`--workers attend un nombre de processus entre 1 et ${MAX_WORKERS}, pas « ${raw} ».`, 2);
  return n;
}

/** The primary (the command run by the user) or one of its workers (the same command, forked). */
export function runCluster(values: Values, io: Output, workers: number): Promise<number> {
  return cluster.isWorker ? runWorker(values, io) : runPrimary(values, io, workers);
}

const describeExit = (code: number | null, signal: string | null) =>
  signal ? `signal ${signal}` : `code de sortie ${code ?? '?'}`;

async function runPrimary(values: Values, io: Output, count: number): Promise<number> {
  const options = await serviceOptions(values, io, Boolean(values.demo));
  let dialect: string;
  try {
    dialect = parseDbUrl(options.dbUrl).dialect;
  } catch (e) {
    if (e instanceof DbUrlError) throw new UserError(e.message, 2);
    throw e;
  }
  if (dialect !== 'mysql') {
    throw new UserError(
      '--workers demande MySQL/MariaDB : SQLite n’a qu’un écrivain à la fois, plusieurs processus n’iraient pas ' +
        'plus vite et se gêneraient. Retirez --workers, ou donnez une base mysql://… (--db ou DATABASE_URL).',
      2,
    );
  }
  // Migrations and demo once, before any worker opens the database.
  let prepared: Awaited<ReturnType<typeof prepareDatabase>>;
  try {
    prepared = await prepareDatabase(options);
  } catch (e) {
    throw startFailure(e, options.port);
  }

  const startedAt = new Map<Worker, number>();
  /** Workers that listen (one still starting is stopped without counting as a failure). */
  const serving = new Set<Worker>();
  let stopping = false;
  let ready = false;
  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on('message', (m: unknown) => {
      if (isListening(m)) serving.add(worker);
    });
    return worker;
  };

  // Every worker listening (the port shared), or the first one that fails to start.
  const first = Array.from({ length: count }, fork);
  const url = await new Promise<string>((ok, ko) => {
    let listening = 0;
    let found = '';
    for (const worker of first) {
      worker.on('message', (m: unknown) => {
        if (!isListening(m)) return;
        found = m.url;
        if (++listening === count) ok(found);
      });
      worker.once('exit', (code, signal) => {
        if (!ready)
          ko(
            new UserError(
              `Un processus du service s’est arrêté au démarrage (${describeExit(code, signal)}) : service non démarré.`,
            ),
          );
      });
    }
  }).catch(async (e: unknown) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    await allExited();
    throw e;
  });
  ready = true;

  printStarted(io, {
    url,
    dialect,
    attachments: options.attachmentsDir ? prepared.attachments : null,
    demo: prepared.demo,
  });
  const pids = first.map((w) => w.process.pid).join(', ');
  io.out(`  Processus de service : ${count} (pid ${pids}), processus principal ${process.pid}.\n`);

  // A worker that dies by accident (crash, kill, out of memory) is replaced.
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) return;
    io.err(`Processus de service ${worker.process.pid} arrêté (${describeExit(code, signal)}) : il est remplacé.\n`);
    setTimeout(
      () => {
        if (!stopping) fork();
      },
      lived < EARLY_DEATH_MS ? 1_000 : 0,
    );
  });

  return new Promise<number>((done) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      io.out('Arrêt du service : plus de nouvelle connexion, les requêtes en cours se terminent…\n');
      const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
      const failed: string[] = [];
      for (const worker of live) {
        worker.once('exit', (code, signal) => {
          if (code !== 0 && serving.has(worker)) failed.push(`${worker.process.pid} (${describeExit(code, signal)})`);
        });
        worker.process.kill('SIGTERM');
      }
      const force = setTimeout(() => {
        for (const worker of live) if (!worker.isDead()) worker.process.kill('SIGKILL');
      }, WORKER_STOP_MS);
      void allExited().then(() => {
        clearTimeout(force);
        if (failed.length) io.err(`Processus arrêtés en erreur : ${failed.join(', ')}.\n`);
        io.out('Service arrêté.\n');
        done(failed.length ? 1 : 0);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Resolves once no worker is left. */
function allExited(): Promise<void> {
  return new Promise((ok) => {
    const check = () => {
      if (!Object.values(cluster.workers ?? {}).some((w) => w && !w.isDead())) {
        cluster.off('exit', check);
        ok();
      }
    };
    cluster.on('exit', check);
    check();
  });
}

/** A worker: opens the database (migrated by the primary), listens on the shared port, serves. */
async function runWorker(values: Values, io: Output): Promise<number> {
  const options = await serviceOptions(values, io, Boolean(values.demo));
  let service;
  try {
    service = await startService({ ...options, prepared: true });
  } catch (e) {
    throw startFailure(e, options.port);
  }
  stopOnSignals(service, io, true);
  process.send?.({ type: 'cahier:listening', url: service.url } satisfies Listening);
  return new Promise<number>(() => undefined); // runs until stopped
}
