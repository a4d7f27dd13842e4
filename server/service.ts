/**
 * Starts the service: database, migrations, optional demo, HTTP or HTTPS; and stops it
 * gracefully: no new connection, the requests in flight answered (within a time limit), then the
 * database closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { openDb, type Db } from './db/connect';
import { migrate } from './db/migrate';
import { seedDemo, type DemoInfo } from './demo/seed';
import { createApp, requestLimits } from './http/app';
import { PROBLEM_TYPES, problemType } from './operations/errors';
import { settledWithin } from './operations/parallel';
import { attachmentStore, type AttachmentStore } from './storage/attachments';

/** How long the requests in flight may take to finish once the service is asked to stop. */
export const DEFAULT_GRACE_MS = 10_000;
/** After that, the requests cut short still get this long to roll back before the database closes. */
const ROLLBACK_GRACE_MS = 5_000;

export interface ServiceOptions {
  dbUrl: string;
  port: number;
  host?: string;
  https?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer } | null;
  demo?: boolean;
  sessionHours?: number;
  /** Reverse proxies trusted for X-Forwarded-For (0 or absent: none). */
  proxyHops?: number;
  /** Directory of the pièces justificatives' files; absent: they are kept in the database. */
  attachmentsDir?: string | null;
  /** The service's clock (absent: the system's). */
  now?: () => Date;
  /** Time limit of a request in seconds (absent: 30); the long routes get ten times as much. */
  requestTimeout?: number;
  /**
   * The database is migrated (and the demo seeded) already: a worker of `cahier serve --workers`,
   * whose primary process did it once before starting the workers.
   */
  prepared?: boolean;
}

/** What a stop did: requests answered while draining, and those cut at the time limit. */
export interface ShutdownReport {
  /** Requests in flight when the stop began that were answered. */
  finished: number;
  /** Requests still running at the time limit: their connection was closed without an answer. */
  cut: number;
  /** Requests that arrived on a kept-alive connection during the stop: answered 503 service_en_arret. */
  refused: number;
}

export interface RunningService {
  db: Db;
  server: Server;
  url: string;
  migrations: string[];
  demo: DemoInfo | null;
  attachments: AttachmentStore;
  /**
   * Stops gracefully: the port closed, idle kept-alive connections closed, the requests in flight
   * answered (at most `graceMs`), then the database closed. Calling it again returns the same stop.
   */
  close(options?: { graceMs?: number }): Promise<ShutdownReport>;
}

/** The database migrated, and the demo seeded when asked: done once, before any worker starts. */
export async function prepareDatabase(
  options: Pick<ServiceOptions, 'dbUrl' | 'demo' | 'attachmentsDir'>,
): Promise<{ dialect: Db['dialect']; migrations: string[]; demo: DemoInfo | null; attachments: string }> {
  const db = await openDb(options.dbUrl);
  try {
    const migrations = await migrate(db);
    const attachments = await attachmentStore(db, options.attachmentsDir);
    const demo = options.demo ? await seedDemo(db, attachments) : null;
    return { dialect: db.dialect, migrations, demo, attachments: attachments.description };
  } finally {
    await db.close();
  }
}

const SHUTDOWN_PROBLEM = JSON.stringify({
  type: problemType('service_en_arret'),
  title: PROBLEM_TYPES.service_en_arret.title,
  status: 503,
  detail:
    'Cette instance du service s’arrête : la requête n’a pas été traitée et rien n’a été enregistré. ' +
    'Réessayez : une autre instance, ou celle-ci redémarrée, vous répondra.',
  code: 'service_en_arret',
});

