/**
 * The Koa application: JSON bodies, sessions, the routes of the table, French
 * application/problem+json errors. It holds no state of its own.
 */
import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { z } from 'zod';
import { PROBLEM_TYPES, ServiceError, problemType, type FieldError } from '../operations/errors';
import { tokenHash } from '../operations/sessions';
import { readSession } from '../operations/access';
import { performance } from 'node:perf_hooks';
import { openApiDocument } from './openapi';
import type { Route, Services } from './context';
import { ROUTES } from './routes';
import { readMultipartFile } from './multipart';
import { fieldErrors } from './schemas';
import { serveAddin } from './static';
import { unavailable } from '../db/unavailable';
import { defaultLogger, requestLog, routeOf, type Logger, type RequestLogState } from './logging';

export type { Services } from './context';

/**
 * The pane is framed by Excel on the web: frame-ancestors names Office's hosts (never
 * X-Frame-Options: DENY, which would stop Excel showing it). Scripts come from the service and
 * Office's CDN only; Fluent UI writes its styles at run time, hence 'unsafe-inline' for styles.
 */
export const OFFICE_FRAME_HOSTS = [
  'https://*.office.com',
  'https://*.office365.com',
  'https://*.officeapps.live.com',
  'https://*.sharepoint.com',
  'https://*.microsoft365.com',
  'https://*.cloud.microsoft',
  'https://onedrive.live.com',
];
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' https://appsforoffice.microsoft.com",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  `frame-ancestors 'self' ${OFFICE_FRAME_HOSTS.join(' ')}`,
].join('; ');

/** Headers on every response, errors included. */
function securityHeaders(ctx: Context): void {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  // HSTS under https; not for localhost, where it would force https on every local port.
  if (ctx.secure && !/^(localhost|127\.0\.0\.1|\[::1\])$/.test(ctx.hostname)) {
    ctx.set('Strict-Transport-Security', 'max-age=31536000');
  }
  // The API's answers carry tokens and a coop's figures: never kept by a cache.
  if (ctx.path === '/api' || ctx.path.startsWith('/api/')) ctx.set('Cache-Control', 'no-store');
}

/** A path whose %-escapes do not decode (`/%E0%A4%A`, `/%`) is refused before any route sees it. */
function checkPath(ctx: Context): void {
  try {
    decodeURIComponent(ctx.path);
  } catch {
    throw new ServiceError(400, 'chemin_invalide', 'Adresse mal formée : un caractère encodé (%…) est invalide.');
  }
}

const MAX_BODY = 20 * 1024 * 1024;

/** The default time limit of a request, in seconds. */
export const DEFAULT_REQUEST_TIMEOUT = 30;
/** How many times the default limit the long routes get. */
export const LONG_ROUTE_FACTOR = 10;

/** The limits in ms: `normal` for most routes, `long` for imports, exports, PDFs, the dashboard. */
export function requestLimits(seconds = DEFAULT_REQUEST_TIMEOUT): { normal: number; long: number } {
  return { normal: seconds * 1000, long: seconds * 1000 * LONG_ROUTE_FACTOR };
}

/** 413 beyond `max` bytes. */
function tooBig(max: number): ServiceError {
  return new ServiceError(
    413,
    'corps_trop_gros',
    `La requête dépasse ${Math.round(max / 1024 / 1024)} Mo : envoyez des lots ou des fichiers plus petits.`,
  );
}

/**
 * The request's bytes, refused (413) beyond `max` before they are all read: the files of the
 * upload routes, handed to their parsers as they came (bodyparser reads JSON, forms and text).
 */
