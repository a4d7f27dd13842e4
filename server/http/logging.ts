/**
 * The service's logs (pino): one line per request (method, route pattern, status, duration,
 * coop, request id) and the unexpected errors with their stack. JSON lines, or readable lines
 * (pino-pretty) when stdout is a terminal. Never a header, a body or a query string: tokens and
 * passwords travel there.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Context, Next } from 'koa';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * LOG_LEVEL, or `info`; under the tests (NODE_ENV=test) `silent` unless LOG_LEVEL says otherwise
 * (CAHIER_DEBUG=1 keeps showing the unexpected errors there, as before the logs).
 */
export function logLevel(env: NodeJS.ProcessEnv = process.env): string {
  const level = env.LOG_LEVEL?.trim().toLowerCase();
  if (level) {
    if (!(LOG_LEVELS as readonly string[]).includes(level))
      throw new Error(`LOG_LEVEL doit valoir ${LOG_LEVELS.join(', ')} (pas « ${env.LOG_LEVEL} »).`);
    return level;
  }
  if (env.NODE_ENV === 'test') return env.CAHIER_DEBUG ? 'error' : 'silent';
  return 'info';
}

/**
 * A line in a terminal: `GET /api/coops/:coop 200 3.1 ms 087-0001 (id)` for a request; the
 * message, then the request it belongs to, for anything else (an error's stack follows it).
 */
function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const text = (key: string) => String(log[key]);
  const coop = log.coop ? ` ${text('coop')}` : '';
  if (log.status !== undefined)
    return `${text('method')} ${text('route')} ${text('status')} ${text('ms')} ms${coop} (${text('reqId')})`;
  const ms = log.ms !== undefined ? ` ${text('ms')} ms` : '';
  const request = log.route !== undefined ? ` : ${text('method')} ${text('route')}${ms} (${text('reqId')})` : '';
  return `${String(log[messageKey] ?? '')}${request}`;
}

/**
 * A logger at `level` writing to `destination`; without one, to stdout: asynchronously in JSON
 * (flushed when the process exits), or through pino-pretty when stdout is a terminal.
 */
export function createLogger(
  options: { level?: string; destination?: DestinationStream; pretty?: boolean } = {},
): Logger {
  const level = options.level ?? logLevel();
  const settings = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError },
  };
  if (options.destination) return pino(settings, options.destination);
  if (options.pretty ?? process.stdout.isTTY) {
    try {
      // Loaded only for a terminal.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pretty = require('pino-pretty') as typeof import('pino-pretty');
      return pino(
        settings,
        pretty({
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,method,route,status,ms,coop,reqId',
          messageFormat: prettyMessage,
        }),
      );
    } catch {
      // Without pino-pretty (a pruned install), JSON lines.
    }
  }
  // Lines gathered up to 4 KB per write (one write per request costs more than the line
  // itself), written at least every second, and flushed synchronously on exit (pino registers
  // the destination for that).
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const flush = setInterval(() => {
    try {
      destination.flush();
    } catch {
      clearInterval(flush); // destroyed: stdout is gone
    }
  }, 1000);
  flush.unref();
  return pino(settings, destination);
}

let processLogger: Logger | null = null;

/** The process's logger, made on first use from LOG_LEVEL. */
export function defaultLogger(): Logger {
  return (processLogger ??= createLogger());
}

/**
 * An error as logged: its kind, message, code and stack, nothing else (a database error's own
 * fields carry the SQL and its bound values).
 */
export function serializeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const code = (e as { code?: unknown }).code;
  return {
    type: e.name,
    message: e.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: e.stack,
  };
}

/** An incoming X-Request-Id kept as is: a short token of letters, digits and `._:-`. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** What the request log knows of a request, in ctx.state. */
export interface RequestLogState {
  reqId: string;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The route's pattern (`/api/coops/:coop`), or the path when no route matched. */
export function routeOf(ctx: Context): string {
  return (ctx as { _matchedRoute?: string })._matchedRoute ?? clip(ctx.path, 200);
}

/**
 * The outermost middleware: the request's id (the client's X-Request-Id when sane, else a new
 * UUID), sent back in X-Request-Id, and one log line once the answer is ready.
 */
export function requestLog(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    const incoming = ctx.get('X-Request-Id');
    const reqId = SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (ctx.state as RequestLogState).reqId = reqId;
    ctx.set('X-Request-Id', reqId);
    try {
      await next();
    } finally {
      const status = ctx.status;
      const level: Level = status >= 500 ? 'error' : 'info';
      if (logger.isLevelEnabled(level)) {
        const coop = (ctx.params as Record<string, string> | undefined)?.coop;
        logger[level](
          {
            reqId,
            method: ctx.method,
            route: routeOf(ctx),
            status,
            ms: Math.round((performance.now() - started) * 10) / 10,
            ...(coop !== undefined ? { coop: clip(coop, 64) } : {}),
            ...(ctx.req.socket.destroyed ? { aborted: true } : {}),
          },
          'requête',
        );
      }
    }
  };
}
