/**
 * What an operation refuses, with an HTTP status, a stable code and a French sentence; the
 * HTTP layer turns it into application/problem+json.
 */
export interface FieldError {
  /** JSON path of the field ("lines[3].amount"), or the header. */
  field: string;
  message: string;
}

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ServiceError(404, 'introuvable', what);
export const forbidden = (message = 'Vous n’avez pas accès à cette coopérative.') =>
  new ServiceError(403, 'acces_refuse', message);
