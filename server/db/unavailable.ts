/**
 * A database that cannot be reached (stopped, restarting, network cut) is not a bug of the
 * service: the request gets a French 503 the client may retry, never a 500 or a stack trace.
 * Nothing was written: a transaction that loses its connection is rolled back by the database.
 */
import { ConnectionError } from 'sequelize';
import { ServiceError } from '../operations/errors';

/** Error codes of the drivers (mysql2, node) that mean "the database is not there". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_CONNECTION_KILLED',
  'ERR_STREAM_DESTROYED',
]);
/** MySQL client errors: server gone away (2006), lost during a query (2013), cannot connect (2002, 2003). */
const CONNECTION_ERRNOS = new Set([1053, 1927, 2002, 2003, 2006, 2013]);

function isUnreachable(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 3) return false;
  if (e instanceof ConnectionError) return true;
  const { code, errno, parent, original } = e as {
    code?: unknown;
    errno?: unknown;
    parent?: unknown;
    original?: unknown;
  };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (typeof errno === 'number' && CONNECTION_ERRNOS.has(errno)) return true;
  if (/closed state|Can't add new command when connection is in closed state/i.test(String((e as Error).message)))
    return true;
  return isUnreachable(parent, depth + 1) || isUnreachable(original, depth + 1);
}

/** The 503 for an error that says the database is out of reach, else null. */
export function unavailable(e: unknown): ServiceError | null {
  if (!isUnreachable(e)) return null;
  return new ServiceError(
    503,
    'base_indisponible',
    'La base de données du service ne répond pas pour le moment ; rien n’a été enregistré. Réessayez dans quelques instants.',
    { retryAfter: 5 },
  );
}
