/**
 * The Koa application: JSON bodies, sessions, the routes of the table, French
 * application/problem+json errors. It holds no state of its own.
 */
import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import type { z } from 'zod';
import { PROBLEM_TYPES, ServiceError, problemType, type FieldError } from '../operations/errors';
import { authenticate, tokenHash } from '../operations/sessions';
import { openApiDocument } from './openapi';
import type { Route, Services } from './context';
import { ROUTES } from './routes';
import { readMultipartFile } from './multipart';
import { fieldErrors } from './schemas';
import { serveAddin } from './static';
import { unavailable } from '../db/unavailable';

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

/** The request's bytes, refused (413) beyond `max` before they are all read. */
async function readBytes(ctx: Context, max: number): Promise<Buffer> {
  const tooBig = () =>
    new ServiceError(
      413,
      'corps_trop_gros',
      `La requête dépasse ${Math.round(max / 1024 / 1024)} Mo : envoyez des lots ou des fichiers plus petits.`,
    );
  if (Number(ctx.get('Content-Length') || 0) > max) throw tooBig();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooBig();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(ctx: Context): Promise<unknown> {
  const bytes = await readBytes(ctx, MAX_BODY);
  const text = bytes.toString('utf8');
  if (!text.trim()) return undefined;
  if (!ctx.is('application/json', 'application/*+json')) {
    throw new ServiceError(
      415,
      'format_non_json',
      'Le corps de la requête doit être du JSON (Content-Type: application/json).',
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ServiceError(
      400,
      'json_invalide',
      `Le corps de la requête n’est pas du JSON valide : ${(e as Error).message}`,
    );
  }
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

function handler(route: Route, services: Services) {
  return async (ctx: Context) => {
    let principal = null;
    if (route.auth !== false) {
      const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'));
      principal = m ? await authenticate(services.db, m[1]!) : null;
      if (!principal) {
        throw new ServiceError(401, 'session_requise', 'Connectez-vous : la session est absente ou a expiré.');
      }
      ctx.state.tokenHash = tokenHash(m![1]!);
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

export function createApp(services: Services): Koa {
  // Behind N trusted proxies, X-Forwarded-For's last N entries are theirs: the client is the
  // address the outermost of them saw, whatever the client wrote before it.
  const hops = services.proxyHops ?? 0;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  const router = new Router();
  for (const route of ROUTES) {
    router[route.method](route.path.replace(/\{(\w+)\}/g, ':$1'), handler(route, services));
  }
  const openapi = openApiDocument();
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openapi;
  });

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
  app.on('error', (e: Error) => {
    if (process.env.NODE_ENV !== 'test' || process.env.CAHIER_DEBUG)
      process.stderr.write(`Erreur : ${e.stack ?? e.message}\n`);
  });
  return app;
}