/** A request that arrives on a kept-alive connection while the service stops: 503, connection closed. */
function refuseDuringShutdown(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(503, {
    'Content-Type': 'application/problem+json; charset=utf-8',
    'Content-Length': Buffer.byteLength(SHUTDOWN_PROBLEM),
    Connection: 'close',
    'Retry-After': '1',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(SHUTDOWN_PROBLEM);
}

/**
 * The requests being handled, each until the application has answered it (a write is answered
 * only once committed or refused, group commit included): what a stop waits for before it
 * closes the database.
 */
class InFlight {
  private readonly handling = new Map<ServerResponse, Promise<void>>();
  private stopping = false;
  refused = 0;

  constructor(private readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {}

  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.stopping) {
      this.refused++;
      // A request pipelined behind one in flight: that one keeps its connection open, so that
      // this answer reaches the client (it closes the connection itself).
      for (const earlier of this.handling.keys()) {
        if (earlier.socket === req.socket && !earlier.headersSent) earlier.removeHeader('Connection');
      }
      refuseDuringShutdown(req, res);
      return;
    }
    const done = this.handle(req, res).then(
      () => undefined,
      () => undefined,
    );
    this.handling.set(res, done);
    void done.then(() => this.handling.delete(res));
  };

  /** From now on, new requests are refused; those in flight end their connection after answering. */
  stop(): Promise<void>[] {
    this.stopping = true;
    for (const res of this.handling.keys()) if (!res.headersSent) res.setHeader('Connection', 'close');
    return [...this.handling.values()];
  }

  get pending(): Promise<void>[] {
    return [...this.handling.values()];
  }
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const db = await openDb(options.dbUrl);
  try {
    const migrations = options.prepared ? [] : await migrate(db);
    const attachments = await attachmentStore(db, options.attachmentsDir);
    const demo = options.demo && !options.prepared ? await seedDemo(db, attachments) : null;
    const app = createApp({
      db,
      sessionHours: options.sessionHours ?? 12,
      proxyHops: options.proxyHops,
      attachments,
      now: options.now,
      requestTimeout: options.requestTimeout,
    });
    const inFlight = new InFlight(app.callback() as (req: IncomingMessage, res: ServerResponse) => Promise<void>);
    const server = options.https
      ? createHttpsServer(options.https, inFlight.listener)
      : createServer(inFlight.listener);
    server.keepAliveTimeout = 65_000;
    // Slow clients: headers within 66 s (above keepAliveTimeout, as load balancers expect), the
    // whole request within the longest route's limit, so the service's French 503 comes first.
    server.headersTimeout = 66_000;
    server.requestTimeout = requestLimits(options.requestTimeout).long + 5_000;
    await new Promise<void>((ok, ko) => {
      server.once('error', ko);
      server.listen(options.port, options.host ?? '127.0.0.1', () => ok());
    });
    const address = server.address() as AddressInfo;
    const host = address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : address.address;
    const url = `${options.https ? 'https' : 'http'}://${host === '127.0.0.1' ? 'localhost' : host}:${address.port}`;
    let stopped: Promise<ShutdownReport> | null = null;
    const stop = async (graceMs: number): Promise<ShutdownReport> => {
      const running = inFlight.stop();
      // No new connection; the idle kept-alive ones are closed at once (Node closes them in close()).
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeIdleConnections();
      const allAnswered = await settledWithin(running, graceMs);
      let cut = 0;
      if (!allAnswered) {
        cut = inFlight.pending.length;
        server.closeAllConnections();
        // Their transactions end (commit or roll back) before the database closes under them.
        await settledWithin(inFlight.pending, ROLLBACK_GRACE_MS);
      }
      // The answers written, the connections end (Connection: close); a client slow to read is cut.
      if (!(await settledWithin([closed], 1_000))) server.closeAllConnections();
      await closed;
      await db.close();
      return { finished: running.length - cut, cut, refused: inFlight.refused };
    };
    return {
      db,
      server,
      url,
      migrations,
      demo,
      attachments,
      close(closeOptions = {}) {
        stopped ??= stop(closeOptions.graceMs ?? DEFAULT_GRACE_MS);
        return stopped;
      },
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}
