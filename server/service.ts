/** Starts the service: database, migrations, optional demo, HTTP or HTTPS. */
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { openDb, type Db } from './db/connect';
import { migrate } from './db/migrate';
import { seedDemo, type DemoInfo } from './demo/seed';
import { createApp } from './http/app';
import { attachmentStore, type AttachmentStore } from './storage/attachments';

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
}

export interface RunningService {
  db: Db;
  server: Server;
  url: string;
  migrations: string[];
  demo: DemoInfo | null;
  attachments: AttachmentStore;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const db = await openDb(options.dbUrl);
  try {
    const migrations = await migrate(db);
    const attachments = await attachmentStore(db, options.attachmentsDir);
    const demo = options.demo ? await seedDemo(db, attachments) : null;
    const app = createApp({
      db,
      sessionHours: options.sessionHours ?? 12,
      proxyHops: options.proxyHops,
      attachments,
      now: options.now,
    });
    const server = options.https ? createHttpsServer(options.https, app.callback()) : createServer(app.callback());
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((ok, ko) => {
      server.once('error', ko);
      server.listen(options.port, options.host ?? '127.0.0.1', () => ok());
    });
    const address = server.address() as AddressInfo;
    const host = address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : address.address;
    const url = `${options.https ? 'https' : 'http'}://${host === '127.0.0.1' ? 'localhost' : host}:${address.port}`;
    return {
      db,
      server,
      url,
      migrations,
      demo,
      attachments,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((ok) => server.close(() => ok()));
        await db.close();
      },
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}
