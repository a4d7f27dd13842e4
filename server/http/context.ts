/**
 * What a route table needs from the application, as types only: the services, the route's
 * shape and what a handler receives. Route tables and the app both import this module, so
 * neither imports the other.
 */
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Db } from '../db/connect';
import type { Principal } from '../operations/access';
import type { AttachmentStore } from '../storage/attachments';

export interface Services {
  db: Db;
  /** Lifetime of a session token. */
  sessionHours: number;
  /**
   * Reverse proxies in front of the service whose X-Forwarded-For is trusted (0: none, the
   * header is ignored). The client address is the one the outermost trusted proxy saw.
   */
  proxyHops?: number;
  /** Where the bytes of the pièces justificatives are kept (database or disk). */
  attachments: AttachmentStore;
  /** The service's clock (absent: the system's); tests set it to check the closure on a given day. */
  now?: () => Date;
  /**
   * Time limit of a request in seconds (absent: 30); the long routes (imports, exports, PDFs,
   * dashboard) get ten times as much. Past it the client gets a French 503 delai_depasse.
   */
  requestTimeout?: number;
  /** Where the request logs go (absent: the process's logger, level from LOG_LEVEL). */
  logger?: Logger;
}

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

export interface RouteContext {
  ctx: Context;
  services: Services;
  principal: Principal;
  params: Record<string, string>;
  body: unknown;
}

export interface Route {
  method: Method;
  /** OpenAPI form: /api/coops/{coop}. */
  path: string;
  summary: string;
  tag: string;
  /** Needs a session token (default true). */
  auth?: boolean;
  params?: Record<string, { description: string; schema: z.ZodType }>;
  query?: Record<string, { description: string; schema: z.ZodType }>;
  headers?: Record<string, { description: string; required?: boolean }>;
  body?: z.ZodType;
  /** The body is a file, handed to the handler as bytes (up to `maxBytes`), not JSON. */
  upload?: { maxBytes: number; description: string };
  /**
   * The body is multipart/form-data whose field `field` holds one file (up to `maxBytes`),
   * handed to the handler as an UploadedFile.
   */
  multipart?: { field: string; maxBytes: number; description: string };
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(r: RouteContext): Promise<void>;
}

/** A file received in a multipart/form-data body: its bytes and what the client said of it. */
export interface UploadedFile {
  /** The file name the client gave (without folder), or null. */
  name: string | null;
  /** The Content-Type the client declared for the part (not trusted). */
  declaredType: string;
  bytes: Buffer;
}
