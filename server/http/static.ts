/**
 * The task pane's production build (dist/addin), served by the service itself with @koa/send:
 * same origin as the API, so no CORS. Also /manifest.xml, for uploading the add-in to Excel on
 * the web, and the help page /aide.
 */
import type { ServerResponse } from 'node:http';
import { extname, resolve } from 'node:path';
import { send } from '@koa/send';
import type { Context, Next } from 'koa';
import { ROOT } from '../paths';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The built pane (CAHIER_ADDIN_DIR may point at another build, e.g. for tests run side by side). */
export const ADDIN_DIR = process.env.CAHIER_ADDIN_DIR ?? resolve(ROOT, 'dist/addin');
/** The French help page the manifest's SupportUrl and LearnMoreUrl and the pane point at. */
const HELP_DIR = resolve(ROOT, 'server/http');

/** Bundles carry their hash in their name: they may be kept; everything else is always checked. */
export const HASHED_BUNDLE = /\.[0-9a-f]{8}\.js$/;

function setHeaders(res: ServerResponse, path: string): void {
  res.setHeader('Content-Type', TYPES[extname(path)] ?? 'application/octet-stream');
  res.setHeader('Cache-Control', HASHED_BUNDLE.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/**
 * `file` (a URL path, still %-encoded) under `root`: true once the body is set; false when there
 * is no such file, or the path leaves `root`, names a hidden file or a folder.
 */
async function sendFile(ctx: Context, root: string, file: string): Promise<boolean> {
  try {
    const sent = await send(ctx, file, { root, index: false, gzip: false, brotli: false, setHeaders });
    return sent !== undefined;
  } catch (e) {
    const status = (e as { status?: number }).status;
    // 400 (undecodable or NUL), 403 (outside the root), 404 (absent): no file here.
    if (status !== undefined && status >= 400 && status < 500) return false;
    throw e;
  }
}

export function serveAddin(dir = ADDIN_DIR) {
  return async (ctx: Context, next: Next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/') || ctx.path === '/health') {
      return next();
    }
    if (ctx.path === '/aide' || ctx.path === '/aide/') {
      if (await sendFile(ctx, HELP_DIR, 'aide.html')) return;
      return next();
    }
    if (ctx.path === '/manifest.xml') {
      if (await sendFile(ctx, ROOT, 'manifest.xml')) return;
      return next();
    }
    const pane = ctx.path === '/' || ctx.path === '/taskpane.html';
    if (await sendFile(ctx, dir, pane ? 'taskpane.html' : ctx.path)) return;
    if (pane) {
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = 'Le volet Cahier Coop n’est pas construit : lancez « npm run build » puis redémarrez le service.';
      return;
    }
    return next();
  };
}
