/**
 * A database that cannot be reached (stopped, restarting, network cut, disk full, its file
 * gone) is not a bug of the service: the request gets a French 503 the client may retry, never a
 * 500 or a stack trace. Nothing was written: a transaction that loses its connection is rolled
 * back by the database.
 */
import { ConnectionError, TimeoutError } from 'sequelize';
import { ServiceError } from '../operations/errors';

/** Error codes of the drivers (mysql2, node, sqlite3) that mean "the database is not there". */
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
  // SQLite: the file cannot be opened, read or written (permissions, a disk remounted read-only).
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
]);
/** MySQL client errors: server gone away (2006), lost during a query (2013), cannot connect (2002, 2003). */
const CONNECTION_ERRNOS = new Set([1053, 1927, 2002, 2003, 2006, 2013]);
/** No room left where the database writes: SQLite's SQLITE_FULL, MySQL's table full (1114) and disk full (1021). */
const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'ER_RECORD_FILE_FULL', 'ER_DISK_FULL']);

type Cause = 'unreachable' | 'busy' | 'full' | 'gone';

function causeOf(e: unknown, depth = 0): Cause | null {
  if (!e || typeof e !== 'object' || depth > 3) return null;
  const { code, errno, parent, original } = e as {
    code?: unknown;
    errno?: unknown;
    parent?: unknown;
    original?: unknown;
  };
  if (code === 'SQLITE_FILE_GONE') return 'gone';
  if (typeof code === 'string' && FULL_CODES.has(code)) return 'full';
  // SQLite: still locked (by another process: a backup, a second service) after the retries.
  if (e instanceof TimeoutError || code === 'SQLITE_BUSY') return 'busy';
  const inner = causeOf(parent, depth + 1) ?? causeOf(original, depth + 1);
  if (inner) return inner;
  if (e instanceof ConnectionError) return 'unreachable';
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'unreachable';
  if (typeof errno === 'number' && CONNECTION_ERRNOS.has(errno)) return 'unreachable';
  if (/closed state|Can't add new command when connection is in closed state/i.test(String((e as Error).message)))
    return 'unreachable';
  return null;
}

const DETAILS: Record<Cause, { detail: string; retryAfter: number }> = {
  unreachable: {
    detail:
      'La base de données du service ne répond pas pour le moment ; rien n’a été enregistré. Réessayez dans quelques instants.',
    retryAfter: 5,
  },
  busy: {
    detail:
      'La base de données du service est occupée par un autre programme ; rien n’a été enregistré. Réessayez dans quelques instants.',
    retryAfter: 5,
  },
  full: {
    detail:
      'Le disque de la base de données du service est plein ; rien n’a été enregistré. Prévenez l’administrateur du service.',
    retryAfter: 60,
  },
  gone: {
    detail:
      'Le fichier de la base de données du service a disparu ou a été remplacé ; rien n’a été enregistré. ' +
      'Prévenez l’administrateur : le service doit être redémarré.',
    retryAfter: 60,
  },
};

/** The 503 for an error that says the database is out of reach, else null. */
export function unavailable(e: unknown): ServiceError | null {
  const cause = causeOf(e);
  if (!cause) return null;
  const { detail, retryAfter } = DETAILS[cause];
  return new ServiceError(503, 'base_indisponible', detail, { retryAfter });
}