async function readBytes(ctx: Context, max: number): Promise<Buffer> {
  if (Number(ctx.get('Content-Length') || 0) > max) throw tooBig(max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooBig(max);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** co-body's refusals (raw-body's `type`, inflation's 415, JSON.parse's SyntaxError) in French. */
function jsonBodyError(e: unknown): ServiceError {
  const { type, status } = e as { type?: string; status?: number };
  if (type === 'entity.too.large' || status === 413) return tooBig(MAX_BODY);
  if (status === 415)
    return new ServiceError(
      415,
      'format_non_json',
      'Le corps de la requête doit être du JSON en UTF-8 (compressé en gzip ou deflate au plus).',
    );
  if (e instanceof SyntaxError)
    return new ServiceError(400, 'json_invalide', `Le corps de la requête n’est pas du JSON valide : ${e.message}`);
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new ServiceError(400, 'json_invalide', 'Le corps de la requête est incomplet ou illisible.');
  throw e;
}

const isJson = (ctx: Context) => Boolean(ctx.is('application/json', 'application/*+json'));

/** JSON bodies only (any JSON value, not only objects), up to 20 Mo, refusals in French. */
const parseJsonBody = bodyParser({
  enableTypes: ['json'],
  detectJSON: isJson,
  jsonLimit: MAX_BODY,
  jsonStrict: false,
  onError(e, ctx) {
    // Blanks only are no body, as an empty one is.
    if (e instanceof SyntaxError && !String((e as { body?: unknown }).body ?? '').trim()) {
      ctx.request.rawBody = '';
      return;
    }
    throw jsonBodyError(e);
  },
});
const noNext = async () => undefined;

/** The JSON body, or undefined when there is none (empty or blank); 415 for a body of another type. */
async function readJson(ctx: Context): Promise<unknown> {
  if (!isJson(ctx)) {
    if (ctx.get('Transfer-Encoding') === '' && Number(ctx.get('Content-Length') || 0) === 0) return undefined;
    throw new ServiceError(
      415,
      'format_non_json',
      'Le corps de la requête doit être du JSON (Content-Type: application/json).',
    );
  }
  await parseJsonBody(ctx, noNext);
  return ctx.request.rawBody?.trim() ? ctx.request.body : undefined;
}

function validationError(errors: FieldError[], what = 'requête'): ServiceError {
  return new ServiceError(
    422,
    'donnees_invalides',
    `La ${what} contient des champs invalides : ${errors.map((e) => e.message).join(' ; ')}.`,
    {
      errors,
    },
  );
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(fieldErrors(r.error, value, prefix));
  return r.data;
}

/** The coop and year of a route that names an exercise in its path, as the client wrote them. */
function exerciseNamed(route: Route, ctx: Context): { coop: string; year: number } | null {
  if (!route.params?.coop || !route.params.year) return null;
  const coop: unknown = ctx.params.coop;
  const year: unknown = ctx.params.year;
  if (typeof coop !== 'string' || typeof year !== 'string' || !/^\d{4}$/.test(year) || coop.length > 40) return null;
  return { coop, year: Number(year) };
}

function handler(route: Route, services: Services) {
  return async (ctx: Context) => {
    let principal = null;
    if (route.auth !== false) {
      const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'));
      const hash = m ? tokenHash(m[1]!) : null;
      // The exercise a request names is read with its session, in the same query.
      const read = hash ? await readSession(services.db, hash, exerciseNamed(route, ctx)) : null;
      principal = read?.principal ?? null;
      if (!principal) {
        throw new ServiceError(401, 'session_requise', 'Connectez-vous : la session est absente ou a expiré.');
      }
      ctx.state.tokenHash = hash;
      ctx.state.exerciseRead = read!.exercise;
    }
    const params: Record<string, string> = {};
    for (const [name, spec] of Object.entries(route.params ?? {})) {
      params[name] = parseWith(spec.schema as z.ZodType<string>, ctx.params[name], name);
    }
    for (const [name, spec] of Object.entries(route.query ?? {})) {
      if (ctx.query[name] !== undefined) parseWith(spec.schema, ctx.query[name], name);
    }
    let body: unknown = undefined;
    if (route.upload) {
      body = await readBytes(ctx, route.upload.maxBytes);
      if (!(body as Buffer).length)
        throw new ServiceError(400, 'corps_absent', 'Le fichier est absent du corps de la requête.');
    } else if (route.multipart) {
      body = await readMultipartFile(ctx, route.multipart);
    } else if (route.method === 'put' || route.method === 'post' || route.method === 'patch') {
      const raw = await readJson(ctx);
      if (route.body) {
        if (raw === undefined && !route.body.safeParse({}).success) {
          throw new ServiceError(400, 'corps_absent', 'Le corps de la requête (JSON) est absent.');
        }
        body = parseWith(route.body, raw ?? {}, '');
      }
    }
    await route.handle({ ctx, services, principal: principal!, params, body });
  };
}

/**
 * Routes whose work is long by nature (besides those that receive a file): exports, PDFs, the
 * department's dashboard, the closure (which archives the compte rendu in every format).
 */
export const LONG_ROUTES: ReadonlySet<string> = new Set([
  'get /api/coops/{coop}/exercises/{year}/workbook.xlsx',
  'get /api/departments/{code}/workbooks.zip',
  'get /api/departments/{code}/dashboard',
  'get /api/coops/{coop}/exercises/{year}/report',
  'get /api/coops/{coop}/exercises/{year}/cahier.pdf',
  'post /api/coops/{coop}/exercises/{year}/closure',
]);

/** A route's time limit in ms: long for the routes above and those that receive a file. */
export function routeLimit(route: Route, seconds?: number): number {
  const limits = requestLimits(seconds);
  const long = route.upload || route.multipart || LONG_ROUTES.has(`${route.method} ${route.path}`);
  return long ? limits.long : limits.normal;
}

/**
 * The route's work, answered by a French 503 once `ms` have passed. The work itself goes on (a
 * transaction is not cut in the middle): whether it ended, and how, is logged.
 */
function timeLimited(ms: number, logger: Logger, work: (ctx: Context) => Promise<void>) {
  return async (ctx: Context) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new ServiceError(
            503,
            'delai_depasse',
            `Le service n’a pas répondu dans le délai de ${formatSeconds(ms)}. L’opération a pu aboutir malgré tout : vérifiez avant de la refaire.`,
          ),
        );
      }, ms);
    });
    const done = work(ctx);
    try {
      await Promise.race([done, expired]);
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'delai_depasse') {
        const started = performance.now() - ms;
        const reqId = (ctx.state as RequestLogState).reqId;
        const late = { reqId, method: ctx.method, route: routeOf(ctx) };
        done.then(
          () => logger.warn({ ...late, ms: Math.round(performance.now() - started) }, 'requête finie après son délai'),
          (err: unknown) =>
            logger.warn(
              { ...late, ms: Math.round(performance.now() - started), err },
              'requête en échec après son délai',
            ),
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Errors of a response's stream that mean the client closed the connection. */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

export function createApp(services: Services): Koa {
  // Behind N trusted proxies, X-Forwarded-For's last N entries are theirs: the client is the
  // address the outermost of them saw, whatever the client wrote before it.
  const hops = services.proxyHops ?? 0;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  const logger = services.logger ?? defaultLogger();
  const router = new Router();
  for (const route of ROUTES) {
    router[route.method](
      route.path.replace(/\{(\w+)\}/g, ':$1'),
      timeLimited(routeLimit(route, services.requestTimeout), logger, handler(route, services)),
    );
  }
  const openapi = openApiDocument();
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openapi;
  });

  app.use(requestLog(logger));
  app.use(async (ctx, next) => {
    securityHeaders(ctx);
    try {
      checkPath(ctx);
      await next();
      // A known path asked with another method: the router has set Allow (an unknown method on an
      // unknown path leaves it empty: that path is simply not found).
      const allow = ctx.response.get('Allow');
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined && allow) {
        throw new ServiceError(
          405,
          'methode_non_permise',
          `La méthode ${ctx.method} n’est pas permise à l’adresse ${ctx.path} (permises : ${allow}).`,
        );
      }
      if ((ctx.status === 404 || ctx.status === 501) && ctx.body === undefined) {
        throw new ServiceError(404, 'introuvable', `Aucune ressource à l’adresse ${ctx.path}.`);
      }
    } catch (e) {
      // A client that hung up mid-request is not an error of the service.
      if (ctx.req.socket.destroyed || (e as { message?: string }).message === 'aborted') return;
      const err =
        e instanceof ServiceError
          ? e
          : (unavailable(e) ??
            new ServiceError(
              500,
              'erreur_interne',
              'Le service a rencontré une erreur inattendue ; rien n’a été enregistré à moitié. Réessayez.',
            ));
      if (err.status === 500) ctx.app.emit('error', e, ctx);
      const { retryAfter, ...extra } = err.extra;
      if (typeof retryAfter === 'number') ctx.set('Retry-After', String(retryAfter));
      ctx.status = err.status;
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: problemType(err.code),
        title: PROBLEM_TYPES[err.code].title,
        status: err.status,
        detail: err.message,
        code: err.code,
        ...extra,
      };
    }
  });
  app.use(serveAddin());
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: false }));
  // Unexpected errors (500) and failures of a response's stream, with their stack; a client that
  // hung up while a file was sent is no failure of the service (debug level).
  app.on('error', (e: unknown, ctx?: Context) => {
    const gone = CLIENT_GONE.has(String((e as { code?: unknown }).code));
    logger[gone ? 'debug' : 'error'](
      {
        reqId: (ctx?.state as RequestLogState | undefined)?.reqId,
        ...(ctx ? { method: ctx.method, route: routeOf(ctx) } : {}),
        err: e,
      },
      gone ? 'client parti avant la fin de la réponse' : 'erreur inattendue',
    );
  });
  return app;
}
