/**
 * The task pane's production build (dist/addin), served by the service itself: same origin as
 * the API, so no CORS. Also /manifest.xml, for uploading the add-in to Excel on the web, and the
 * help page /aide.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
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
const MANIFEST = resolve(ROOT, 'manifest.xml');
/** The French help page the manifest's SupportUrl and LearnMoreUrl and the pane point at. */
const HELP = resolve(ROOT, 'server/http/aide.html');

export function serveAddin(dir = ADDIN_DIR) {
  return async (ctx: Context, next: Next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/') || ctx.path === '/health') {
      return next();
    }
    if (ctx.path === '/aide' || ctx.path === '/aide/') {
      ctx.type = TYPES['.html']!;
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await readFile(HELP);
      return;
    }
    if (ctx.path === '/manifest.xml') {
      ctx.type = TYPES['.xml']!;
      ctx.body = await readFile(MANIFEST);
      return;
    }
    const wanted = ctx.path === '/' ? '/taskpane.html' : decodeURIComponent(ctx.path);
    const file = normalize(join(dir, wanted));
    if (!file.startsWith(dir + '/')) return next();
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      if (ctx.path === '/' || ctx.path === '/taskpane.html') {
        ctx.status = 503;
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = 'Le volet Cahier Coop n’est pas construit : lancez « npm run build » puis redémarrez le service.';
        return;
      }
      return next();
    }
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Bundles carry their hash in their name: they may be kept; the page is always checked.
    ctx.set('Cache-Control', /\.[0-9a-f]{8}\.js$/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.body = await readFile(file);
  };
}
